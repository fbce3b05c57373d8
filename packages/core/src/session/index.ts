export { TLSSession } from './session.js';
export { TicketKeys, TICKET_KEY_LENGTH, MAX_TICKET_KEYS } from './ticket-keys.js';
export {
  MAX_SESSION_LIFETIME,
  MAX_SESSION_ID_CONTEXT_LENGTH,
  decodeTicketState,
  encodeTicketState,
  sessionExpired,
  type SessionState,
} from './ticket-state.js';
export { deriveSessionIdContext } from './session-id-context.js';
