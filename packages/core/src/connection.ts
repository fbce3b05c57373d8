/**
 * `TLSConnection`: one TLS 1.3 endpoint over a BIO pair, shaped like Python's `ssl.SSLObject` (DESIGN.md §3).
 *
 * Theory of operation. The connection never blocks and never does I/O: every public call first drains queued
 * output into the outgoing BIO, then consumes incoming records one at a time until it can answer. A call that needs
 * bytes the peer has not sent throws `WantReadError`; one whose output does not fit a bounded outgoing BIO throws
 * `WantWriteError` (the output stays queued, in order, for the next call).
 *
 * Records pass through three layers: the deframer (bytes to records), the opener in force (protection removed), and
 * then by content type to the alert handler, the handshake reassembler and state machine, or the plaintext queue.
 * A TLS 1.3 server keeps accepted 0-RTT data in a queue of its own (`readEarlyData()`), and drops the 0-RTT records
 * of a client whose early data it rejected, within a bounded allowance (RFC 8446 §4.2.10); a client seals its early
 * data under the early keys between its ClientHello and the server's answer.
 * Records are read lazily: `read()` stops pulling them once `maxBufferedPlaintext` bytes wait for the application, so
 * a peer cannot make us buffer without bound.
 *
 * Failures. The first fatal error is stored and thrown by every later call (Go's `halfConn.err`); the alert it
 * produced is queued first, so the caller can still drain it from the outgoing BIO and send it.
 */
import {
  AlertDescription,
  AlertError,
  EOFError,
  InvalidArgumentError,
  ProtocolError,
  TLSVersion,
  WantReadError,
  WantWriteError,
  WantX509LookupError,
  ZeroReturnError,
  isTLSError,
  tlsVersionName,
  type TLSError,
} from '@tlsbio/errors';
import type { MemoryBIO } from './bio/memory-bio.js';
import type { TLSContext } from './context.js';
import { startClient } from './handshake/client13.js';
import { startServer } from './handshake/server13.js';
import { answerPostHandshakeRequest, requestPostHandshakeAuth } from './handshake/post-handshake-auth13.js';
import type { EarlyDataPlan, HandshakeIO, HandshakeResult, HandshakeState } from './handshake/state.js';
import { Transcript, exportKeyingMaterial12, exportKeyingMaterial13, nextTrafficSecret, trafficKeys } from './keyschedule/index.js';
import { ContentType, HandshakeType, decodeKeyUpdate, decodeNewSessionTicket13, encodeHandshake, encodeKeyUpdate, encodeNewSessionTicket13, type NewSessionTicket13 } from './msgs/index.js';
import {
  AlertLevel,
  HandshakeReassembler,
  MAX_PLAINTEXT_LENGTH,
  MAX_TLS12_CIPHERTEXT_LENGTH,
  MAX_TLS13_CIPHERTEXT_LENGTH,
  GCM_HARD_RECORD_LIMIT,
  MAX_SEQUENCE,
  PlaintextOpener,
  PlaintextSealer,
  RecordDeframer,
  Tls12AeadOpener,
  Tls12AeadSealer,
  Tls13Opener,
  Tls13Sealer,
  decodeAlert,
  encodeAlert,
  sealRecords,
  type HandshakeMessage,
  type RawRecord,
  type RecordOpener,
  type RecordSealer,
} from './record/index.js';
import type { TLSSession } from './session/session.js';
import { newSessionTickets13, sessionFromTicket13 } from './session/tickets13.js';
import type { CipherSuite } from './suites.js';
import { certificateToDict, parseCertificate, type Certificate, type PeerCertificateDict } from './x509/index.js';
import { toHex } from './x509/names.js';

const CHANGE_CIPHER_SPEC = new Uint8Array([0x14, 0x03, 0x03, 0x00, 0x01, 0x01]);

/** Options of {@link createConnection}. @internal */
export interface ConnectionOptions {
  readonly serverHostname: string | undefined;
  readonly appData: unknown;
  readonly session?: TLSSession | undefined;
}

/** Creates a connection; applications use `context.wrapBio()`. @internal */
export function createConnection(context: TLSContext, incoming: MemoryBIO, outgoing: MemoryBIO, options: ConnectionOptions): TLSConnection {
  return new TLSConnection(context, incoming, outgoing, options);
}

/**
 * What became of 0-RTT data (RFC 8446 §4.2.10): `'not_sent'` (none offered: no session allowing it, or the
 * client did not ask), `'pending'` (a client offered it and the server has not answered yet), `'accepted'`, or
 * `'rejected'` (the server refused it: the data was dropped unread).
 */
export type EarlyDataStatus = 'not_sent' | 'pending' | 'accepted' | 'rejected';

/** A 0-RTT record's AEAD tag and inner content type byte: what a skipped record holds beyond its content. */
const EARLY_RECORD_OVERHEAD = 16 + 1;

const EMPTY = new Uint8Array(0);

/** Python's `SSLObject.cipher()`: `[name, protocol version, secret bits]`. */
export type CipherInfo = readonly [name: string, version: string, bits: number];

/** Client: while our 0-RTT keys are in force, how much early data may still go out. */
interface EarlyWrite {
  readonly limit: number;
  written: number;
}

/** Server: how the client's 0-RTT records are treated now (see EarlyDataPlan). */
interface EarlyRead {
  readonly mode: 'accept' | 'skip-undecryptable' | 'skip-application-data';
  readonly limit: number;
  received: number;
}

/** 0-RTT: the early_exporter_master_secret (RFC 8446 §7.5) and the suite whose hash it is used with. */
interface EarlyExporter {
  readonly suite: CipherSuite;
  readonly secret: Uint8Array;
}

/**
 * What only some connections hold, and most established ones not at all: TLS 1.2's first Finished, a client's
 * TLS 1.3 tickets and sessions (none until it reads them), a server's accepted 0-RTT data not yet read, the early
 * exporter of a 0-RTT connection. Six fields that would otherwise be empty in most connections (48 bytes of each), in
 * one object (see `TLSConnection.#occasional`).
 */
class Occasional {
  firstFinished: Uint8Array | undefined = undefined;
  tickets: NewSessionTicket13[] | undefined = undefined;
  sessions: TLSSession[] | undefined = undefined;
  earlyData: Uint8Array[] | undefined = undefined;
  earlyDataBytes = 0;
  earlyExporter: EarlyExporter | undefined = undefined;

  get empty(): boolean {
    return (
      this.firstFinished === undefined &&
      this.tickets === undefined &&
      this.sessions === undefined &&
      this.earlyData === undefined &&
      this.earlyDataBytes === 0 &&
      this.earlyExporter === undefined
    );
  }
}

/**
 * What a connection holds only while its handshake (or a post-handshake authentication) runs: five fields that an
 * established connection would otherwise carry empty (40 bytes of every connection), in one object (see
 * `TLSConnection.#scratch`).
 */
class HandshakeScratch {
  verifiedChain: readonly Certificate[] | undefined = undefined;
  readSecret: Uint8Array | undefined = undefined;
  writeSecret: Uint8Array | undefined = undefined;
  earlyWrite: EarlyWrite | undefined = undefined;
  earlyRead: EarlyRead | undefined = undefined;

  get empty(): boolean {
    return (
      this.verifiedChain === undefined &&
      this.readSecret === undefined &&
      this.writeSecret === undefined &&
      this.earlyWrite === undefined &&
      this.earlyRead === undefined
    );
  }
}

/** The bits of `TLSConnection.#flags`. */
const Flag = {
  started: 1 << 0,
  peerClosed: 1 << 1,
  closeSent: 1 << 2,
  inCallback: 1 << 3,
  earlyDataRequested: 1 << 4,
  earlyOpen: 1 << 5,
  sessionReused: 1 << 6,
  compatibilityCcsSeen: 1 << 7,
  peerProtected: 1 << 8,
  transcriptStarted: 1 << 9,
} as const;
type Flag = (typeof Flag)[keyof typeof Flag];

/** The channel binding types of {@link TLSConnection.getChannelBinding} (RFC 9266, RFC 5929). */
export type ChannelBindingType = 'tls-exporter' | 'tls-unique';

/** RFC 9266 §2: the tls-exporter binding is 32 bytes exported under this label. */
const CHANNEL_BINDING_LABEL = 'EXPORTER-Channel-Binding';
const CHANNEL_BINDING_LENGTH = 32;

/**
 * One TLS connection over a pair of {@link MemoryBIO}s. Made by {@link TLSContext.wrapBio}.
 *
 * @example
 * const conn = context.wrapBio(incoming, outgoing, { serverHostname: 'example.com' });
 * for (;;) {
 *   try { conn.doHandshake(); break; }
 *   catch (e) { if (!WantReadError.isInstance(e)) throw e; }
 *   await send(outgoing.read()); incoming.write(await receive());
 * }
 */
export class TLSConnection {
  /** The application's own object, reachable from every callback (pyOpenSSL's `set_app_data`). */
  appData: unknown;
  readonly serverSide: boolean;
  readonly serverHostname: string | undefined;

  #context: TLSContext;
  readonly #incoming: MemoryBIO;
  readonly #outgoing: MemoryBIO;
  /**
   * Received bytes being cut into records: made when bytes arrive and dropped once it holds nothing (an idle
   * connection has none; a busy one makes one per transport read), like the reassembler below.
   */
  #deframer: RecordDeframer | undefined;
  /** The deframer's bound: TLS 1.2's until the peer's records are TLS 1.3 (see #limitRecords). */
  #maxRecordFragment = MAX_TLS12_CIPHERTEXT_LENGTH;
  /**
   * Handshake messages being put together from records: made when a handshake record arrives and dropped once it
   * holds nothing, so an established connection has none while idle (see #dispatchHandshakeMessages).
   */
  #reassembler: HandshakeReassembler | undefined;
  /** The reassembler's bound, from the context the connection was made with. */
  readonly #maxHandshakeMessageSize: number;
  /** The running transcript hash, until the handshake (and any post-handshake authentication) no longer needs it. */
  #transcript: Transcript | undefined = new Transcript();
  #opener: RecordOpener = new PlaintextOpener();
  #sealer: RecordSealer = new PlaintextSealer();
  // The queues below are `undefined` while empty (most of an idle connection's life): no empty arrays held.
  /** Records waiting for room in the outgoing BIO, oldest first. */
  #output: Uint8Array[] | undefined;
  /** Handshake messages of the flight being built, sealed into as few records as fit (see #sealFlight). */
  #flight: Uint8Array[] | undefined;
  /** Largest fragment we send: 2^14, or less once the peer's record_size_limit applies (RFC 8449 §4). */
  #sendFragmentLimit = MAX_PLAINTEXT_LENGTH;
  /** Largest content we accept in a protected record: 2^14, or our record_size_limit - 1 once the peer knows it. */
  #receiveFragmentLimit = MAX_PLAINTEXT_LENGTH;
  #state: HandshakeState | undefined;
  /** The negotiated version: TLS 1.3 unless the handshake settled on TLS 1.2. */
  #version: number = TLSVersion.TLSv1_3;
  /** The completed handshake's facts and secrets; the peer's chain is kept apart, as DER (see #completeHandshake). */
  #result: Established | undefined;
  /** The peer's chain as received, leaf first (DER); parsed again only when asked for as a dictionary. */
  #peerChain: readonly Uint8Array[] = NO_CERTIFICATES;
  /** The verified path as DER, once the handshake has completed. */
  #verifiedDer: readonly Uint8Array[] | undefined;
  /** Application data received and not yet read (`#plaintextBytes` bytes). */
  #plaintext: Uint8Array[] | undefined;
  #plaintextBytes = 0;
  #fatal: TLSError | undefined;
  #emptyRecords = 0;
  #warningAlerts = 0;
  #keyUpdates = 0;
  #earlyDataStatus: EarlyDataStatus = 'not_sent';
  /** Client: the session offered to the server (wrapBio's `session`). */
  readonly #offeredSession: TLSSession | undefined;

  /**
   * What only some connections hold (see {@link Occasional}): made by the first assignment of one of its fields and
   * dropped once they are all empty again. Read and set through the accessors below, under the names the fields had.
   */
  #occasional: Occasional | undefined;
  #setOccasional<K extends keyof Occasional>(key: K, value: Occasional[K]): void {
    if (value === undefined || value === 0) {
      const occasional = this.#occasional;
      if (occasional === undefined) return;
      occasional[key] = value;
      if (occasional.empty) this.#occasional = undefined;
      return;
    }
    (this.#occasional ??= new Occasional())[key] = value;
  }
  /** TLS 1.2: verify_data of the handshake's first Finished, for tls-unique. */
  get #firstFinished(): Uint8Array | undefined {
    return this.#occasional?.firstFinished;
  }
  set #firstFinished(verifyData: Uint8Array | undefined) {
    this.#setOccasional('firstFinished', verifyData);
  }
  /** Client, TLS 1.3: the NewSessionTickets received (the first {@link MAX_KEPT_SESSIONS}). */
  get #tickets(): NewSessionTicket13[] | undefined {
    return this.#occasional?.tickets;
  }
  set #tickets(tickets: NewSessionTicket13[] | undefined) {
    this.#setOccasional('tickets', tickets);
  }
  /** Client: sessions received, oldest first, the last {@link MAX_KEPT_SESSIONS}. */
  get #sessions(): TLSSession[] | undefined {
    return this.#occasional?.sessions;
  }
  set #sessions(sessions: TLSSession[] | undefined) {
    this.#setOccasional('sessions', sessions);
  }
  /** Server: accepted early data not yet taken by readEarlyData() (`#earlyDataBytes` bytes). */
  get #earlyData(): Uint8Array[] | undefined {
    return this.#occasional?.earlyData;
  }
  set #earlyData(chunks: Uint8Array[] | undefined) {
    this.#setOccasional('earlyData', chunks);
  }
  get #earlyDataBytes(): number {
    return this.#occasional?.earlyDataBytes ?? 0;
  }
  set #earlyDataBytes(bytes: number) {
    this.#setOccasional('earlyDataBytes', bytes);
  }
  /**
   * 0-RTT: the early exporter, from the client's first flight (client) or the acceptance of its early data (server)
   * to the end of the connection; a client drops (and wipes) it when the server rejects the early data.
   */
  get #earlyExporter(): EarlyExporter | undefined {
    return this.#occasional?.earlyExporter;
  }
  set #earlyExporter(exporter: EarlyExporter | undefined) {
    this.#occasional?.earlyExporter?.secret.fill(0);
    this.#setOccasional('earlyExporter', exporter);
  }

  /**
   * The handshake's passing state (see {@link HandshakeScratch}): made by the first assignment of one of its fields
   * and dropped once they are all empty again, as they are when the handshake has completed. Read and set through
   * the accessors below, under the names the fields had.
   */
  #scratch: HandshakeScratch | undefined;
  #setScratch<K extends keyof HandshakeScratch>(key: K, value: HandshakeScratch[K]): void {
    if (value === undefined) {
      const scratch = this.#scratch;
      if (scratch === undefined) return;
      scratch[key] = value;
      if (scratch.empty) this.#scratch = undefined;
      return;
    }
    (this.#scratch ??= new HandshakeScratch())[key] = value;
  }
  /** The path the handshake (or a post-handshake authentication) verified, until the connection keeps its DER. */
  get #verifiedChain(): readonly Certificate[] | undefined {
    return this.#scratch?.verifiedChain;
  }
  set #verifiedChain(chain: readonly Certificate[] | undefined) {
    this.#setScratch('verifiedChain', chain);
  }
  /** TLS 1.3, during the handshake: the traffic secrets in force (then kept by #result, for KeyUpdate). */
  get #readSecret(): Uint8Array | undefined {
    return this.#scratch?.readSecret;
  }
  set #readSecret(secret: Uint8Array | undefined) {
    this.#setScratch('readSecret', secret);
  }
  get #writeSecret(): Uint8Array | undefined {
    return this.#scratch?.writeSecret;
  }
  set #writeSecret(secret: Uint8Array | undefined) {
    this.#setScratch('writeSecret', secret);
  }
  /** Client: while our 0-RTT keys are in force, how much early data may still go out. */
  get #earlyWrite(): EarlyWrite | undefined {
    return this.#scratch?.earlyWrite;
  }
  set #earlyWrite(early: EarlyWrite | undefined) {
    this.#setScratch('earlyWrite', early);
  }
  /** Server: how the client's 0-RTT records are treated now (see EarlyDataPlan). */
  get #earlyRead(): EarlyRead | undefined {
    return this.#scratch?.earlyRead;
  }
  set #earlyRead(early: EarlyRead | undefined) {
    this.#setScratch('earlyRead', early);
  }

  /**
   * The connection's yes/no facts, one bit each (see {@link Flag}): one field where ten booleans took ten (80 bytes
   * of every connection). Read and set through the accessors below, under the names the fields had.
   */
  #flags: number = Flag.earlyOpen;
  #has(flag: Flag): boolean {
    return (this.#flags & flag) !== 0;
  }
  #set(flag: Flag, on: boolean): void {
    this.#flags = on ? this.#flags | flag : this.#flags & ~flag;
  }
  /** The handshake has begun (our first flight is queued, or the peer's awaited). */
  get #started(): boolean {
    return this.#has(Flag.started);
  }
  set #started(on: boolean) {
    this.#set(Flag.started, on);
  }
  get #peerClosed(): boolean {
    return this.#has(Flag.peerClosed);
  }
  set #peerClosed(on: boolean) {
    this.#set(Flag.peerClosed, on);
  }
  get #closeSent(): boolean {
    return this.#has(Flag.closeSent);
  }
  set #closeSent(on: boolean) {
    this.#set(Flag.closeSent, on);
  }
  get #inCallback(): boolean {
    return this.#has(Flag.inCallback);
  }
  set #inCallback(on: boolean) {
    this.#set(Flag.inCallback, on);
  }
  /** Client: the application called writeEarlyData() before the handshake began. */
  get #earlyDataRequested(): boolean {
    return this.#has(Flag.earlyDataRequested);
  }
  set #earlyDataRequested(on: boolean) {
    this.#set(Flag.earlyDataRequested, on);
  }
  /** Server: whether more early data may still arrive (until the ClientHello is answered without it, or EndOfEarlyData). */
  get #earlyOpen(): boolean {
    return this.#has(Flag.earlyOpen);
  }
  set #earlyOpen(on: boolean) {
    this.#set(Flag.earlyOpen, on);
  }
  get #sessionReused(): boolean {
    return this.#has(Flag.sessionReused);
  }
  set #sessionReused(on: boolean) {
    this.#set(Flag.sessionReused, on);
  }
  /** TLS 1.3: whether the peer's one middlebox-compatibility change_cipher_spec has been dropped. */
  get #compatibilityCcsSeen(): boolean {
    return this.#has(Flag.compatibilityCcsSeen);
  }
  set #compatibilityCcsSeen(on: boolean) {
    this.#set(Flag.compatibilityCcsSeen, on);
  }
  /** Whether the peer has sent a protected record yet. */
  get #peerProtected(): boolean {
    return this.#has(Flag.peerProtected);
  }
  set #peerProtected(on: boolean) {
    this.#set(Flag.peerProtected, on);
  }
  /** Whether a ClientHello has been sent or received. */
  get #transcriptStarted(): boolean {
    return this.#has(Flag.transcriptStarted);
  }
  set #transcriptStarted(on: boolean) {
    this.#set(Flag.transcriptStarted, on);
  }

  /** @internal use {@link TLSContext.wrapBio} */
  constructor(context: TLSContext, incoming: MemoryBIO, outgoing: MemoryBIO, options: ConnectionOptions) {
    this.#context = context;
    this.#incoming = incoming;
    this.#outgoing = outgoing;
    this.serverSide = context.role === 'server';
    this.serverHostname = options.serverHostname;
    this.appData = options.appData;
    this.#offeredSession = options.session;
    this.#maxHandshakeMessageSize = context.limits.maxHandshakeMessageSize;
    // The client's first ClientHello goes out with legacy_record_version 0x0301 for old middleboxes (RFC 8446 §5.1).
    if (!this.serverSide) this.#sealer = new PlaintextSealer({ legacyRecordVersion: TLSVersion.TLSv1 });
  }

  /** The context in use. A server's SNI callback may set another server context to serve its certificates. */
  get context(): TLSContext {
    return this.#context;
  }
  /** @throws {InvalidArgumentError} outside a server's SNI callback, or for a context of the other role. */
  set context(context: TLSContext) {
    if (!this.serverSide || !this.#inCallback || this.#result !== undefined) {
      throw new InvalidArgumentError('context', 'INVALID_ARGUMENT', 'can only be replaced by a server during its SNI callback');
    }
    if (context.role !== 'server' || context.certifiedKeys.length === 0) {
      throw new InvalidArgumentError('context', 'INVALID_ARGUMENT', 'must be a server context with a certificate');
    }
    context.freeze();
    this.#context = context;
  }

  /**
   * While a call throws `WantX509LookupError`: a Promise that resolves once the certificate callback has settled and
   * the call can be repeated; `undefined` otherwise. The async driver awaits it.
   */
  get pendingLookup(): Promise<void> | undefined {
    return this.#state?.resume === undefined ? undefined : this.#state.settled;
  }

  /** True once the handshake has completed. */
  get handshakeComplete(): boolean {
    return this.#result !== undefined;
  }

  /**
   * Runs the handshake as far as the bytes received allow.
   * @throws {WantReadError} when it needs the peer's next flight; {@link WantWriteError} when output is blocked;
   *   `WantX509LookupError` while an asynchronous certificate callback has not settled (await {@link pendingLookup}).
   * @throws {ProtocolError|AlertError|CertVerificationError|EOFError} when the handshake fails (sticky).
   */
  doHandshake(): void {
    this.#guard(() => {
      this.#flush();
      this.#runHandshake();
      this.#flush(); // the last flight must be in the BIO before we report success
    });
  }

  /**
   * Returns up to `n` bytes of application data (default 16 KiB), running the handshake first if needed.
   * @throws {WantReadError} when no data is available yet; {@link ZeroReturnError} after the peer's close_notify;
   *   {@link EOFError} when the stream ended without close_notify (a truncation).
   */
  read(n = MAX_PLAINTEXT_LENGTH): Uint8Array {
    if (!(Number.isSafeInteger(n) && n >= 0)) throw new InvalidArgumentError('n', 'INVALID_ARGUMENT', 'must be a non-negative integer');
    return this.#guard(() => {
      this.#flush();
      this.#runHandshake();
      while (this.#plaintextBytes === 0) {
        if (this.#peerClosed) throw new ZeroReturnError();
        if (!this.#processRecord()) throw this.#starved();
      }
      return this.#takePlaintext(n);
    });
  }

  /**
   * Encrypts `data` into the outgoing BIO (running the handshake first if needed), as many whole records as the
   * BIO has room for — all of it when the BIO is unbounded. Like Python's `SSLObject.write`, it may accept less than
   * `data.length`: the caller offers the rest again after draining the BIO.
   * @returns the number of bytes accepted (at least 1 for non-empty `data`).
   * @throws {WantWriteError} when not one byte fits (drain the outgoing BIO, then call again).
   * @throws {InvalidArgumentError} `PROTOCOL_IS_SHUTDOWN` after {@link unwrap}.
   */
  write(data: Uint8Array): number {
    if (!(data instanceof Uint8Array)) throw new InvalidArgumentError('data', 'INVALID_ARGUMENT', 'must be a Uint8Array');
    // Local misuse, not a failure of the connection: the peer's remaining data stays readable (half-close).
    if (this.#closeSent && this.#fatal === undefined) throw new InvalidArgumentError('data', 'PROTOCOL_IS_SHUTDOWN', 'write after unwrap()');
    return this.#guard(() => {
      this.#flush();
      this.#runHandshake();
      this.#flush();
      let accepted = 0;
      while (accepted < data.length) {
        this.#rekeyIfNeeded();
        this.#flushAvailable();
        if (this.#output !== undefined) break; // a KeyUpdate that did not fit goes first
        // Records in batches, one array each: see sealRecords. A batch stops where the key needs updating.
        const batch = sealRecords(this.#sealer, ContentType.application_data, data.subarray(accepted), this.#outgoing.space, this.#sendFragmentLimit);
        if (batch.consumed === 0) break;
        this.#outgoing.writeOwned(batch.records);
        accepted += batch.consumed;
      }
      if (accepted === 0 && data.length > 0) throw flowControl(() => new WantWriteError('the outgoing BIO is full: send its bytes, then call again'));
      return accepted;
    });
  }

  /** Decrypted bytes ready to be read without touching the incoming BIO. */
  pending(): number {
    return this.#plaintextBytes;
  }

  /** What became of 0-RTT data on this connection (see {@link EarlyDataStatus}); final once the handshake completes. */
  get earlyDataStatus(): EarlyDataStatus {
    return this.#earlyDataStatus;
  }

  /**
   * Client: writes `data` as 0-RTT application data (RFC 8446 §4.2.10), sent with the first flight under the
   * client_early_traffic_secret's keys, before the server has answered. Called before the handshake begins, it
   * starts it and offers early data — possible only when resuming a TLS 1.3 session whose ticket allows it (see
   * `wrapBio(…, {session})`). It may be called again while the server has not answered (up to the ticket's
   * max_early_data_size in all).
   *
   * Returns the bytes taken as early data: possibly fewer than `data.length`, and 0 when 0-RTT is not possible
   * (no session allowing it, a handshake begun without it, the server's answer already in, or the size allowance
   * used up). Send what was not taken with {@link write} once the handshake completes. After the handshake,
   * {@link earlyDataStatus} says whether the server took the data: when `'rejected'`, it was dropped and the
   * application decides whether to send it again (RFC 8446 §4.2.10 leaves that to the application: the
   * negotiated ALPN protocol may differ).
   *
   * Early data has no protection against replay by the network (RFC 8446 §8, §E.5): send only what is safe to
   * repeat (an idempotent request).
   * @throws {InvalidArgumentError} on a server, or for `data` that is not a Uint8Array.
   * @throws {WantWriteError} when not one byte fits in the outgoing BIO (drain it, then call again).
   * @example
   * const conn = context.wrapBio(incoming, outgoing, { serverHostname: 'example.com', session });
   * const early = conn.writeEarlyData(request);
   * // … run the handshake …
   * const rest = conn.earlyDataStatus === 'rejected' ? request : request.subarray(early);
   * if (rest.length > 0) conn.write(rest); // what did not go early, or all of it after a rejection
   */
  writeEarlyData(data: Uint8Array): number {
    if (!(data instanceof Uint8Array)) throw new InvalidArgumentError('data', 'INVALID_ARGUMENT', 'must be a Uint8Array');
    if (this.serverSide) throw new InvalidArgumentError('writeEarlyData', 'INVALID_ARGUMENT', 'only a client sends early data');
    return this.#guard(() => {
      this.#flush();
      if (!this.#started) {
        this.#earlyDataRequested = true;
        this.#start();
      }
      const early = this.#earlyWrite;
      if (early === undefined) return 0;
      const room = Math.min(data.length, early.limit - early.written);
      let accepted = 0;
      while (accepted < room) {
        this.#flushAvailable();
        if (this.#output !== undefined) break; // the ClientHello goes first
        const batch = sealRecords(this.#sealer, ContentType.application_data, data.subarray(accepted, room), this.#outgoing.space, this.#sendFragmentLimit);
        if (batch.consumed === 0) break;
        this.#outgoing.writeOwned(batch.records);
        accepted += batch.consumed;
      }
      if (accepted === 0 && room > 0) throw flowControl(() => new WantWriteError('the outgoing BIO is full: send its bytes, then call again'));
      early.written += accepted;
      return accepted;
    });
  }

  /**
   * Server: returns up to `n` bytes of the client's accepted 0-RTT data (RFC 8446 §4.2.10), kept apart from 1-RTT
   * data (which {@link read} returns), running the handshake as far as needed. Early data can be read as soon as it
   * arrives, before the handshake completes: it is not yet authenticated as coming from a live client (it may be a
   * replay the anti-replay register could not catch, RFC 8446 §8), so act only on requests safe to repeat.
   *
   * Returns an empty array once no more early data can come (the client's EndOfEarlyData arrived, or it offered
   * none, or it was rejected: see {@link earlyDataStatus}); until then a call that has nothing throws `WantReadError`.
   * Accepted early data waits here (at most the context's `maxEarlyData` bytes) until read.
   * @throws {InvalidArgumentError} on a client, or for `n` that is not a positive integer.
   * @throws {WantReadError} when more early data may come but none is buffered.
   * @throws {ProtocolError} `TOO_MUCH_EARLY_DATA` (unexpected_message) when the client sends more than allowed.
   * @example
   * for (let chunk = server.readEarlyData(); chunk.length > 0; chunk = server.readEarlyData()) handle(chunk);
   */
  readEarlyData(n = MAX_PLAINTEXT_LENGTH): Uint8Array {
    // At least 1: an empty result means the end of the early data.
    if (!(Number.isSafeInteger(n) && n >= 1)) throw new InvalidArgumentError('n', 'INVALID_ARGUMENT', 'must be a positive integer');
    if (!this.serverSide) throw new InvalidArgumentError('readEarlyData', 'INVALID_ARGUMENT', 'only a server receives early data');
    return this.#guard(() => {
      this.#flush();
      if (!this.#started) this.#start();
      for (;;) {
        if (this.#earlyDataBytes > 0) {
          const chunk = takeChunks(this.#earlyData!, n, this.#earlyDataBytes, (taken) => (this.#earlyDataBytes -= taken));
          if (this.#earlyDataBytes === 0) this.#earlyData = undefined;
          return chunk;
        }
        if (!this.#earlyOpen || this.#result !== undefined) return EMPTY;
        if (this.#peerClosed) throw new ZeroReturnError('the peer closed the connection during the handshake');
        if (!this.#processRecord()) throw this.#starved();
        this.#flushAvailable();
      }
    });
  }

  /**
   * Sends close_notify (once) and waits for the peer's. Application data that arrives meanwhile stays readable.
   * TLS 1.3 allows half-close: after `unwrap()` the peer may go on sending and `read()` goes on returning it.
   * @throws {WantReadError} until the peer's close_notify has arrived.
   */
  unwrap(): void {
    this.#guard(() => {
      this.#flush();
      if (!this.#closeSent) {
        this.#closeSent = true;
        this.#queueRecord(this.#sealer.seal(ContentType.alert, encodeAlert(AlertLevel.warning, AlertDescription.close_notify)));
        this.#flush();
      }
      while (!this.#peerClosed) {
        if (this.#plaintextBytes >= this.#context.limits.maxBufferedPlaintext) throw new WantReadError('read() the pending data first');
        if (!this.#processRecord()) throw this.#starved();
      }
    });
  }

  /**
   * Sends a KeyUpdate (RFC 8446 §4.6.3) and switches to the next write keys; with `requestPeer` the peer is asked to
   * update its own.
   * @throws {InvalidArgumentError} before the handshake completes or after close_notify.
   */
  keyUpdate(options: { readonly requestPeer?: boolean } = {}): void {
    if (this.#fatal === undefined && (this.#result === undefined || this.#closeSent)) {
      throw new InvalidArgumentError('keyUpdate', 'INVALID_ARGUMENT', 'needs an established, open connection');
    }
    if (this.#fatal === undefined && this.#version !== TLSVersion.TLSv1_3) {
      throw new InvalidArgumentError('keyUpdate', 'INVALID_ARGUMENT', 'KeyUpdate exists only in TLS 1.3');
    }
    this.#guard(() => {
      this.#flush();
      this.#sendKeyUpdate(options.requestPeer === true);
      this.#flushAvailable();
    });
  }

  /**
   * Server, TLS 1.3: asks the client for a certificate now (post-handshake authentication, RFC 8446 §4.6.2). The
   * request goes out with the next output; the client answers on its next read, and once our next `read()` has taken
   * its answer, `getPeerCertificate()` and the verified chain describe the certificate it sent (verified as during a
   * handshake; with verifyMode 'required' an empty answer is fatal: certificate_required).
   * @throws {InvalidArgumentError} on a client, before the handshake or after close, in TLS 1.2, when the client did not
   *   offer post_handshake_auth, with verifyMode 'none', or while an earlier request is unanswered.
   * @example
   * server.verifyClientPostHandshake();
   * await send(outgoing.read()); // … then server.read() takes the client's answer
   */
  verifyClientPostHandshake(): void {
    if (this.#fatal === undefined) {
      const fail = (why: string) => new InvalidArgumentError('verifyClientPostHandshake', 'INVALID_ARGUMENT', why);
      if (!this.serverSide || this.#result === undefined || this.#closeSent) throw fail('needs an established, open server connection');
      if (this.#version !== TLSVersion.TLSv1_3) throw fail('post-handshake authentication exists only in TLS 1.3');
      if (this.#result.peerPostHandshakeAuth !== true) throw fail('the client did not offer post_handshake_auth (RFC 8446 §4.2.6)');
      if (this.#context.verifyMode === 'none') throw fail("needs verifyMode 'optional' or 'required'");
      if (this.#state !== undefined) throw fail('an earlier request is still unanswered');
    }
    this.#guard(() => {
      this.#flush();
      this.#state = requestPostHandshakeAuth(this.#forkIO(), this.#result!.suite, () => this.#result!.readSecret!, (identity) => {
        const verified = identity.verified ? this.#verifiedChain : undefined;
        this.#peerChain = identity.chain.length === 0 ? NO_CERTIFICATES : identity.chain.map((cert) => sharedDer(cert, verified));
        this.#verifiedDer = verified?.map((cert) => cert.der);
        this.#verifiedChain = undefined;
        this.#result!.peerVerified = identity.verified;
      });
      this.#flushAvailable();
    });
  }

  /** `'TLSv1.3'` or `'TLSv1.2'` once the handshake is complete, else `null` (Python's `SSLObject.version()`). */
  version(): string | null {
    return this.#result === undefined ? null : tlsVersionName(this.#version);
  }

  /** `[name, version, bits]` of the negotiated suite, or `null` before the handshake. */
  cipher(): CipherInfo | null {
    const suite = this.#result?.suite;
    return suite === undefined ? null : [suite.name, suite.version, suite.bits];
  }

  /** The key exchange group used, e.g. `'x25519'`, or `null` before the handshake. */
  group(): string | null {
    return this.#result?.group ?? null;
  }

  /** The name the client asked for with SNI (on a server), or the name the server acknowledged (on a client). */
  requestedServerName(): string | null {
    return this.#result?.serverName ?? null;
  }

  /** The ALPN protocol agreed on, or `null`. */
  selectedAlpnProtocol(): string | null {
    return this.#result?.alpn ?? null;
  }

  /**
   * A server's suites in common with the client (ours that the client offered, in our order), as `cipher()` tuples;
   * `null` on a client or before the handshake (as Python's `SSLObject.shared_ciphers()`).
   */
  sharedCiphers(): CipherInfo[] | null {
    const offered = this.#result?.peerCipherSuites;
    if (!this.serverSide || offered === undefined) return null;
    return this.#context.cipherSuites.filter((suite) => offered.includes(suite.id)).map((suite) => [suite.name, suite.version, suite.bits] as const);
  }

  /** Whether the handshake used a HelloRetryRequest. */
  get helloRetried(): boolean {
    return this.#result?.helloRetried ?? false;
  }

  /** TLS 1.3 NewSessionTicket messages received, as decoded (the first eight). */
  get sessionTickets(): readonly NewSessionTicket13[] {
    return this.#tickets ?? NO_TICKETS;
  }

  /**
   * Client: the newest resumable session this connection received, else (on a resumed connection) the session it
   * resumed, else `undefined`. Pass it to `wrapBio(…, { session })` to resume. In TLS 1.3 sessions come in
   * NewSessionTicket messages, which the server sends after the handshake, whenever it likes: right after
   * `doHandshake()` there may be none yet — it appears once a `read()` has taken the ticket (the context's session
   * callback is told at that moment). A server has no sessions of its own: `undefined`.
   * @example
   * conn.doHandshake(); conn.read(); // the server's answer, and tickets sent before it
   * const session = conn.session;
   */
  get session(): TLSSession | undefined {
    return this.#sessions?.[this.#sessions.length - 1] ?? (this.#sessionReused ? this.#offeredSession : undefined);
  }

  /** Client: every resumable session received so far, oldest first (the last eight kept). */
  get sessions(): readonly TLSSession[] {
    return [...(this.#sessions ?? [])];
  }

  /** The session `wrapBio` was given to offer. @internal (the handshake reads it) */
  get offeredSession(): TLSSession | undefined {
    return this.#offeredSession;
  }

  /** True once the handshake has completed by resuming a session (a PSK in TLS 1.3, a ticket in TLS 1.2). */
  get sessionReused(): boolean {
    return this.#sessionReused;
  }

  /**
   * The peer's certificate: as DER with `{binary: true}`, else Python's dictionary — empty when the certificate was
   * not verified (verifyMode 'none'), as Python returns it. `null` when the peer sent none.
   */
  getPeerCertificate(options: { readonly binary: true }): Uint8Array | null;
  getPeerCertificate(options?: { readonly binary?: false }): PeerCertificateDict | Record<string, never> | null;
  getPeerCertificate(options: { readonly binary?: boolean } = {}): Uint8Array | PeerCertificateDict | Record<string, never> | null {
    const leaf = this.#peerChain[0];
    if (leaf === undefined) return null;
    if (options.binary === true) return leaf.slice();
    // It parsed during the handshake, so it parses again: kept as DER, it costs its bytes only.
    return this.#result!.peerVerified ? certificateToDict(parseCertificate(leaf, 'peer')) : {};
  }

  /**
   * The peer's chain as it sent it, leaf first (DER), verified or not — Python 3.13's `get_unverified_chain()`.
   * `null` before the handshake completes or when the peer sent no certificate.
   */
  getPeerCertChain(): Uint8Array[] | null {
    const chain = this.#peerChain;
    return chain.length === 0 ? null : chain.map((der) => der.slice());
  }

  /**
   * The path verification built, leaf first and trust anchor last (DER) — Python 3.13's `get_verified_chain()`: the
   * anchor comes from the trust store, intermediates may too, and certificates the peer sent but the path did not
   * need are left out. `null` before the handshake completes or when the chain was not verified (verifyMode 'none').
   * @example
   * const [leaf, ...issuers] = connection.getVerifiedChain() ?? [];
   */
  getVerifiedChain(): Uint8Array[] | null {
    return this.#verifiedDer?.map((der) => der.slice()) ?? null;
  }

  /**
   * Keying material exported from the session: RFC 8446 §7.5 in TLS 1.3 (from the exporter_master_secret), RFC 5705
   * in TLS 1.2 (from the extended master secret). Both peers get the same bytes for the same label, context and length.
   * In TLS 1.3 an absent `context` and an empty one give the same bytes; in TLS 1.2 they differ (RFC 5705 §4), as
   * OpenSSL's `SSL_export_keying_material` with and without `use_context`.
   *
   * A TLS 1.2 connection made without extended master secret (`requireExtendedMasterSecret: false` and a peer that
   * lacks it) refuses: its master secret is not bound to the handshake, so the material might be shared with another
   * connection (RFC 7627 §5.4, the triple handshake).
   *
   * @param label the exporter label; RFC 5705 §4 asks for registered labels or ones starting with "EXPERIMENTAL".
   * @param length bytes to export: at most 255 × the suite's hash length in TLS 1.3 (8160 for SHA-256 suites), 65535
   *   in TLS 1.2.
   * @param context optional context value (at most 65535 bytes in TLS 1.2).
   * @throws {InvalidArgumentError} `STILL_IN_INIT` before the handshake completes; `EXPORTER_NEEDS_EXTMS` on TLS 1.2
   *   without extended master secret; `TLS_ILLEGAL_EXPORTER_LABEL` for a TLS 1.2 label that starts with one of the
   *   PRF's own ("client finished", "master secret", …); `INVALID_ARGUMENT` for a label that is not a string (or is
   *   longer than 249 bytes in TLS 1.3), a context that is not a Uint8Array, or a length out of range.
   * @throws the connection's fatal error, once it has failed.
   * @example
   * conn.doHandshake(); // after it completes
   * const key = conn.exportKeyingMaterial('EXPERIMENTAL-my-protocol', 32, new TextEncoder().encode('session 1'));
   */
  exportKeyingMaterial(label: string, length: number, context?: Uint8Array): Uint8Array {
    checkExporterArguments(label, context);
    if (this.#fatal !== undefined) throw this.#fatal;
    const result = this.#result;
    if (result === undefined) throw new InvalidArgumentError('exportKeyingMaterial', 'STILL_IN_INIT', 'the handshake has not completed');
    const hash = this.#hash(result.suite);
    const tls12 = result.tls12;
    if (tls12 === undefined) {
      // RFC 8446 §7.5: an absent context is the empty one.
      return exportKeyingMaterial13(hash, result.exporterMasterSecret!, label, context ?? new Uint8Array(0), length);
    }
    if (!tls12.extendedMasterSecret) {
      throw new InvalidArgumentError('exportKeyingMaterial', 'EXPORTER_NEEDS_EXTMS', 'TLS 1.2 without extended master secret (RFC 7627 §5.4)');
    }
    return exportKeyingMaterial12(hash, tls12.masterSecret, tls12.clientRandom, tls12.serverRandom, label, context, length);
  }

  /**
   * Keying material from the early_exporter_master_secret (RFC 8446 §7.5), for protocols that bind their 0-RTT data
   * to the connection: OpenSSL's `SSL_export_keying_material_early`. A client has it from its first flight when it
   * offers early data (`writeEarlyData`, before the handshake completes) until the server rejects the data; a server
   * once it accepted the client's early data. Both then get the same bytes for the same label, context and length,
   * for the rest of the connection. Unlike {@link exportKeyingMaterial}'s, these bytes carry 0-RTT's weaker
   * guarantees: no forward secrecy, and a replayed ClientHello derives them again (RFC 8446 §8).
   *
   * @param label the exporter label (see {@link exportKeyingMaterial}).
   * @param length bytes to export: at most 255 × the suite's hash length.
   * @param context optional context value; absent and empty give the same bytes.
   * @throws {InvalidArgumentError} `NO_EARLY_EXPORTER` when the connection has no early exporter (no 0-RTT offered,
   *   or rejected, or not accepted); `INVALID_ARGUMENT` for a label that is not a string of at most 249 bytes, a
   *   context that is not a Uint8Array, or a length out of range.
   * @throws the connection's fatal error, once it has failed.
   * @example
   * client.writeEarlyData(request);
   * const binding = client.exportEarlyKeyingMaterial('EXPERIMENTAL-early-binding', 32);
   */
  exportEarlyKeyingMaterial(label: string, length: number, context?: Uint8Array): Uint8Array {
    checkExporterArguments(label, context);
    if (this.#fatal !== undefined) throw this.#fatal;
    const early = this.#earlyExporter;
    if (early === undefined) {
      throw new InvalidArgumentError('exportEarlyKeyingMaterial', 'NO_EARLY_EXPORTER', `no 0-RTT early exporter on this connection (early data ${this.#earlyDataStatus})`);
    }
    return exportKeyingMaterial13(this.#hash(early.suite), early.secret, label, context ?? new Uint8Array(0), length);
  }

  /**
   * Channel binding data (RFC 5056) for authentication protocols above TLS (SCRAM-*-PLUS, GSS-API), or `null` before
   * the handshake completes, as Python's `SSLObject.get_channel_binding()` returns None then. The default type is
   * `'tls-exporter'`, the one RFC 9266 makes the default for TLS 1.3 (Python's default, `'tls-unique'`, is TLS 1.2's).
   * - `'tls-exporter'` (RFC 9266): 32 bytes exported under the label "EXPORTER-Channel-Binding" with no context. TLS
   *   1.3, and TLS 1.2 with extended master secret.
   * - `'tls-unique'` (RFC 5929 §3): the first Finished message's verify_data of the handshake (the client's in a full
   *   handshake), TLS 1.2 only, as Python gives it.
   * @throws {InvalidArgumentError} `CHANNEL_BINDING_NOT_SUPPORTED` for another type, or `'tls-unique'` on TLS 1.3,
   *   where it is not defined (RFC 9266 §3); `EXPORTER_NEEDS_EXTMS` for `'tls-exporter'` on TLS 1.2
   *   without extended master secret.
   * @example
   * const cbData = conn.getChannelBinding(conn.version() === 'TLSv1.3' ? 'tls-exporter' : 'tls-unique');
   */
  getChannelBinding(type: ChannelBindingType = 'tls-exporter'): Uint8Array | null {
    if (type !== 'tls-exporter' && type !== 'tls-unique') {
      throw new InvalidArgumentError('type', 'CHANNEL_BINDING_NOT_SUPPORTED', `unknown channel binding type ${String(type)}`);
    }
    if (this.#fatal !== undefined) throw this.#fatal;
    if (this.#result === undefined) return null;
    if (type === 'tls-exporter') return this.exportKeyingMaterial(CHANNEL_BINDING_LABEL, CHANNEL_BINDING_LENGTH);
    if (this.#version !== TLSVersion.TLSv1_2 || this.#firstFinished === undefined) {
      throw new InvalidArgumentError('type', 'CHANNEL_BINDING_NOT_SUPPORTED', 'tls-unique is not defined for TLS 1.3 (RFC 9266 §3)');
    }
    return this.#firstFinished.slice();
  }

  /** Keeps the path the handshake verified, for {@link getVerifiedChain}. @internal (called by the handshake) */
  recordVerifiedChain(chain: readonly Certificate[]): void {
    this.#verifiedChain = chain;
  }

  // ---- the engine ----

  /** Runs `body`; turns a fatal failure into the sticky error (alert queued), re-throwing flow-control errors. */
  #guard<T>(body: () => T): T {
    if (this.#fatal !== undefined) {
      this.#flushAvailable();
      throw this.#fatal;
    }
    try {
      return body();
    } catch (error) {
      if (WantReadError.isInstance(error) || WantWriteError.isInstance(error) || WantX509LookupError.isInstance(error) || ZeroReturnError.isInstance(error)) {
        throw error;
      }
      throw this.#die(error);
    }
  }

  #die(error: unknown): TLSError {
    const fatal: TLSError = isTLSError(error)
      ? error
      : new ProtocolError('INTERNAL_ERROR', `internal error: ${String(error)}`, { fault: 'local', cause: error });
    this.#fatal = fatal;
    this.#flight = undefined; // half a flight is of no use to the peer; the alert is
    const alert = fatal.alert;
    if (alert?.sent) {
      try {
        this.#queueRecord(this.#sealer.seal(ContentType.alert, encodeAlert(AlertLevel.fatal, alert.description)));
      } catch {
        // The sealer itself failed (keys exhausted): the peer will see the stream end instead.
      }
    }
    this.#flushAvailable();
    return fatal;
  }

  #start(): void {
    this.#started = true;
    this.#state = this.serverSide ? startServer(this.#io!) : startClient(this.#io!);
    this.#flushAvailable();
  }

  #runHandshake(): void {
    if (this.#result !== undefined) return;
    if (!this.#started) this.#start();
    while (this.#result === undefined) {
      if (this.#peerClosed) throw new ZeroReturnError('the peer closed the connection during the handshake');
      if (!this.#processRecord()) throw this.#starved();
      this.#flushAvailable();
    }
  }

  /** The error for "no complete record available": wait for more, or the stream ended. */
  #starved(): TLSError {
    if (this.#incoming.eof) {
      // RFC 8446 §6.1: an end without close_notify is a truncation, not a clean close.
      return new EOFError(this.#deframer !== undefined && this.#deframer.buffered > 0 ? 'EOF in the middle of a record' : undefined);
    }
    return flowControl(() => new WantReadError());
  }

  /** Consumes one record if a whole one is available (or goes on with a state that waited for the application). */
  #processRecord(): boolean {
    if (this.#state?.resume !== undefined) {
      // Waiting for a certificate callback's Promise, not for the peer: nothing is read until it has settled.
      this.#state = this.#state.resume() ?? undefined;
      this.#dispatchHandshakeMessages();
      this.#flushAvailable();
      return true;
    }
    if (this.#incoming.pending > 0) {
      this.#deframer ??= new RecordDeframer({ maxFragmentLength: this.#maxRecordFragment });
      this.#deframer.feed(this.#incoming.read());
    }
    const deframer = this.#deframer;
    const record = deframer?.next() ?? null;
    if (deframer !== undefined && deframer.buffered === 0) this.#deframer = undefined;
    if (record === null) return false;
    this.#handleRecord(record);
    this.#flushAvailable(); // a KeyUpdate answer must not wait for the application's next write
    return true;
  }

  #handleRecord(record: RawRecord): void {
    if (this.#peerClosed) return; // RFC 8446 §6.1: data after close_notify is ignored.
    if (record.type === ContentType.change_cipher_spec) {
      this.#handleChangeCipherSpec(record);
      return;
    }
    // A peer that fails before its first protected record (OpenSSL's client rejecting our certificate) sends its
    // alert in plaintext; read it as such until the peer has protected a record (OpenSSL accepts the same).
    if (record.type === ContentType.alert && this.#result === undefined && !this.#peerProtected) {
      this.#handleAlert(new PlaintextOpener().open(record).fragment);
      return;
    }
    const early = this.#earlyRead;
    // RFC 8446 §4.2.10: after a HelloRetryRequest, rejected 0-RTT records are every application_data record
    // before the second ClientHello.
    if (early?.mode === 'skip-application-data' && record.type === ContentType.application_data) {
      this.#skipEarlyRecord(early, record);
      return;
    }
    let opened;
    try {
      opened = this.#opener.open(record);
    } catch (error) {
      // RFC 8446 §4.2.10: after a 1-RTT answer that rejected 0-RTT, records that fail to decrypt are the client's
      // early data (the opener's sequence number stays), until the first that decrypts.
      if (early?.mode === 'skip-undecryptable' && ProtocolError.isInstance(error) && error.reason === 'BAD_RECORD_MAC') {
        this.#skipEarlyRecord(early, record);
        return;
      }
      throw error;
    }
    if (early?.mode === 'skip-undecryptable') this.#earlyRead = undefined;
    const { type, fragment } = opened;
    if (this.#opener instanceof Tls13Opener) this.#peerProtected = true;
    // RFC 8446 §5.1: nothing may interleave with a fragmented handshake message.
    if (type !== ContentType.handshake && this.#reassembler?.hasPartial === true) {
      throw new ProtocolError('UNEXPECTED_RECORD', 'a record interleaved with a fragmented handshake message');
    }
    if (type === ContentType.alert) this.#handleAlert(fragment);
    else if (type === ContentType.handshake) this.#handleHandshakeFragment(fragment);
    else if (type === ContentType.application_data) this.#handleApplicationData(fragment);
    else throw new ProtocolError('UNEXPECTED_RECORD', `record of content type ${type}`);
  }

  /**
   * RFC 8446 §5: a plaintext change_cipher_spec of the single byte 0x01 is dropped between the first ClientHello and
   * the peer's Finished; any other is unexpected_message.
   */
  #handleChangeCipherSpec(record: RawRecord): void {
    const state = this.#state;
    if (state?.handleChangeCipherSpec !== undefined) {
      // TLS 1.2 (RFC 5246 §7.1): the single byte 1, where the state machine expects it, and never inside a
      // fragmented handshake message (the keys change after it).
      if (record.fragment.length !== 1 || record.fragment[0] !== 1) throw new ProtocolError('BAD_CHANGE_CIPHER_SPEC', 'malformed change_cipher_spec');
      if (this.#handshakeBuffered) throw new ProtocolError('NOT_ON_RECORD_BOUNDARY', 'change_cipher_spec inside a handshake message');
      this.#state = state.handleChangeCipherSpec();
      return;
    }
    const duringHandshake = this.#result === undefined && this.#transcriptStarted;
    if (!duringHandshake || record.fragment.length !== 1 || record.fragment[0] !== 1) {
      throw new ProtocolError('UNEXPECTED_CCS_MESSAGE', 'change_cipher_spec outside the handshake or malformed');
    }
    // RFC 8446 §D.4: a peer in compatibility mode sends one, once (before its second flight or after a
    // HelloRetryRequest); a second is no middlebox's doing.
    if (this.#compatibilityCcsSeen) throw new ProtocolError('UNEXPECTED_CCS_MESSAGE', 'a second change_cipher_spec in the handshake');
    this.#compatibilityCcsSeen = true;
  }

  #handleAlert(fragment: Uint8Array): void {
    const { level, description } = decodeAlert(fragment);
    if (description === AlertDescription.close_notify) {
      this.#peerClosed = true;
      return;
    }
    // RFC 8446 §6: in TLS 1.3 every alert but close_notify and user_canceled is fatal, whatever its level says.
    // RFC 5246 §7.2.2: in TLS 1.2 a warning (unrecognized_name, no_renegotiation, …) is the receiver's to ignore.
    const tls12Warning = this.#version === TLSVersion.TLSv1_2 && level === AlertLevel.warning;
    if (description === AlertDescription.user_canceled || tls12Warning) {
      if (++this.#warningAlerts > this.#context.limits.maxWarningAlerts) {
        throw new ProtocolError('TOO_MANY_WARN_ALERTS', 'too many warning alerts');
      }
      return;
    }
    this.#fatal = new AlertError(description);
    throw this.#fatal;
  }

  #handleHandshakeFragment(fragment: Uint8Array): void {
    this.#emptyRecords = 0; // a record with content ends a run of empty ones
    (this.#reassembler ??= new HandshakeReassembler({ maxMessageSize: this.#maxHandshakeMessageSize })).push(fragment);
    this.#dispatchHandshakeMessages();
  }

  /** Sets the largest record body accepted from now on (RFC 8446 §5.2: TLS 1.3's is smaller than TLS 1.2's). */
  #limitRecords(maxFragmentLength: number): void {
    this.#maxRecordFragment = maxFragmentLength;
    if (this.#deframer !== undefined) this.#deframer.maxFragmentLength = maxFragmentLength;
  }

  /** Whether handshake bytes wait in the reassembler (a key change or ChangeCipherSpec may not split them). */
  get #handshakeBuffered(): boolean {
    return this.#reassembler !== undefined && this.#reassembler.buffered > 0;
  }

  /**
   * Hands every whole buffered handshake message to the state machine. A state that waits for the application (an
   * asynchronous certificate callback) stops the dispatch: the messages behind it in the same record (a
   * ServerHelloDone, a NewSessionTicket) stay queued until it has gone on.
   */
  #dispatchHandshakeMessages(): void {
    while (this.#state?.resume === undefined) {
      const reassembler = this.#reassembler;
      const message = reassembler?.next() ?? null;
      if (message === null) {
        if (reassembler?.buffered === 0) this.#reassembler = undefined;
        return;
      }
      this.#transcriptStarted = true;
      // A TLS 1.3 KeyUpdate may come while a post-handshake authentication is under way: it is not part of it.
      const keyUpdate13 = this.#result !== undefined && this.#version === TLSVersion.TLSv1_3 && message.type === HandshakeType.key_update;
      if (this.#state !== undefined && !keyUpdate13) {
        if (message.type === HandshakeType.finished) this.#noteFinished(message.body);
        const next = this.#state.handle(message);
        this.#state = next ?? undefined;
      } else {
        this.#handlePostHandshake(message);
      }
    }
  }

  #handleApplicationData(fragment: Uint8Array): void {
    if (this.#result === undefined) {
      const early = this.#earlyRead;
      // RFC 8446 §2: before the handshake completes, application data is only the 0-RTT data a server accepted.
      if (early?.mode !== 'accept') throw new ProtocolError('UNEXPECTED_RECORD', 'application data before the handshake completed');
      if (fragment.length === 0) {
        this.#countEmptyRecord();
        return;
      }
      this.#emptyRecords = 0;
      early.received += fragment.length;
      // RFC 8446 §4.2.10: more than max_early_data_size "SHOULD terminate the connection with an unexpected_message alert".
      if (early.received > early.limit) throw new ProtocolError('TOO_MUCH_EARLY_DATA', `more than the ${early.limit} bytes of early data allowed`);
      (this.#earlyData ??= []).push(fragment);
      this.#earlyDataBytes += fragment.length;
      return;
    }
    if (fragment.length === 0) {
      this.#countEmptyRecord();
      return;
    }
    this.#emptyRecords = 0;
    this.#keyUpdates = 0;
    this.#warningAlerts = 0;
    (this.#plaintext ??= []).push(fragment);
    this.#plaintextBytes += fragment.length;
  }

  /** Drops one rejected 0-RTT record, within the allowance (RFC 8446 §4.2.10). */
  #skipEarlyRecord(early: { readonly limit: number; received: number }, record: RawRecord): void {
    early.received += Math.max(0, record.fragment.length - EARLY_RECORD_OVERHEAD);
    if (early.received > early.limit) {
      throw new ProtocolError('TOO_MUCH_EARLY_DATA', `more than ${early.limit} bytes of rejected early data`);
    }
  }

  /** Keeps the handshake's first Finished (sent or received) in TLS 1.2: tls-unique (RFC 5929 §3.1). */
  #noteFinished(verifyData: Uint8Array): void {
    if (this.#version === TLSVersion.TLSv1_2 && this.#firstFinished === undefined) this.#firstFinished = verifyData.slice();
  }

  #countEmptyRecord(): void {
    if (++this.#emptyRecords > this.#context.limits.maxEmptyRecords) {
      throw new ProtocolError('TOO_MANY_EMPTY_RECORDS', 'too many consecutive records without content');
    }
  }

  /** After the handshake: KeyUpdate both ways, NewSessionTicket to clients (RFC 8446 §4.6). */
  #handlePostHandshake(message: HandshakeMessage): void {
    if (message.type === HandshakeType.key_update) {
      const { updateRequested } = decodeKeyUpdate(message.body);
      if (++this.#keyUpdates > this.#context.limits.maxKeyUpdates) throw new ProtocolError('TOO_MANY_KEY_UPDATES', 'too many KeyUpdates without data');
      // RFC 8446 §5.1: a key change must fall on a record boundary.
      if (this.#handshakeBuffered) throw new ProtocolError('NOT_ON_RECORD_BOUNDARY', 'KeyUpdate not at the end of its record');
      const result = this.#result!;
      const secret = nextTrafficSecret(this.#hash(result.suite), result.readSecret!);
      result.readSecret = secret;
      this.#opener = this.#makeOpener(result.suite, secret);
      // RFC 8446 §4.6.3: answer a request with our own update, unless we have closed our side already.
      if (updateRequested && !this.#closeSent) this.#sendKeyUpdate(false);
      return;
    }
    if (message.type === HandshakeType.certificate_request && !this.serverSide && this.#version === TLSVersion.TLSv1_3) {
      // RFC 8446 §4.6.2: only a client that offered post_handshake_auth may receive one; we answer it at once.
      if (!this.#context.postHandshakeAuth) throw new ProtocolError('UNEXPECTED_MESSAGE', 'a CertificateRequest after the handshake, which we did not offer');
      this.#state = answerPostHandshakeRequest(this.#forkIO(), message, this.#result!.suite, () => this.#result!.writeSecret!) ?? undefined;
      return;
    }
    if (message.type === HandshakeType.new_session_ticket && !this.serverSide && this.#version === TLSVersion.TLSv1_3) {
      const ticket = decodeNewSessionTicket13(message.body);
      const tickets = (this.#tickets ??= []);
      if (tickets.length < MAX_KEPT_SESSIONS) tickets.push(ticket);
      const session = sessionFromTicket13(this.#context, this.#result!, this.serverHostname, this.#peerChain, ticket);
      if (session !== undefined) this.#addSession(session);
      return;
    }
    throw new ProtocolError('UNEXPECTED_MESSAGE', `handshake message ${message.type} after the handshake`);
  }

  /** Keeps a new session and tells the application (the context's session callback). */
  #addSession(session: TLSSession): void {
    const sessions = (this.#sessions ??= []);
    sessions.push(session);
    if (sessions.length > MAX_KEPT_SESSIONS) sessions.shift();
    const callback = this.#context.sessionCallback;
    if (callback !== undefined) this.#callback(() => callback(this, session));
  }

  #sendKeyUpdate(requestPeer: boolean): void {
    if (this.#flight !== undefined) this.#sealFlight(); // messages queued under the old key go out under it
    const result = this.#result!;
    this.#queueRecord(this.#sealer.seal(ContentType.handshake, encodeHandshake(HandshakeType.key_update, encodeKeyUpdate(requestPeer))));
    const secret = nextTrafficSecret(this.#hash(result.suite), result.writeSecret!);
    result.writeSecret = secret;
    this.#sealer = this.#makeSealer(result.suite, secret);
  }

  /** RFC 8446 §5.5: update our keys before the AEAD's usage limit. */
  #rekeyIfNeeded(): void {
    if (this.#sealer.needsKeyUpdate) this.#sendKeyUpdate(false);
  }

  #takePlaintext(n: number): Uint8Array {
    const chunk = takeChunks(this.#plaintext!, n, this.#plaintextBytes, (taken) => (this.#plaintextBytes -= taken));
    if (this.#plaintextBytes === 0) this.#plaintext = undefined;
    return chunk;
  }

  /** Drains queued records into the outgoing BIO; throws WantWriteError if any remain. */
  #flush(): void {
    this.#flushAvailable();
    if (this.#output !== undefined) throw flowControl(() => new WantWriteError('the outgoing BIO is full: send its bytes, then call again'));
  }

  /** Queues a record behind those waiting for room in the outgoing BIO. */
  #queueRecord(record: Uint8Array): void {
    (this.#output ??= []).push(record);
  }

  /** Drains as many queued records as fit, in order. */
  #flushAvailable(): void {
    if (this.#flight !== undefined) this.#sealFlight();
    const out = this.#output;
    if (out === undefined) return;
    let sent = 0;
    const limit = this.#outgoing.limit;
    while (sent < out.length) {
      const record = out[sent]!;
      if (limit !== undefined && this.#outgoing.pending + record.length > limit) break;
      this.#outgoing.writeOwned(record);
      sent++;
    }
    if (sent === out.length) this.#output = undefined;
    else if (sent > 0) this.#output = out.slice(sent);
  }

  /**
   * Seals the handshake messages queued under the current write protection into records of at most the fragment
   * limit, several messages to a record (RFC 8446 §5.1 lets them share one): a flight costs as few records as its
   * size needs, as other stacks send it.
   */
  #sealFlight(): void {
    const flight = this.#flight!;
    this.#flight = undefined;
    const bytes = flight.length === 1 ? flight[0]! : concatBytes(flight);
    for (let offset = 0; offset < bytes.length; offset += this.#sendFragmentLimit) {
      this.#queueRecord(this.#sealer.seal(ContentType.handshake, bytes.subarray(offset, offset + this.#sendFragmentLimit)));
    }
    // RFC 8446 §5.1: only the first ClientHello carries legacy_record_version 0x0301.
    if (this.#sealer instanceof PlaintextSealer) this.#sealer.legacyRecordVersion = TLSVersion.TLSv1_2;
  }

  #hash(suite: CipherSuite) {
    return this.#context.provider.hashes[suite.hash]!;
  }

  #makeOpener(suite: CipherSuite, secret: Uint8Array): RecordOpener {
    const aead = this.#context.provider.aeads[suite.aead]!;
    const { key, iv } = trafficKeys(this.#hash(suite), aead.keyLength, secret);
    const opener = new Tls13Opener(aead.importKey(key), iv, aead);
    opener.maxPlaintextLength = this.#receiveFragmentLimit;
    return opener;
  }

  #makeSealer(suite: CipherSuite, secret: Uint8Array): RecordSealer {
    const aead = this.#context.provider.aeads[suite.aead]!;
    const { key, iv } = trafficKeys(this.#hash(suite), aead.keyLength, secret);
    // RFC 8446 §5.5: rekey after limits.maxRecordsPerKey records, never past what the AEAD allows.
    const hardLimit = aead.name === 'aes_128_gcm' || aead.name === 'aes_256_gcm' ? GCM_HARD_RECORD_LIMIT : MAX_SEQUENCE;
    const recordLimit = Math.min(this.#context.limits.maxRecordsPerKey, hardLimit);
    return new Tls13Sealer(aead.importKey(key), iv, aead, { recordLimit });
  }

  /** What the handshake states see of this connection. */
  /** What the handshake states see of this connection; dropped with them when the handshake completes. */
  #io: HandshakeIO | undefined = {
    connection: this,
    get context() {
      return this.connection.context;
    },
    get provider() {
      return this.connection.context.provider;
    },
    get serverHostname() {
      return this.connection.serverHostname;
    },
    get session() {
      return this.connection.offeredSession;
    },
    transcript: this.#transcript!,
    sendHandshake: (type, body) => {
      if (type === HandshakeType.finished) this.#noteFinished(body);
      const message = encodeHandshake(type, body);
      this.#transcript!.add(message);
      this.#transcriptStarted = true;
      (this.#flight ??= []).push(message);
    },
    sendChangeCipherSpec: () => {
      if (this.#flight !== undefined) this.#sealFlight();
      this.#queueRecord(CHANGE_CIPHER_SPEC.slice());
    },
    limitRecordSizes: ({ send, receive }) => {
      // RFC 8449 §4: the limit counts TLS 1.3's content type byte; the protocol's own 2^14 still caps it.
      if (send !== undefined) {
        if (this.#flight !== undefined) this.#sealFlight(); // what was queued before the peer's limit was known
        this.#sendFragmentLimit = Math.min(send - 1, MAX_PLAINTEXT_LENGTH);
      }
      if (receive !== undefined) {
        this.#receiveFragmentLimit = Math.min(receive - 1, MAX_PLAINTEXT_LENGTH);
        if (this.#opener instanceof Tls13Opener) this.#opener.maxPlaintextLength = this.#receiveFragmentLimit;
      }
    },
    setReadSecret: (suite, secret) => {
      // RFC 8446 §5.1: handshake messages may not span a key change.
      // `buffered`, not `hasPartial`: a whole message queued behind the one that changed keys came under the old keys.
      if (this.#handshakeBuffered) throw new ProtocolError('NOT_ON_RECORD_BOUNDARY', 'a handshake message spans a key change');
      // The end of 0-RTT: EndOfEarlyData switched keys, or the second ClientHello after a HelloRetryRequest came.
      if (this.#earlyRead?.mode !== 'skip-undecryptable') this.#earlyRead = undefined;
      if (this.#earlyDataStatus === 'accepted') this.#earlyOpen = false;
      this.#limitRecords(MAX_TLS13_CIPHERTEXT_LENGTH);
      this.#readSecret = secret;
      this.#opener = this.#makeOpener(suite, secret);
    },
    setWriteSecret: (suite, secret) => {
      if (this.#flight !== undefined) this.#sealFlight(); // RFC 8446 §5.1: no record spans a key change
      this.#earlyWrite = undefined; // 0-RTT keys, if any, are done with
      this.#writeSecret = secret;
      this.#sealer = this.#makeSealer(suite, secret);
    },
    get earlyDataRequested() {
      return this.connection.#earlyDataRequested;
    },
    startEarlyData: (suite, secret, exporterSecret, limit) => {
      if (this.#flight !== undefined) this.#sealFlight(); // the ClientHello goes out in plaintext
      this.#sealer = this.#makeSealer(suite, secret);
      this.#earlyWrite = { limit, written: 0 };
      this.#earlyExporter = { suite, secret: exporterSecret };
      this.#earlyDataStatus = 'pending';
    },
    earlyDataAnswered: (accepted) => {
      this.#earlyDataStatus = accepted ? 'accepted' : 'rejected';
      if (accepted) return;
      this.#earlyWrite = undefined;
      this.#earlyExporter = undefined; // the server never derived it: nothing to share any more
    },
    setWritePlaintext: () => {
      if (this.#flight !== undefined) this.#sealFlight();
      this.#earlyWrite = undefined;
      this.#earlyExporter = undefined; // 0-RTT ended by a HelloRetryRequest
      this.#sealer = new PlaintextSealer();
    },
    receiveEarlyData: (plan) => this.#receiveEarlyData(plan),
    logSecret: (label, clientRandom, secret) => {
      const keylog = this.#context.keylogCallback;
      if (keylog === undefined) return;
      const line = `${label} ${toHex(clientRandom)} ${toHex(secret)}`;
      this.#callback(() => keylog(line, this));
    },
    setVersion: (version) => {
      this.#version = version;
      if (version !== TLSVersion.TLSv1_3) this.#earlyOpen = false; // TLS 1.2 has no 0-RTT
    },
    setTls12Keys: (direction, suite, key, iv) => {
      const aead = this.#context.provider.aeads[suite.aead]!;
      if (direction === 'read') {
        // RFC 5246 §7.1: the change_cipher_spec that switches keys ends its record's handshake data.
        this.#opener = new Tls12AeadOpener(aead.importKey(key), iv, aead);
        this.#peerProtected = true;
      } else {
        this.#sealer = new Tls12AeadSealer(aead.importKey(key), iv, aead);
      }
    },
    sendWarningAlert: (description) => {
      if (this.#closeSent) return; // nothing follows our close_notify
      this.#queueRecord(this.#sealer.seal(ContentType.alert, encodeAlert(AlertLevel.warning, description)));
    },
    callback: (run) => this.#callback(run),
    complete: (result) => this.#completeHandshake(result),
  };

  #receiveEarlyData(plan: EarlyDataPlan): void {
    switch (plan.action) {
      case 'none':
        this.#earlyRead = undefined;
        this.#earlyOpen = false;
        return;
      case 'accept': {
        // The client's 0-RTT records come under the early keys, with the protocol's own size limit: the client knew
        // nothing of our record_size_limit when it sealed them.
        const opener = this.#makeOpener(plan.suite, plan.secret);
        (opener as Tls13Opener).maxPlaintextLength = MAX_PLAINTEXT_LENGTH;
        this.#opener = opener;
        this.#limitRecords(MAX_TLS13_CIPHERTEXT_LENGTH);
        this.#earlyRead = { mode: 'accept', limit: plan.limit, received: 0 };
        this.#earlyExporter = { suite: plan.suite, secret: plan.exporterSecret };
        this.#earlyDataStatus = 'accepted';
        return;
      }
      default:
        this.#earlyRead = { mode: plan.action, limit: plan.limit, received: 0 };
        this.#earlyDataStatus = 'rejected';
        // After a HelloRetryRequest the second ClientHello still comes: nothing is decided yet for it.
        if (plan.action === 'skip-undecryptable') this.#earlyOpen = false;
    }
  }

  /** The handshake's IO with a fork of its transcript, for one post-handshake authentication (RFC 8446 §4.6.2). */
  #forkIO(): HandshakeIO {
    const transcript = this.#transcript!.fork();
    const sendHandshake = (type: number, body: Uint8Array) => {
      const message = encodeHandshake(type, body);
      transcript.add(message);
      (this.#flight ??= []).push(message);
    };
    return Object.create(this.#io!, { transcript: { value: transcript }, sendHandshake: { value: sendHandshake } }) as HandshakeIO;
  }

  /**
   * Enters the traffic phase, keeping only what it needs (an idle connection should cost little): the negotiated
   * facts and the secrets RFC 8446 §7.1 keeps past the handshake (application traffic, exporter and resumption
   * master secrets, or TLS 1.2's master secret), and the peer's chain as DER. The running transcript hash and the
   * handshake IO (with the states, which the caller drops) go; a parsed certificate is ~5 KiB of objects against its
   * ~0.5–1.5 KiB of DER, and a verified path's certificates are the context's interned copies, whose DER is shared.
   */
  #completeHandshake(result: HandshakeResult): void {
    const { peerCertificates, newSession } = result;
    const verified = this.#verifiedChain;
    this.#peerChain = sharedDerList(peerCertificates.map((cert) => sharedDer(cert, verified)));
    if (result.resumedPeerChain !== undefined) {
      // A resumption carries no Certificate message: the chain is the one the session recorded.
      this.#sessionReused = true;
      this.#peerChain = result.resumedPeerChain.length === 0 ? NO_CERTIFICATES : result.resumedPeerChain;
    }
    this.#verifiedDer = verified === undefined ? undefined : sharedDerList(verified.map((cert) => cert.der));
    this.#verifiedChain = undefined;
    // A server's resumption master secret serves only the tickets it sends now; a client's, every ticket it receives.
    const rest = new Established(result, this.#readSecret, this.#writeSecret, !this.serverSide);
    this.#result = rest;
    this.#readSecret = this.#writeSecret = undefined;
    if (newSession !== undefined) this.#addSession(newSession);
    if (this.serverSide && this.#version === TLSVersion.TLSv1_3) {
      // RFC 8446 §4.6.1: tickets go out after the client's Finished, under our application traffic keys, outside the
      // transcript. They travel with the next output (the handshake's caller flushes).
      for (const ticket of newSessionTickets13(this.#context, result, this.#peerChain)) {
        (this.#flight ??= []).push(encodeHandshake(HandshakeType.new_session_ticket, encodeNewSessionTicket13(ticket)));
      }
    }
    // Post-handshake authentication (RFC 8446 §4.6.2) hashes its messages onto this transcript and reuses the
    // handshake IO: both stay while it may still happen (TLS 1.3, a client that offered it or a server whose client did).
    const postHandshakeAuth = this.#version === TLSVersion.TLSv1_3 && (this.serverSide ? rest.peerPostHandshakeAuth === true : this.#context.postHandshakeAuth);
    if (postHandshakeAuth) return;
    this.#transcript?.release();
    this.#transcript = undefined;
    this.#io = undefined;
  }

  #callback<T>(run: () => T): T {
    this.#inCallback = true;
    try {
      return run();
    } catch (error) {
      throw new ProtocolError('CALLBACK_FAILED', `a callback threw: ${error instanceof Error ? error.message : String(error)}`, {
        fault: 'local',
        cause: error,
      });
    } finally {
      this.#inCallback = false;
    }
  }
}

const NO_CERTIFICATES: readonly Uint8Array[] = Object.freeze([]);
const NO_TICKETS: readonly NewSessionTicket13[] = Object.freeze([]);
/** Sessions (and decoded tickets) a client connection keeps: a server that sends more only replaces the oldest. */
const MAX_KEPT_SESSIONS = 8;

/** Takes up to `n` bytes from the front of a queue of chunks (a view when one chunk suffices); reports how many. */
function takeChunks(queue: Uint8Array[], n: number, available: number, taken: (count: number) => void): Uint8Array {
  const first = queue[0]!;
  let result: Uint8Array;
  if (first.length >= n || queue.length === 1) {
    result = first.subarray(0, n);
    if (result.length === first.length) queue.shift();
    else queue[0] = first.subarray(result.length);
  } else {
    const size = Math.min(n, available);
    result = new Uint8Array(size);
    let offset = 0;
    while (offset < size) {
      const chunk = queue[0]!;
      const take = Math.min(chunk.length, size - offset);
      result.set(chunk.subarray(0, take), offset);
      offset += take;
      if (take === chunk.length) queue.shift();
      else queue[0] = chunk.subarray(take);
    }
  }
  taken(result.length);
  return result;
}

/** Lists of DER certificates kept by connections, by their first element (see sharedDerList). */
const derLists = new WeakMap<Uint8Array, (readonly Uint8Array[])[]>();

/**
 * `list`, or an equal list another connection keeps: one frozen array per chain rather than one per connection,
 * where its certificates are the context's interned copies (the same objects). Lists of a connection's own copies
 * match nothing and stay its own.
 */
function sharedDerList(list: readonly Uint8Array[]): readonly Uint8Array[] {
  const first = list[0];
  if (first === undefined) return NO_CERTIFICATES;
  let known = derLists.get(first);
  const found = known?.find((other) => other.length === list.length && other.every((der, index) => der === list[index]));
  if (found !== undefined) return found;
  const shared = Object.freeze([...list]);
  if (known === undefined) derLists.set(first, (known = []));
  if (known.length < 8) known.push(shared);
  return shared;
}

/**
 * What an established connection keeps of its handshake's result (see #completeHandshake): the facts its getters
 * report and the secrets it still needs, nothing else. A class, so that every connection's copy shares one hidden
 * class: a spread clone of the result got a map and descriptor array of its own per connection (~0.4 KiB) once V8's
 * cache for object spreads at that spot had seen several result shapes.
 */
class Established {
  readonly suite: CipherSuite;
  readonly group: HandshakeResult['group'];
  readonly alpn: string | undefined;
  readonly serverName: string | undefined;
  /** Server: the cipher suites the client offered, shared with every connection that saw the same list. */
  readonly peerCipherSuites: readonly number[] | undefined;
  readonly tls12: HandshakeResult['tls12'];
  /** peerVerified, helloRetried and peerPostHandshakeAuth, one bit each (one field where three took 24 bytes). */
  #facts: number;
  /**
   * TLS 1.3 (RFC 8446 §7.1), back to back, one hash length each: the application traffic secrets in force, read then
   * write (a KeyUpdate replaces one, §7.2), the exporter master secret and, when kept, the resumption master secret.
   * One array for all, each copied out when used: one buffer instead of one per secret, and no view held idle.
   */
  readonly #secrets: Uint8Array | undefined;
  /** The suite's hash length: each secret's. */
  readonly #secretLength: number = 0;

  /**
   * @param read the traffic secrets in force when the handshake completed (TLS 1.3), or `undefined`.
   * @param keepResumption whether the resumption master secret stays (a client makes a PSK of it for each ticket).
   */
  constructor(result: HandshakeResult, read: Uint8Array | undefined, write: Uint8Array | undefined, keepResumption: boolean) {
    this.suite = result.suite;
    this.group = result.group;
    this.alpn = result.alpn;
    this.serverName = result.serverName === undefined ? undefined : sharedServerName(result.serverName);
    this.peerCipherSuites = result.peerCipherSuites === undefined ? undefined : sharedSuiteList(result.peerCipherSuites);
    this.tls12 = result.tls12;
    this.#facts =
      (result.peerVerified ? PEER_VERIFIED : 0) | (result.helloRetried ? HELLO_RETRIED : 0) | (result.peerPostHandshakeAuth === true ? PEER_POST_HANDSHAKE_AUTH : 0);
    const { exporterMasterSecret, resumptionMasterSecret } = result;
    if (read === undefined || write === undefined || exporterMasterSecret === undefined) return;
    const kept = [read, write, exporterMasterSecret];
    if (keepResumption && resumptionMasterSecret !== undefined) kept.push(resumptionMasterSecret);
    const secrets = new Uint8Array(read.length * kept.length);
    kept.forEach((secret, index) => secrets.set(secret, index * read.length));
    this.#secrets = secrets;
    this.#secretLength = read.length;
  }

  /**
   * Whether the peer's certificate was verified; replaced when a post-handshake authentication (RFC 8446 §4.6.2)
   * brings the client's.
   */
  get peerVerified(): boolean {
    return (this.#facts & PEER_VERIFIED) !== 0;
  }
  set peerVerified(verified: boolean) {
    this.#facts = verified ? this.#facts | PEER_VERIFIED : this.#facts & ~PEER_VERIFIED;
  }
  get helloRetried(): boolean {
    return (this.#facts & HELLO_RETRIED) !== 0;
  }
  /** Server, TLS 1.3: the client offered post_handshake_auth (RFC 8446 §4.2.6). */
  get peerPostHandshakeAuth(): boolean {
    return (this.#facts & PEER_POST_HANDSHAKE_AUTH) !== 0;
  }

  get readSecret(): Uint8Array | undefined {
    return secretAt(this.#secrets, this.#secretLength, 0);
  }
  set readSecret(secret: Uint8Array) {
    this.#secrets!.set(secret, 0); // in place: the secret it replaces is gone (RFC 8446 §7.2)
  }
  get writeSecret(): Uint8Array | undefined {
    return secretAt(this.#secrets, this.#secretLength, 1);
  }
  set writeSecret(secret: Uint8Array) {
    this.#secrets!.set(secret, secret.length);
  }
  get exporterMasterSecret(): Uint8Array | undefined {
    return secretAt(this.#secrets, this.#secretLength, 2);
  }
  get resumptionMasterSecret(): Uint8Array | undefined {
    return secretAt(this.#secrets, this.#secretLength, 3);
  }
}

/** The application's exporter label and context, checked before anything is derived from them. */
function checkExporterArguments(label: unknown, context: unknown): void {
  if (typeof label !== 'string') throw new InvalidArgumentError('label', 'INVALID_ARGUMENT', 'must be a string');
  if (context !== undefined && !(context instanceof Uint8Array)) {
    throw new InvalidArgumentError('context', 'INVALID_ARGUMENT', 'must be a Uint8Array or undefined');
  }
}

// Bits of Established's #facts.
const PEER_VERIFIED = 1;
const HELLO_RETRIED = 2;
const PEER_POST_HANDSHAKE_AUTH = 4;

/**
 * A copy of the secret at `index` of `secrets` (each `length` bytes), taken apart from the array that a KeyUpdate
 * overwrites, if kept. A function rather than a private method: a class with private methods stores a brand in
 * every instance (8 bytes of every connection).
 */
function secretAt(secrets: Uint8Array | undefined, length: number, index: number): Uint8Array | undefined {
  if (secrets === undefined || secrets.length < (index + 1) * length) return undefined;
  return secrets.slice(index * length, (index + 1) * length);
}

/** Offered cipher suite lists seen by servers, by their text: clients of one kind all offer the same list. */
const suiteLists = new Map<string, readonly number[]>();
const MAX_SUITE_LISTS = 64;

/** Server names (SNI) seen by servers, so that connections to one name share its string. */
const serverNames = new Map<string, string>();
const MAX_SERVER_NAMES = 64;

/** `name`, or an equal string another connection keeps (a server decodes a new one from each ClientHello). */
function sharedServerName(name: string): string {
  const shared = serverNames.get(name);
  if (shared !== undefined) return shared;
  if (serverNames.size >= MAX_SERVER_NAMES) serverNames.delete(serverNames.keys().next().value!);
  serverNames.set(name, name);
  return name;
}

function sharedSuiteList(suites: readonly number[]): readonly number[] {
  const key = suites.join(',');
  let shared = suiteLists.get(key);
  if (shared === undefined) {
    shared = Object.freeze(suites.slice());
    if (suiteLists.size >= MAX_SUITE_LISTS) suiteLists.delete(suiteLists.keys().next().value!);
    suiteLists.set(key, shared);
  }
  return shared;
}

/**
 * `cert`'s DER to keep: the verified path's copy when it has the same bytes (the context's interned certificate,
 * shared by every connection that saw it), else its own (parseCertificate copied it out of the message: it holds
 * nothing else).
 */
function sharedDer(cert: Certificate, verified: readonly Certificate[] | undefined): Uint8Array {
  const shared = verified?.find((other) => other === cert || equalBytes(other.der, cert.der));
  return (shared ?? cert).der;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** V8's `Error.stackTraceLimit` (Node, Chromium, Deno); other engines have none and capture what they capture. */
const errorConstructor = Error as { stackTraceLimit?: number };

/**
 * Makes a flow-control error (`WantReadError`, `WantWriteError`) without capturing a stack trace. They are not
 * failures but "call again later", thrown many times a second by a busy connection (twice per transport read in the
 * async driver), and the stack capture is ~90% of their cost: ~7 µs against ~0.8 µs here. Nobody reads their stack.
 */
function flowControl<T extends TLSError>(make: () => T): T {
  const limit = errorConstructor.stackTraceLimit;
  if (limit === undefined) return make();
  errorConstructor.stackTraceLimit = 0;
  try {
    return make();
  } finally {
    errorConstructor.stackTraceLimit = limit;
  }
}

export type { PeerCertificateDict };
