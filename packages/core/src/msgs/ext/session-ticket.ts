import { invalidArgument } from '../errors.js';

/**
 * Encodes a session_ticket extension body (RFC 5077 §3.2): the ticket itself, with no length prefix of its own (the
 * extension's length is the ticket's). Empty in a ClientHello that asks for a ticket, and in every ServerHello.
 *
 * @throws {InvalidArgumentError} `INVALID_ARGUMENT` when the ticket exceeds 65535 bytes (an extension cannot carry it).
 * @example
 * const data = encodeSessionTicket(session.ticket); // or encodeSessionTicket() to ask for one
 */
export function encodeSessionTicket(ticket: Uint8Array = new Uint8Array(0)): Uint8Array {
  if (ticket.length > 0xffff) throw invalidArgument('ticket', `at most 65535 bytes, got ${ticket.length}`);
  return ticket.slice();
}

/**
 * Decodes a session_ticket extension body (RFC 5077 §3.2): the ticket, a view of `data`, possibly empty. Any
 * content parses; whether it opens is the server's business (a ticket that does not is a full handshake, §3.4).
 *
 * @example
 * const ticket = decodeSessionTicket(findExtension(hello.extensions, ExtensionType.session_ticket)!);
 */
export function decodeSessionTicket(data: Uint8Array): Uint8Array {
  return data;
}
