/**
 * TLS 1.3 tickets (RFC 8446 §4.6.1): the server's NewSessionTickets, and the client's session from one.
 */
import { TLSVersion } from '@tlsbio/errors';
import type { TLSContext } from '../context.js';
import type { HandshakeResult } from '../handshake/state.js';
import { resumptionPsk } from '../keyschedule/index.js';
import { ExtensionType, decodeEarlyDataIndication, encodeEarlyDataIndication, findExtension, type NewSessionTicket13 } from '../msgs/index.js';
import { encodeTicketState } from './ticket-state.js';
import { TLSSession } from './session.js';

/**
 * The session a client keeps from one NewSessionTicket, or `undefined` for a ticket of lifetime 0, which RFC 8446
 * §4.6.1 says to discard at once. Unknown NewSessionTicket extensions are ignored (RFC 8446 §4.6.1).
 * @throws {ProtocolError} `DECODE_ERROR` for an early_data extension that is not 4 bytes (RFC 8446 §4.2.10).
 */
export function sessionFromTicket13(
  context: TLSContext,
  result: Pick<HandshakeResult, 'suite' | 'alpn' | 'peerVerified' | 'resumptionMasterSecret'>,
  serverHostname: string | undefined,
  peerChain: readonly Uint8Array[],
  ticket: NewSessionTicket13,
): TLSSession | undefined {
  const earlyData = findExtension(ticket.extensions, ExtensionType.early_data);
  const maxEarlyData = earlyData === undefined ? 0 : decodeEarlyDataIndication(earlyData, true)!;
  if (ticket.lifetime === 0) return undefined;
  const hash = context.provider.hashes[result.suite.hash]!;
  return new TLSSession(ticket.ticket.slice(), {
    version: TLSVersion.TLSv1_3,
    cipherSuite: result.suite.id,
    secret: resumptionPsk(hash, result.resumptionMasterSecret!, ticket.nonce),
    createdAt: context.now().getTime(),
    lifetime: ticket.lifetime,
    ticketAgeAdd: ticket.ageAdd,
    sessionIdContext: context.sessionIdContextBytes,
    alpn: result.alpn,
    serverName: serverHostname,
    peerCertificates: peerChain,
    peerVerified: result.peerVerified,
    maxEarlyData,
    extendedMasterSecret: false,
  });
}

/**
 * The max_early_data_size a new ticket announces (RFC 8446 §4.6.1, §4.2.10): the context's `maxEarlyData`. 0 means
 * no early_data extension in the NewSessionTicket and no early data with its session.
 */
export function ticketMaxEarlyData(context: TLSContext): number {
  return context.maxEarlyData;
}

/**
 * The NewSessionTicket bodies a TLS 1.3 server sends once the client's Finished has arrived (RFC 8446 §4.6.1): each
 * with its own nonce (a counter: unique within the connection, which is all the PSK derivation needs), a random
 * ticket_age_add, the context's lifetime, and a ticket sealing the session state under the context's ticket keys.
 * None when tickets are off or the client cannot use them (no psk_dhe_ke, RFC 8446 §4.2.9); one after a resumption.
 */
export function newSessionTickets13(
  context: TLSContext,
  result: Pick<HandshakeResult, 'suite' | 'alpn' | 'serverName' | 'peerVerified' | 'resumptionMasterSecret' | 'peerAcceptsTickets' | 'resumedPeerChain'>,
  peerChain: readonly Uint8Array[],
): NewSessionTicket13[] {
  if (!context.sessionTickets || result.peerAcceptsTickets !== true || result.resumptionMasterSecret === undefined) return [];
  const count = result.resumedPeerChain !== undefined ? Math.min(1, context.ticketsPerHandshake) : context.ticketsPerHandshake;
  const hash = context.provider.hashes[result.suite.hash]!;
  const maxEarlyData = ticketMaxEarlyData(context);
  const tickets: NewSessionTicket13[] = [];
  for (let i = 0; i < count; i++) {
    const nonce = new Uint8Array([i >> 8, i & 0xff]);
    const ageAdd = new DataView(context.provider.randomBytes(4).buffer).getUint32(0);
    const ticket = context.ticketKeys.seal(
      encodeTicketState({
        version: TLSVersion.TLSv1_3,
        cipherSuite: result.suite.id,
        secret: resumptionPsk(hash, result.resumptionMasterSecret, nonce),
        createdAt: context.now().getTime(),
        lifetime: context.ticketLifetime,
        ticketAgeAdd: ageAdd,
        sessionIdContext: context.sessionIdContextBytes,
        alpn: result.alpn,
        serverName: result.serverName,
        peerCertificates: peerChain,
        peerVerified: result.peerVerified,
        maxEarlyData,
        extendedMasterSecret: false,
      }),
    );
    // A ticket outside ticket<1..2^16-1> (a client chain too long, an application sealer's empty answer): no tickets.
    if (ticket.length === 0 || ticket.length > 0xffff) return [];
    const extensions = maxEarlyData > 0 ? [{ type: ExtensionType.early_data, data: encodeEarlyDataIndication(maxEarlyData) }] : [];
    tickets.push({ lifetime: context.ticketLifetime, ageAdd, nonce, ticket, extensions });
  }
  return tickets;
}
