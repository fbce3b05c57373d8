import { ByteReader } from '../codec/reader.js';
import { ByteWriter } from '../codec/writer.js';

/**
 * TLS 1.2 NewSessionTicket (RFC 5077 §3.3), handshake type 4 like TLS 1.3's but another body: see
 * `new-session-ticket.ts` for that one.
 */
export interface NewSessionTicket12 {
  /** Seconds the client may keep the ticket; 0 = unspecified (RFC 5077 §3.3). A hint, not a promise. */
  lifetimeHint: number;
  /** Opaque to the client, 0..65535 bytes; empty when the server changed its mind about issuing one (RFC 5077 §3.3). */
  ticket: Uint8Array;
}

/**
 * Decodes a TLS 1.2 NewSessionTicket body (without the handshake header): `uint32 ticket_lifetime_hint; opaque
 * ticket<0..2^16-1>`. `ticket` is a view of the body.
 *
 * @throws {ProtocolError} `DECODE_ERROR` when the body is truncated or bytes trail it.
 * @example
 * const { lifetimeHint, ticket } = decodeNewSessionTicket12(message.body);
 */
export function decodeNewSessionTicket12(body: Uint8Array): NewSessionTicket12 {
  const r = new ByteReader(body, 'NewSessionTicket');
  const lifetimeHint = r.u32('ticket_lifetime_hint');
  const ticket = r.vector16('ticket').rest();
  r.expectEnd();
  return { lifetimeHint, ticket };
}

/**
 * Encodes a TLS 1.2 NewSessionTicket body (without the handshake header).
 *
 * @throws {InvalidArgumentError} `INVALID_ARGUMENT` when lifetimeHint is not a uint32.
 * @throws {InvalidArgumentError} `LENGTH_OVERFLOW` when the ticket exceeds 65535 bytes.
 * @example
 * io.sendHandshake(HandshakeType.new_session_ticket, encodeNewSessionTicket12({ lifetimeHint: 7200, ticket }));
 */
export function encodeNewSessionTicket12(m: NewSessionTicket12): Uint8Array {
  const w = new ByteWriter(6 + m.ticket.length);
  w.u32(m.lifetimeHint, 'ticket_lifetime_hint');
  w.vector16((v) => v.bytes(m.ticket, 'ticket'), 'ticket');
  return w.finish();
}
