/**
 * `TLSSession`: what a client keeps to resume a session later (RFC 8446 §2.2, §4.6.1; RFC 5077 for TLS 1.2), as
 * Python's `SSLSession` or Node's `session` Buffer: the ticket the server gave, the secret to resume from, and the
 * facts of the session it continues (suite, ALPN, the server's chain).
 */
import { InvalidArgumentError, TLSVersion, tlsVersionName } from '@tlsbio/errors';
import { ByteReader } from '../codec/reader.js';
import { ByteWriter } from '../codec/writer.js';
import { readSessionState, sessionExpired, writeSessionState, type SessionState } from './ticket-state.js';

/** "TLSS" and a format version: a later layout gets another version, and {@link TLSSession.fromBytes} refuses it. */
const MAGIC = [0x54, 0x4c, 0x53, 0x53];
const FORMAT = 1;

/**
 * A resumable session, immutable. A client gets one from `connection.session` (or the context's session callback)
 * and passes it to `context.wrapBio(…, { session })` to resume. It is bound to the context that made it (its
 * `sessionIdContext`) and to the server name it was made for: `wrapBio` refuses it elsewhere.
 *
 * It holds the session's secret: whoever has it (or {@link toBytes}'s output) can resume the session as this
 * client, and with TLS 1.2 decrypt the sessions it resumes. Store it as you would a private key.
 *
 * @example
 * const first = context.wrapBio(inA, outA, { serverHostname: 'example.com' });
 * // … handshake, then read until a ticket arrived (TLS 1.3 tickets come after the handshake) …
 * const saved = first.session!.toBytes();
 * const again = context.wrapBio(inB, outB, { serverHostname: 'example.com', session: TLSSession.fromBytes(saved) });
 * // … after the handshake: again.sessionReused === true
 */
export class TLSSession {
  /** `TLSVersion.TLSv1_3` (0x0304) or `TLSVersion.TLSv1_2` (0x0303). */
  readonly version: number;
  /** The cipher suite's IANA id. */
  readonly cipherSuite: number;
  /** The `serverHostname` the session was made with. */
  readonly serverName: string | undefined;
  /** The ALPN protocol the session agreed on. */
  readonly alpn: string | undefined;
  /** When the session was received, in ms by the clock of the context that made it. */
  readonly createdAt: number;
  /** Seconds the server lets the session be resumed, from {@link createdAt}. */
  readonly lifetime: number;
  /** Whether the server's chain was verified when the session was made. */
  readonly peerVerified: boolean;
  /** TLS 1.3: the most early data the server accepts with this ticket (0: none). */
  readonly maxEarlyData: number;
  /** TLS 1.3: ticket_age_add (RFC 8446 §4.6.1), which obfuscates the age the client reports. 0 in TLS 1.2. */
  readonly ticketAgeAdd: number;
  /** TLS 1.2: the master secret is an extended one (RFC 7627); always true, we refuse other sessions. */
  readonly extendedMasterSecret: boolean;
  readonly #ticket: Uint8Array;
  readonly #state: SessionState;

  /** @internal Sessions come from connections and {@link fromBytes}. */
  constructor(ticket: Uint8Array, state: SessionState) {
    this.#ticket = ticket;
    this.#state = state;
    this.version = state.version;
    this.cipherSuite = state.cipherSuite;
    this.serverName = state.serverName;
    this.alpn = state.alpn;
    this.createdAt = state.createdAt;
    this.lifetime = state.lifetime;
    this.peerVerified = state.peerVerified;
    this.maxEarlyData = state.maxEarlyData;
    this.ticketAgeAdd = state.ticketAgeAdd;
    this.extendedMasterSecret = state.extendedMasterSecret;
    Object.freeze(this);
  }

  /** The ticket as the server sent it (a copy): opaque to the client. */
  get ticket(): Uint8Array {
    return this.#ticket.slice();
  }
  /** TLS 1.3: the PSK the ticket stands for (a copy), else `undefined`. Secret. */
  get psk(): Uint8Array | undefined {
    return this.version === TLSVersion.TLSv1_3 ? this.#state.secret.slice() : undefined;
  }
  /** TLS 1.2: the session's master secret (a copy), else `undefined`. Secret. */
  get masterSecret(): Uint8Array | undefined {
    return this.version === TLSVersion.TLSv1_2 ? this.#state.secret.slice() : undefined;
  }
  /** The server's chain as it sent it, leaf first (DER copies); empty when it sent none. */
  get peerCertificates(): Uint8Array[] {
    return this.#state.peerCertificates.map((der) => der.slice());
  }
  /** The sessionIdContext of the context that made the session (a copy). */
  get sessionIdContext(): Uint8Array {
    return this.#state.sessionIdContext.slice();
  }
  /** `'TLSv1.3'` or `'TLSv1.2'`. */
  get versionName(): string {
    return tlsVersionName(this.version);
  }

  /** @internal The state without copies, for the handshake. */
  get state(): SessionState {
    return this.#state;
  }
  /** @internal The ticket without a copy, for the handshake. */
  get rawTicket(): Uint8Array {
    return this.#ticket;
  }

  /**
   * Whether the session has outlived its lifetime at `now` (ms; by default the system clock — pass the context's,
   * `context.now().getTime()`, when it has its own). An expired session is not offered: `wrapBio` accepts it and
   * the handshake is a full one.
   */
  isExpired(now: number = Date.now()): boolean {
    return sessionExpired(this.#state, now);
  }

  /**
   * The session as bytes, for {@link fromBytes} in this or another process. They hold the session's secret.
   * @example
   * writeFileSync('session.bin', connection.session!.toBytes(), { mode: 0o600 });
   */
  toBytes(): Uint8Array {
    const w = new ByteWriter(256 + this.#ticket.length + this.#state.peerCertificates.reduce((n, der) => n + der.length + 3, 0));
    for (const byte of MAGIC) w.u8(byte);
    w.u8(FORMAT, 'format');
    w.vector16((v) => v.bytes(this.#ticket, 'ticket'), 'ticket');
    writeSessionState(w, this.#state);
    return w.finish();
  }

  /**
   * A session from {@link toBytes}'s output.
   * @throws {InvalidArgumentError} `BAD_SESSION` for bytes that are not a session this version reads (truncated,
   *   altered, another format); `INVALID_ARGUMENT` for a non-Uint8Array.
   * @example
   * const session = TLSSession.fromBytes(readFileSync('session.bin'));
   */
  static fromBytes(bytes: Uint8Array): TLSSession {
    if (!(bytes instanceof Uint8Array)) throw new InvalidArgumentError('bytes', 'INVALID_ARGUMENT', 'must be a Uint8Array');
    try {
      const r = new ByteReader(bytes, 'session');
      for (const byte of MAGIC) if (r.u8('magic') !== byte) throw new Error('not a serialised TLSSession');
      const format = r.u8('format');
      if (format !== FORMAT) throw new Error(`format ${format}, this version reads ${FORMAT}`);
      const ticket = r.vector16('ticket').rest().slice();
      if (ticket.length === 0) throw new Error('empty ticket');
      const state = readSessionState(r);
      r.expectEnd();
      return new TLSSession(ticket, state);
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      throw new InvalidArgumentError('bytes', 'BAD_SESSION', `not a serialised TLSSession: ${why}`, { cause: error });
    }
  }
}
