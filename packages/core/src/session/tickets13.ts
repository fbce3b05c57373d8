/**
 * TLS 1.3 tickets (RFC 8446 §4.6.1): the client's session from a NewSessionTicket.
 */
import { TLSVersion } from '@tlsbio/errors';
import type { TLSContext } from '../context.js';
import type { HandshakeResult } from '../handshake/state.js';
import { resumptionPsk } from '../keyschedule/index.js';
import { ExtensionType, decodeEarlyDataIndication, findExtension, type NewSessionTicket13 } from '../msgs/index.js';
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
