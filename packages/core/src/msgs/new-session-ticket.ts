import { ByteReader } from '../codec/reader.js';
import { ByteWriter } from '../codec/writer.js';
import { checkMinLength, decodeError, illegalParameter, invalidArgument } from './errors.js';
import { readExtensions, writeExtensions, type Extension } from './extensions.js';

/** Longest ticket lifetime a server may announce: seven days in seconds (RFC 8446 §4.6.1). */
export const MAX_TICKET_LIFETIME = 604800;

/** TLS 1.3 NewSessionTicket (RFC 8446 §4.6.1). */
export interface NewSessionTicket13 {
  /** Seconds, at most {@link MAX_TICKET_LIFETIME}; 0 means discard the ticket at once. */
  lifetime: number;
  /** uint32 added to the ticket age the client reports (RFC 8446 §4.2.11.1). */
  ageAdd: number;
  /** 0..255 bytes, unique per ticket of the connection. */
  nonce: Uint8Array;
  /** 1..65535 bytes, opaque to the client. */
  ticket: Uint8Array;
  /** early_data (max_early_data_size) is the one RFC 8446 defines here. */
  extensions: Extension[];
}

/**
 * Decodes a TLS 1.3 NewSessionTicket body (without the handshake header). `nonce` and `ticket` are views of the body.
 *
 * @throws {ProtocolError} `DECODE_ERROR` when a vector is truncated, the ticket is empty (`<1..2^16-1>`), the
 *   extensions block is 65535 bytes (`<0..2^16-2>`), or bytes trail the message.
 * @throws {ProtocolError} `ILLEGAL_PARAMETER` when ticket_lifetime exceeds 604800 seconds (RFC 8446 §4.6.1) or an
 *   extension repeats (RFC 8446 §4.2).
 */
export function decodeNewSessionTicket13(body: Uint8Array): NewSessionTicket13 {
  const r = new ByteReader(body, 'NewSessionTicket');
  const lifetime = r.u32('ticket_lifetime');
  const ageAdd = r.u32('ticket_age_add');
  const nonce = r.vector8('ticket_nonce').rest();
  const ticket = r.vector16('ticket').rest();
  // RFC 8446 §4.6.1: opaque ticket<1..2^16-1>.
  if (ticket.length === 0) throw decodeError('NewSessionTicket: ticket is empty');
  const blockStart = r.position;
  const extensions = readExtensions(r, 'NewSessionTicket');
  // RFC 8446 §4.6.1: Extension extensions<0..2^16-2>.
  if (r.position - blockStart - 2 > 0xfffe) throw decodeError('NewSessionTicket: extensions block is 65535 bytes');
  r.expectEnd();
  // RFC 8446 §4.6.1: "Servers MUST NOT use any value greater than 604800 seconds (7 days)."
  if (lifetime > MAX_TICKET_LIFETIME) {
    throw illegalParameter(`NewSessionTicket: ticket_lifetime ${lifetime} exceeds ${MAX_TICKET_LIFETIME} seconds`);
  }
  return { lifetime, ageAdd, nonce, ticket, extensions };
}

/**
 * Encodes a TLS 1.3 NewSessionTicket body (without the handshake header).
 *
 * @throws {InvalidArgumentError} `INVALID_ARGUMENT` when lifetime exceeds 604800, the ticket is empty, a number is
 *   out of range, or an extension type repeats.
 * @throws {InvalidArgumentError} `LENGTH_OVERFLOW` when the nonce exceeds 255 bytes or the ticket 65535.
 */
export function encodeNewSessionTicket13(m: NewSessionTicket13): Uint8Array {
  if (m.lifetime > MAX_TICKET_LIFETIME) {
    throw invalidArgument('lifetime', `at most ${MAX_TICKET_LIFETIME} seconds (RFC 8446 §4.6.1), got ${m.lifetime}`);
  }
  checkMinLength(m.ticket, 1, 'ticket');
  const w = new ByteWriter(16 + m.nonce.length + m.ticket.length);
  w.u32(m.lifetime, 'ticket_lifetime');
  w.u32(m.ageAdd, 'ticket_age_add');
  w.vector8((v) => v.bytes(m.nonce, 'ticket_nonce'), 'ticket_nonce');
  w.vector16((v) => v.bytes(m.ticket, 'ticket'), 'ticket');
  writeExtensions(w, m.extensions);
  return w.finish();
}
