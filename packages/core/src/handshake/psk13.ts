/**
 * TLS 1.3 resumption with a ticket's PSK (RFC 8446 §2.2, §4.2.11, §4.6.1), psk_dhe_ke only: both roles' steps.
 *
 * Client: offer the session's ticket as the one PSK identity, last extension of the ClientHello, with its obfuscated
 * age and a binder over the ClientHello truncated before the binders (§4.2.11.2), recomputed after a
 * HelloRetryRequest. Server: open the first identity it can use, check it (suite hash, lifetime, age, context,
 * server name) and verify its binder, or go on with a full handshake.
 */
import { ProtocolError, TLSVersion } from '@tlsbio/errors';
import type { TLSContext } from '../context.js';
import type { HashAlgorithm } from '../crypto/provider.js';
import { equalBytes } from '../crypto/bytes.js';
import { KeySchedule13, finishedVerifyData } from '../keyschedule/index.js';
import {
  ExtensionType,
  HandshakeType,
  PskKeyExchangeMode,
  decodePreSharedKeyClient,
  decodePskKeyExchangeModes,
  encodeClientHello,
  encodeHandshake,
  encodePreSharedKeyClient,
  findExtension,
  pskBindersLength,
  type ClientHello,
  type Extension,
} from '../msgs/index.js';
import type { HandshakeMessage } from '../record/index.js';
import type { TLSSession } from '../session/session.js';
import { decodeTicketState, sessionExpired, type SessionState } from '../session/ticket-state.js';
import { suiteById, type CipherSuite } from '../suites.js';
import type { HandshakeIO } from './state.js';

/** Most identities a server tries to open: each costs an AEAD open. */
const MAX_IDENTITIES_TRIED = 4;

/** What a client offers to resume: the session and its key schedule, at the early stage, with the PSK in. */
export interface ClientPsk {
  readonly session: TLSSession;
  readonly hash: HashAlgorithm;
  readonly schedule: KeySchedule13;
}

/**
 * The PSK a client offers from `io.session`, or `undefined` when it cannot: not a TLS 1.3 session, expired by the
 * context's clock, TLS 1.3 out of range, or no suite of ours with its hash (RFC 8446 §4.2.11).
 */
export function clientPsk(io: HandshakeIO): ClientPsk | undefined {
  const { session, context } = io;
  if (session === undefined || session.version !== TLSVersion.TLSv1_3 || context.maximumVersion < TLSVersion.TLSv1_3) return undefined;
  if (session.isExpired(context.now().getTime())) return undefined;
  const suite = suiteById(session.cipherSuite);
  if (suite === undefined || !context.cipherSuites.some((ours) => ours.hash === suite.hash)) return undefined;
  const hash = io.provider.hashes[suite.hash];
  if (hash === undefined) return undefined;
  return { session, hash, schedule: new KeySchedule13(hash, session.state.secret) };
}

/** The pre_shared_key extension with a zero binder, to be bound by {@link bindClientHello} once the hello is whole. */
export function pskPlaceholder(io: HandshakeIO, psk: ClientPsk): Extension {
  const { session } = psk;
  // RFC 8446 §4.2.11.1: the age in ms since the ticket arrived, plus ticket_age_add, modulo 2^32.
  const age = Math.max(0, io.context.now().getTime() - session.createdAt);
  const obfuscatedTicketAge = (age + session.ticketAgeAdd) % 0x1_0000_0000;
  const data = encodePreSharedKeyClient({
    identities: [{ identity: session.rawTicket, obfuscatedTicketAge }],
    binders: [new Uint8Array(psk.hash.outputLength)],
  });
  return { type: ExtensionType.pre_shared_key, data };
}

/**
 * Fills the binder of `hello`'s last extension, pre_shared_key (RFC 8446 §4.2.11.2): HMAC under the binder key's
 * finished key over the transcript so far (empty, or ClientHello1's message_hash and the HelloRetryRequest) and the
 * ClientHello up to its binders list.
 */
export function bindClientHello(io: HandshakeIO, hello: ClientHello, psk: ClientPsk): ClientHello {
  const message = encodeHandshake(HandshakeType.client_hello, encodeClientHello(hello));
  const last = hello.extensions[hello.extensions.length - 1]!;
  const offered = decodePreSharedKeyClient(last.data);
  const truncated = message.subarray(0, message.length - pskBindersLength(offered.binders));
  const binder = binderFor(psk.hash, psk.schedule, io.transcript.currentWith(truncated, psk.hash));
  const data = encodePreSharedKeyClient({ identities: offered.identities, binders: [binder] });
  return { ...hello, extensions: [...hello.extensions.slice(0, -1), { type: ExtensionType.pre_shared_key, data }] };
}

function binderFor(hash: HashAlgorithm, schedule: KeySchedule13, transcriptHash: Uint8Array): Uint8Array {
  const binderKey = schedule.binderKey('resumption');
  const binder = finishedVerifyData(hash, binderKey, transcriptHash);
  binderKey.fill(0);
  return binder;
}

/** What a server resumes: the selected identity's index, its state, the suite and the schedule with the PSK in. */
export interface ServerPsk {
  readonly index: number;
  readonly state: SessionState;
  readonly suite: CipherSuite;
  readonly schedule: KeySchedule13;
}

/** Whether the client takes tickets for psk_dhe_ke resumption (RFC 8446 §4.2.9: psk_key_exchange_modes lists it). */
export function acceptsPskDheKe(hello: ClientHello): boolean {
  const modes = findExtension(hello.extensions, ExtensionType.psk_key_exchange_modes);
  return modes !== undefined && decodePskKeyExchangeModes(modes).includes(PskKeyExchangeMode.psk_dhe_ke);
}

/**
 * The server's choice among the client's PSKs (RFC 8446 §4.2.11), or `undefined` for a full handshake: tickets off,
 * no pre_shared_key, psk_dhe_ke not offered (we never do psk_ke: no forward secrecy), or no identity that opens under
 * our keys and fits — TLS 1.3, a suite with its hash that both sides have (`fixedSuite` after a HelloRetryRequest),
 * within its lifetime, our sessionIdContext and the same server name. The client's ticket age is not compared with
 * ours here: it matters for 0-RTT freshness only (RFC 8446 §8.3, the anti-replay register), as in OpenSSL and Go, so
 * that servers sharing ticket keys resume each other's sessions whatever their clocks say.
 * With `verifyBinder`, the chosen identity's binder is checked.
 * @throws {ProtocolError} `MISSING_PSK_KEX_MODES_EXTENSION` (missing_extension) for pre_shared_key without
 *   psk_key_exchange_modes (§4.2.9); `BINDER_DOES_NOT_VERIFY` (decrypt_error) when the chosen binder is wrong.
 */
export function selectServerPsk(
  io: HandshakeIO,
  message: HandshakeMessage,
  hello: ClientHello,
  serverName: string | undefined,
  chooseSuite: (hashName: string) => CipherSuite | undefined,
  verifyBinder: boolean,
): ServerPsk | undefined {
  const data = findExtension(hello.extensions, ExtensionType.pre_shared_key);
  if (data === undefined) return undefined;
  // RFC 8446 §4.2.9: "A client MUST provide a psk_key_exchange_modes extension if it offers a pre_shared_key".
  if (findExtension(hello.extensions, ExtensionType.psk_key_exchange_modes) === undefined) {
    throw new ProtocolError('MISSING_PSK_KEX_MODES_EXTENSION', 'pre_shared_key without psk_key_exchange_modes (RFC 8446 §4.2.9)');
  }
  const offered = decodePreSharedKeyClient(data);
  const { context } = io;
  if (!context.sessionTickets || !acceptsPskDheKe(hello)) return undefined;
  const now = context.now().getTime();
  for (let index = 0; index < Math.min(offered.identities.length, MAX_IDENTITIES_TRIED); index++) {
    const { identity } = offered.identities[index]!;
    const state = openTicket(context, identity);
    if (state === undefined || !usable(state, context, serverName, now)) continue;
    const original = suiteById(state.cipherSuite);
    const suite = original === undefined ? undefined : chooseSuite(original.hash);
    const hash = suite === undefined ? undefined : io.provider.hashes[suite.hash];
    if (suite === undefined || hash === undefined || hash.outputLength !== state.secret.length) continue;
    const schedule = new KeySchedule13(hash, state.secret);
    if (verifyBinder) {
      // RFC 8446 §4.2.11: validate the binder of the one PSK chosen; if it does not validate, abort (decrypt_error).
      const truncated = message.raw.subarray(0, message.raw.length - pskBindersLength(offered.binders));
      const expected = binderFor(hash, schedule, io.transcript.currentWith(truncated, hash));
      if (!constantTimeEqual(expected, offered.binders[index]!)) {
        throw new ProtocolError('BINDER_DOES_NOT_VERIFY', 'the PSK binder does not verify (RFC 8446 §4.2.11.2)');
      }
    }
    return { index, state, suite, schedule };
  }
  return undefined;
}

function openTicket(context: TLSContext, identity: Uint8Array): SessionState | undefined {
  const plaintext = context.ticketKeys.open(identity);
  return plaintext === undefined ? undefined : decodeTicketState(plaintext);
}

function usable(state: SessionState, context: TLSContext, serverName: string | undefined, now: number): boolean {
  if (state.version !== TLSVersion.TLSv1_3 || sessionExpired(state, now)) return false;
  // A ticket of another configuration (or another server name: maybe another certificate) is not resumed.
  return equalBytes(state.sessionIdContext, context.sessionIdContextBytes) && state.serverName === serverName;
}

/** Binders are MACs: compared without an early exit. */
function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}
