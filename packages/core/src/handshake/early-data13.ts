/**
 * TLS 1.3 0-RTT (RFC 8446 §2.3, §4.2.10, §4.5): the steps both handshakes take for early data.
 *
 * Client: after the first ClientHello (which carries early_data and a PSK), the client_early_traffic_secret protects
 * the application's early data; the server's EncryptedExtensions says whether it was accepted; if so, the client
 * sends EndOfEarlyData under the early keys after the server's Finished, then switches to its handshake keys.
 *
 * Server: it accepts only when everything RFC 8446 §4.2.10 and §8 ask holds (see {@link EarlyDataCandidate});
 * otherwise it rejects by skipping the client's 0-RTT records (a 1-RTT answer: records that fail to decrypt; a
 * HelloRetryRequest: application_data records until the second ClientHello), up to a bounded allowance.
 */
import { ProtocolError, TLSVersion } from '@tlsbio/errors';
import type { TLSContext } from '../context.js';
import type { KeySchedule13 } from '../keyschedule/index.js';
import { ExtensionType, HandshakeType, decodeEndOfEarlyData, decodePreSharedKeyClient, encodeEndOfEarlyData, findExtension, type ClientHello } from '../msgs/index.js';
import type { HandshakeMessage } from '../record/index.js';
import type { TLSSession } from '../session/session.js';
import type { CipherSuite } from '../suites.js';
import { expectType } from './common13.js';
import type { ServerPsk } from './psk13.js';
import type { EarlyDataPlan, HandshakeIO, HandshakeState } from './state.js';

/** What a client's 0-RTT data is sent under: the session's suite and ALPN protocol, and its size allowance. */
export interface EarlyDataOffer {
  readonly suite: CipherSuite;
  readonly alpn: string | undefined;
  readonly limit: number;
}

/**
 * Client: the 0-RTT a session allows (RFC 8446 §4.2.10), or `undefined`: a TLS 1.3 ticket with max_early_data_size,
 * whose cipher suite the context still offers (the early keys use it) and whose ALPN protocol, if any, it still
 * offers (a server accepts early data only under the session's protocol).
 */
export function earlyDataOffer(context: TLSContext, session: TLSSession): EarlyDataOffer | undefined {
  if (session.version !== TLSVersion.TLSv1_3 || session.maxEarlyData === 0) return undefined;
  const suite = context.cipherSuites.find((ours) => ours.id === session.cipherSuite);
  if (suite === undefined) return undefined;
  if (session.alpn !== undefined && !context.alpnProtocols.includes(session.alpn)) return undefined;
  return { suite, alpn: session.alpn, limit: session.maxEarlyData };
}

/**
 * Client: derives the 0-RTT secrets over the first ClientHello, logs them, sends the middlebox-compatibility
 * change_cipher_spec where RFC 8446 §D.4 puts it when early data follows (right after the ClientHello), and protects
 * what follows with the client_early_traffic_secret.
 */
export function startClientEarlyData(io: HandshakeIO, schedule: KeySchedule13, offer: EarlyDataOffer, clientRandom: Uint8Array, clientHelloHash: Uint8Array): void {
  const secret = schedule.clientEarlyTrafficSecret(clientHelloHash);
  const exporterSecret = schedule.earlyExporterMasterSecret(clientHelloHash);
  io.logSecret('CLIENT_EARLY_TRAFFIC_SECRET', clientRandom, secret);
  io.logSecret('EARLY_EXPORTER_SECRET', clientRandom, exporterSecret);
  if (io.context.middleboxCompatibility) io.sendChangeCipherSpec();
  io.startEarlyData(offer.suite, secret, exporterSecret, offer.limit);
}

/** Client, after the server's Finished when it accepted 0-RTT: EndOfEarlyData under the early keys (RFC 8446 §4.5). */
export function sendEndOfEarlyData(io: HandshakeIO): void {
  io.sendHandshake(HandshakeType.end_of_early_data, encodeEndOfEarlyData());
}

/** Server: rejected 0-RTT bytes skipped before giving up (see `TLSLimits.maxSkippedEarlyData`). */
export function skippedEarlyDataAllowance(context: TLSContext): number {
  return Math.max(context.limits.maxSkippedEarlyData, context.maxEarlyData);
}

/** Server: the plan for a ClientHello answered with a HelloRetryRequest (RFC 8446 §4.2.10: 0-RTT is rejected). */
export function helloRetryEarlyDataPlan(context: TLSContext, offered: boolean): EarlyDataPlan {
  return offered ? { action: 'skip-application-data', limit: skippedEarlyDataAllowance(context) } : { action: 'none' };
}

/**
 * What a server knows about the PSK a ClientHello with early_data resumes, to decide on 0-RTT (RFC 8446 §4.2.10).
 */
export interface EarlyDataCandidate {
  /** The index of the identity the server selected: 0-RTT needs the first (RFC 8446 §4.2.10). */
  readonly selectedIdentity: number;
  /** The ticket's max_early_data_size as we issued it (0: the ticket allows no 0-RTT). */
  readonly ticketMaxEarlyData: number;
  /** The suite and ALPN protocol of the connection that made the ticket, and of this one. */
  readonly ticketSuite: number;
  readonly suite: CipherSuite;
  readonly ticketAlpn: string | undefined;
  readonly alpn: string | undefined;
  /** The selected identity's binder, recorded by the anti-replay register. */
  readonly binder: Uint8Array;
  /** When the ClientHello should have arrived: ticket issue time + the client's ticket age, in ms (RFC 8446 §8.3). */
  readonly expectedArrivalMs: number;
}

/**
 * Server: the facts of a resumption that decide 0-RTT, from the ClientHello and the PSK selected in it
 * (RFC 8446 §4.2.11): the identity's binder and, from its obfuscated age, when the ClientHello should have arrived.
 */
export function earlyDataCandidate(hello: ClientHello, psk: ServerPsk, suite: CipherSuite, alpn: string | undefined): EarlyDataCandidate | undefined {
  const data = findExtension(hello.extensions, ExtensionType.pre_shared_key);
  if (data === undefined) return undefined;
  const offered = decodePreSharedKeyClient(data);
  const identity = offered.identities[psk.index]!;
  const { state } = psk;
  // RFC 8446 §4.2.11.1: the client's view of the ticket age is the obfuscated age less ticket_age_add, mod 2^32.
  const clientAge = (identity.obfuscatedTicketAge - state.ticketAgeAdd + 0x1_0000_0000) % 0x1_0000_0000;
  return {
    selectedIdentity: psk.index,
    ticketMaxEarlyData: state.maxEarlyData,
    ticketSuite: state.cipherSuite,
    suite,
    ticketAlpn: state.alpn,
    alpn,
    binder: offered.binders[psk.index]!,
    expectedArrivalMs: state.createdAt + clientAge,
  };
}

/**
 * Server: whether to accept the 0-RTT data of a ClientHello that offered it, answered without a HelloRetryRequest.
 * Accepts only when the context enables 0-RTT, the PSK is the first identity, its ticket allowed early data (and no
 * more than the context allows now: a server whose allowance was lowered since, as OpenSSL does, rejects rather than
 * fail on data the ticket allowed), the suite and ALPN protocol are those of the ticket's connection
 * (RFC 8446 §4.2.10), and the anti-replay register finds the ClientHello fresh and new (RFC 8446 §8). The checks that
 * cost nothing go first, so that a ClientHello failing them is not recorded.
 */
export function acceptsEarlyData(context: TLSContext, candidate: EarlyDataCandidate | undefined): boolean {
  if (candidate === undefined || context.maxEarlyData === 0) return false;
  if (candidate.selectedIdentity !== 0 || candidate.ticketMaxEarlyData === 0 || candidate.ticketMaxEarlyData > context.maxEarlyData) return false;
  if (candidate.ticketSuite !== candidate.suite.id || candidate.ticketAlpn !== candidate.alpn) return false;
  return context.earlyDataAntiReplay.check(candidate.binder, candidate.expectedArrivalMs, context.now().getTime()) === 'fresh';
}

/**
 * Server: the plan for the final ClientHello. With `accepted`, 0-RTT records are read under the
 * client_early_traffic_secret (derived here over the ClientHello, which must be the transcript so far, and logged).
 */
export function serverEarlyDataPlan(
  io: HandshakeIO,
  offered: boolean,
  accepted: { readonly schedule: KeySchedule13; readonly suite: CipherSuite; readonly clientRandom: Uint8Array; readonly limit: number } | undefined,
): EarlyDataPlan {
  if (!offered) return { action: 'none' };
  if (accepted === undefined) return { action: 'skip-undecryptable', limit: skippedEarlyDataAllowance(io.context) };
  const clientHelloHash = io.transcript.current();
  const secret = accepted.schedule.clientEarlyTrafficSecret(clientHelloHash);
  const exporterSecret = accepted.schedule.earlyExporterMasterSecret(clientHelloHash);
  io.logSecret('CLIENT_EARLY_TRAFFIC_SECRET', accepted.clientRandom, secret);
  io.logSecret('EARLY_EXPORTER_SECRET', accepted.clientRandom, exporterSecret);
  return { action: 'accept', suite: accepted.suite, secret, exporterSecret, limit: accepted.limit };
}

/**
 * Server, after accepting 0-RTT: the client's early data (read by the connection) ends with EndOfEarlyData under the
 * early keys (RFC 8446 §4.5); then its handshake keys protect the rest of its flight.
 */
export class ExpectEndOfEarlyData implements HandshakeState {
  readonly name = 'ExpectEndOfEarlyData';
  constructor(
    private readonly io: HandshakeIO,
    private readonly suite: CipherSuite,
    private readonly clientHandshakeSecret: Uint8Array,
    private readonly next: () => HandshakeState,
  ) {}

  handle(message: HandshakeMessage): HandshakeState {
    expectType(message, this.name, HandshakeType.end_of_early_data);
    decodeEndOfEarlyData(message.body);
    this.io.transcript.add(message.raw);
    this.io.setReadSecret(this.suite, this.clientHandshakeSecret);
    return this.next();
  }
}

/**
 * Client: the checks on a server that accepted our early data (RFC 8446 §4.2.10): the first identity, and the suite
 * and ALPN protocol our early data was sent under.
 * @throws {ProtocolError} `ILLEGAL_PARAMETER` otherwise.
 */
export function checkEarlyDataAccepted(
  selectedIdentity: number,
  suite: CipherSuite,
  sessionSuite: number,
  alpn: string | undefined,
  sessionAlpn: string | undefined,
): void {
  if (selectedIdentity !== 0) throw new ProtocolError('ILLEGAL_PARAMETER', 'the server accepted early data for a PSK other than the first (RFC 8446 §4.2.10)');
  if (suite.id !== sessionSuite) throw new ProtocolError('ILLEGAL_PARAMETER', "the server accepted early data under another cipher suite than the session's");
  if (alpn !== sessionAlpn) throw new ProtocolError('ILLEGAL_PARAMETER', "the server accepted early data with another ALPN protocol than the session's");
}
