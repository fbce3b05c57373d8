/**
 * The async driver (DESIGN.md §3, §6): the one pump loop of the project. It moves bytes between a {@link Transport}
 * and a {@link TLSConnection}'s BIO pair and shows the connection as a WinterTC-sockets-shaped stream pair.
 *
 * Theory of operation. Every engine call is synchronous; after each one the driver takes whatever the call left in
 * the outgoing BIO and appends it to a single *send chain* (one `transport.write()` after another, in order), so the
 * bytes of handshake flights, application data, KeyUpdate answers and alerts reach the transport in the order the
 * engine produced them, whichever path produced them. When a call throws `WantReadError`, the driver asks the
 * transport for more bytes through a single shared read: at most one `transport.read()` is in flight at any time,
 * whether the handshake, a readable pull or anything else asked for it.
 *
 * Backpressure. Reading is pull-driven: the readable has a high-water mark of zero, so the transport is read only
 * while a consumer waits for data (or the handshake needs bytes). Writing waits on the send chain: a
 * `writable.write()` resolves only once the transport has accepted every byte of it, so a peer that stops reading
 * stops our writer once the transport's own buffers are full. Neither side buffers without bound.
 *
 * Closing. TLS 1.3 closes each direction on its own (RFC 8446 §6.1): `writable.close()` sends close_notify, the
 * readable keeps delivering the peer's data until the peer's close_notify, and the transport is closed only once both
 * have happened. `close()` does both. `writable.abort()` and `readable.cancel()` abandon the connection: the
 * transport is closed at once, without close_notify, so the peer sees a truncation, not a clean end.
 *
 * Failures. The first error (a TLS error, a transport failure wrapped as `SysCallError`, an `EOFError` on a
 * truncated stream) errors both streams, rejects `opened` if the handshake had not completed, is sent as an alert
 * when the engine made one, and rejects `closed`, once the transport has been closed.
 *
 * No Node built-ins, no timers: the driver runs wherever WHATWG streams exist (browsers, Deno, workers, Node).
 */
import {
  EOFError,
  InvalidArgumentError,
  ProtocolError,
  SysCallError,
  WantReadError,
  WantWriteError,
  WantX509LookupError,
  ZeroReturnError,
} from '@tlsbio/errors';
import { MemoryBIO } from './bio/memory-bio.js';
import type { EarlyDataStatus, TLSConnection } from './connection.js';
import type { TLSContext } from './context.js';
import type { TLSSession } from './session/session.js';
import type { Transport, TransportInfo } from './transport.js';

/** RFC 8446 §5.2: a protected record is at most 2^14 + 256 bytes of fragment behind a 5-byte header. */
const MAX_RECORD = 5 + 16_384 + 256;
const DEFAULT_INCOMING_LIMIT = 64 * 1024;
/** Four records of the largest size: a 64 KiB write goes out as four full records in one transport write. */
const DEFAULT_OUTGOING_LIMIT = 4 * MAX_RECORD;
const EMPTY = new Uint8Array(0);

/** Options of {@link secure}. */
export interface SecureOptions {
  /** A client's server name: sent as SNI and checked against the certificate (required when the context checks it). */
  readonly serverHostname?: string;
  /** The application's own object, reachable from every context callback as `connection.appData`. */
  readonly appData?: unknown;
  /** A client's session to resume (see `WrapBioOptions.session`). */
  readonly session?: TLSSession;
  /**
   * Client: bytes to send as 0-RTT data (RFC 8446 §4.2.10) with the first flight, when `session` is a TLS 1.3
   * session whose ticket allows early data (as much as its max_early_data_size allows). The bytes arrive once either
   * way, before anything written to `writable`: what could not go early is sent as 1-RTT data after the handshake,
   * and so is early data the server rejected — unless the handshake agreed on another ALPN protocol than the
   * session's, when RFC 8446 §4.2.10 forbids sending it again on its own: then it is dropped,
   * `info().earlyDataResent` is false, and the application decides. `info().earlyData` says what happened.
   * Send only what is safe to replay (RFC 8446 §8): an attacker may replay 0-RTT data to the server.
   */
  readonly earlyData?: Uint8Array;
  /**
   * Most received ciphertext bytes handed to the engine at once: the incoming MemoryBIO's limit. A larger transport
   * chunk is fed in parts. Default 64 KiB.
   */
  readonly incomingLimit?: number;
  /**
   * The outgoing MemoryBIO's limit: most ciphertext bytes one engine call produces before the driver hands them to
   * the transport, and so how much a `writable.write()` sends before it waits for `transport.write()`. At least one
   * full record (16,645 bytes). Default 66,580 bytes (four full records).
   */
  readonly outgoingLimit?: number;
  /**
   * Called once if the connection fails, with the error `closed` rejects with, when `closed` rejects. For servers
   * holding many connections: one function can serve them all, where a handler on each connection's `closed` costs
   * it a pending promise, its resolvers and a reaction for as long as it lives. An exception it throws is ignored.
   */
  readonly onError?: (error: unknown, stream: SecureStream) => void;
}

/** Facts about a secured connection. Before the handshake completes the TLS fields are `null`. */
export interface SecureInfo {
  /** `'TLSv1.3'`. */
  readonly version: string | null;
  /** The cipher suite's IANA name, e.g. `'TLS_AES_128_GCM_SHA256'`. */
  readonly cipher: string | null;
  /** The key exchange group, e.g. `'x25519'`. */
  readonly group: string | null;
  /** The ALPN protocol agreed on. */
  readonly alpn: string | null;
  /**
   * The server name this connection was made for: on a client, the `serverHostname` it sent. (A server does not
   * yet see the client's SNI here: `TLSConnection` exposes no accessor for it; use the context's servername callback.)
   */
  readonly serverName: string | null;
  /** The peer's certificate as DER, or `null` when it sent none. */
  readonly peerCertificate: Uint8Array | null;
  /** Whether the handshake resumed a session. */
  readonly sessionReused: boolean;
  /**
   * Client: the newest resumable session (see `TLSConnection.session`). TLS 1.3 tickets arrive after the handshake,
   * read along with application data: `opened`'s info may have none yet, a later `info()` does; the context's
   * session callback hears of each as it arrives.
   */
  readonly session: TLSSession | undefined;
  /** Client: every session received so far, oldest first. */
  readonly sessions: readonly TLSSession[];
  /** What became of 0-RTT data: `'not_sent'`, `'pending'` (during the handshake), `'accepted'` or `'rejected'`. */
  readonly earlyData: EarlyDataStatus;
  /** Client: the driver sent the rejected (or not sent) part of `options.earlyData` again as 1-RTT data. */
  readonly earlyDataResent: boolean;
  /** The transport's own facts (addresses, kind). */
  readonly transport: TransportInfo;
}

/**
 * A TLS connection as a pair of streams, shaped like the WinterTC sockets API (`connect()`'s `Socket`).
 *
 * @example
 * const stream = secure(transport, context, { serverHostname: 'example.com' });
 * const { cipher } = await stream.opened;
 * const writer = stream.writable.getWriter();
 * await writer.write(new TextEncoder().encode('hello'));
 * await writer.close(); // close_notify; the readable still delivers the peer's answer
 * for await (const chunk of stream.readable) console.log(chunk);
 * await stream.closed;
 */
export interface SecureStream {
  /** The peer's application data. Ends at its close_notify; errors with `EOFError` when the stream was truncated. */
  readonly readable: ReadableStream<Uint8Array>;
  /** Our application data. `close()` sends close_notify; each `write()` resolves when the transport took its bytes. */
  readonly writable: WritableStream<Uint8Array>;
  /** Resolves when the handshake has completed; rejects with its error (after the alert was sent). */
  readonly opened: Promise<SecureInfo>;
  /** Resolves once both directions closed cleanly and the transport is closed; rejects with the connection's error. */
  readonly closed: Promise<void>;
  /**
   * Closes both directions gracefully: sends close_notify after the writes already accepted, then waits for the
   * peer's close_notify (discarding data nobody reads when the readable is not locked) and closes the transport.
   * Rejects with the connection's error, as `closed` does.
   */
  close(): Promise<void>;
  /**
   * The engine underneath, for questions the info does not answer (`getPeerCertChain()`, `sessionTickets`, ...).
   * Do not read, write or close through it: the driver owns its BIOs.
   */
  readonly connection: TLSConnection;
  /** Facts about the connection and its transport, as of now. */
  info(): SecureInfo;
  /**
   * Sends a KeyUpdate (RFC 8446 §4.6.3) after the data already accepted and switches to new write keys; with
   * `requestPeer` the peer is asked to update its own. Resolves once the transport took the message.
   * @throws {InvalidArgumentError} (as a rejection) after close_notify was sent; the connection's error after a failure.
   */
  keyUpdate(options?: { readonly requestPeer?: boolean }): Promise<void>;
  /**
   * Server, TLS 1.3: asks the client for a certificate now (post-handshake authentication, RFC 8446 §4.6.2; see
   * `TLSConnection.verifyClientPostHandshake`). Resolves once the transport took the request; the client's answer is
   * taken by the readable, after which `connection.getPeerCertificate()` describes it.
   * @throws {InvalidArgumentError} (as a rejection) when the connection cannot ask (see the engine's method).
   */
  verifyClientPostHandshake(): Promise<void>;
  /**
   * Server: the next chunk of the client's accepted 0-RTT data (see `TLSConnection.readEarlyData`), as soon as it
   * arrives, before the handshake completes; an empty array once no more can come (none offered, rejected, or the
   * client's EndOfEarlyData). Early data never appears on `readable`. Act only on requests safe to replay (RFC 8446 §8).
   * @example
   * for (let chunk = await stream.readEarlyData(); chunk.length > 0; chunk = await stream.readEarlyData()) handle(chunk);
   */
  readEarlyData(): Promise<Uint8Array>;
}

/**
 * Runs TLS over `transport` with `context`'s role and configuration. The handshake starts at once.
 *
 * @example
 * const server = secure(transport, serverContext);
 * await server.opened;
 * await server.readable.pipeTo(server.writable); // echo, until the peer's close_notify, then close_notify back
 *
 * @throws {InvalidArgumentError} synchronously for an unusable transport or limit, or what `context.wrapBio()` throws
 *   (a client context that checks host names without `serverHostname`, a server context without a certificate).
 *   Every later failure arrives through `opened`, `closed` and the streams: a TLS error ({@link ProtocolError},
 *   {@link AlertError}, {@link CertVerificationError}), {@link EOFError} for a truncated stream, {@link SysCallError}
 *   (with the transport's error as `cause`) when the transport fails.
 */
export function secure(transport: Transport, context: TLSContext, options: SecureOptions = {}): SecureStream {
  if (
    typeof transport !== 'object' ||
    transport === null ||
    typeof transport.read !== 'function' ||
    typeof transport.write !== 'function' ||
    typeof transport.close !== 'function' ||
    typeof transport.info !== 'function'
  ) {
    throw new InvalidArgumentError('transport', 'INVALID_ARGUMENT', 'must have read(), write(), close() and info()');
  }
  const incomingLimit = checkLimit('incomingLimit', options.incomingLimit, DEFAULT_INCOMING_LIMIT, 1);
  const outgoingLimit = checkLimit('outgoingLimit', options.outgoingLimit, DEFAULT_OUTGOING_LIMIT, MAX_RECORD);
  const incoming = new MemoryBIO({ limit: incomingLimit });
  const outgoing = new MemoryBIO({ limit: outgoingLimit });
  const wrapOptions: { serverHostname?: string; appData?: unknown; session?: TLSSession } = { appData: options.appData };
  if (options.serverHostname !== undefined) wrapOptions.serverHostname = options.serverHostname;
  if (options.session !== undefined) wrapOptions.session = options.session;
  const earlyData = options.earlyData;
  if (earlyData !== undefined && !(earlyData instanceof Uint8Array)) throw new InvalidArgumentError('earlyData', 'INVALID_ARGUMENT', 'must be a Uint8Array');
  const onError = options.onError;
  if (onError !== undefined && typeof onError !== 'function') throw new InvalidArgumentError('onError', 'INVALID_ARGUMENT', 'must be a function');
  const connection = context.wrapBio(incoming, outgoing, wrapOptions);
  const early = earlyData === undefined ? undefined : { data: earlyData.slice(), alpn: options.session?.alpn, resent: false };
  return new Driver(transport, connection, incoming, outgoing, onError, early);
}

/** Client 0-RTT data for the driver to send (see `SecureOptions.earlyData`). */
interface EarlyDataPlan {
  readonly data: Uint8Array;
  /** The ALPN protocol of the session it goes under: after a rejection it is sent again only under the same. */
  readonly alpn: string | undefined;
  /** Whether (part of) it went again as 1-RTT data. */
  resent: boolean;
}

function checkLimit(name: string, value: number | undefined, fallback: number, minimum: number): number {
  if (value === undefined) return fallback;
  if (!(Number.isSafeInteger(value) && value >= minimum)) {
    throw new InvalidArgumentError(name, 'INVALID_ARGUMENT', `must be an integer of at least ${minimum} bytes, got ${value}`);
  }
  return value;
}

const RESOLVED: Promise<void> = Promise.resolve();

const ignore = (): void => {};

/** A rejected promise whose rejection is marked handled: a caller that drops it is not reported. */
function rejected<T>(error: unknown): Promise<T> {
  const promise = Promise.reject(error);
  promise.catch(ignore);
  return promise as Promise<T>;
}

/** `opened`/`closed` not settled yet. */
const PENDING: unique symbol = Symbol('pending');
/** `opened`/`closed` settled successfully. Any other settled value is the error it was rejected with. */
const DONE: unique symbol = Symbol('done');

/**
 * A promise with its settle functions. A rejection is marked handled as it happens, so an unobserved one is not
 * reported (a handler attached up front would cost a promise and a reaction per connection for nothing).
 */
class Deferred<T> {
  readonly promise: Promise<T>;
  resolve!: (value: T) => void;
  #reject!: (error: unknown) => void;

  constructor() {
    this.promise = new Promise<T>((resolve, reject) => {
      this.resolve = resolve;
      this.#reject = reject;
    });
  }

  reject(error: unknown): void {
    this.promise.catch(ignore);
    this.#reject(error);
  }
}

/** A transport's failure as the error every caller sees: `SysCallError` with the original as `cause`. */
function transportError(operation: string, error: unknown): SysCallError {
  if (SysCallError.isInstance(error)) return error;
  const detail = error instanceof Error ? error.message : String(error);
  return new SysCallError(`transport ${operation} failed: ${detail}`, { cause: error });
}

/**
 * What a driver needs once its streams are made or it is closing: eight fields that an idle connection, whose
 * streams nobody touched, would otherwise carry empty (64 bytes of every connection), in one object made on first
 * use (see `Driver.#streamState`).
 */
class StreamState {
  readable: ReadableStream<Uint8Array> | undefined = undefined;
  writable: WritableStream<Uint8Array> | undefined = undefined;
  readableController: ReadableStreamDefaultController<Uint8Array> | undefined = undefined;
  writableController: WritableStreamDefaultController | undefined = undefined;
  readFinished: Deferred<void> | undefined = undefined;
  failing: Promise<void> | undefined = undefined;
  closingWrite: Promise<void> | undefined = undefined;
  writing: Promise<void> = RESOLVED;
}

/** The bits of `Driver.#flags`. */
const DriverFlag = {
  transportEnded: 1 << 0,
  closeNotifyQueued: 1 << 1,
  writeDone: 1 << 2,
  readDone: 1 << 3,
  finished: 1 << 4,
} as const;
type DriverFlag = (typeof DriverFlag)[keyof typeof DriverFlag];

/**
 * The driver is the stream it returns: one object per connection. The streams are made on first use of `readable`
 * and `writable` (an idle connection whose streams nobody touched costs no stream machinery), in the state the
 * connection has reached by then: errored after a failure. Likewise `opened` and `closed` are promises made when
 * asked for: a pending one is kept (with its resolvers) only while someone waits on it, and a settled one is made
 * afresh on each access (`opened` with the info as of then), so an idle connection holds neither.
 */
class Driver implements SecureStream {
  readonly #transport: Transport;
  readonly #connection: TLSConnection;
  readonly #incoming: MemoryBIO;
  readonly #outgoing: MemoryBIO;
  readonly #onError: ((error: unknown, stream: SecureStream) => void) | undefined;

  /** Every transport.write(), in order. Never rejects: a failure is recorded through #fail. */
  #sendChain: Promise<void> = RESOLVED;
  /** The transport.read() in flight, shared by whoever needs bytes. */
  #filling: Promise<void> | undefined;
  /** Received bytes that did not fit in the incoming BIO yet. */
  #carry: Uint8Array | undefined;

  /** PENDING, DONE, or the handshake's error. */
  #openedResult: unknown = PENDING;
  /** Whoever waits for the handshake, while it runs. */
  #openedWait: Deferred<SecureInfo> | undefined;
  /** PENDING, DONE (closed cleanly or abandoned), or the connection's error. */
  #closedResult: unknown = PENDING;
  #closedWait: Deferred<void> | undefined;
  /** The first failure or abandonment, once it happened: whoever waits on the transport stops waiting (#orDeath). */
  #death: { readonly error: unknown } | undefined;
  /** Rejecters of the waits in progress on the transport (#orDeath). */
  #waiters: Set<(error: unknown) => void> | undefined;

  /** The first failure; every later operation throws it. */
  #error: unknown;

  /**
   * The streams, their controllers and the closing's promises (see {@link StreamState}), made on first use: an idle
   * connection whose streams nobody touched and that is not closing holds none. Read and set through the accessors
   * below, under the names the fields had.
   */
  #streamState: StreamState | undefined;
  #streamStateMade(): StreamState {
    return (this.#streamState ??= new StreamState());
  }
  get #readable(): ReadableStream<Uint8Array> | undefined {
    return this.#streamState?.readable;
  }
  set #readable(value: ReadableStream<Uint8Array> | undefined) {
    this.#streamStateMade().readable = value;
  }
  get #writable(): WritableStream<Uint8Array> | undefined {
    return this.#streamState?.writable;
  }
  set #writable(value: WritableStream<Uint8Array> | undefined) {
    this.#streamStateMade().writable = value;
  }
  get #readableController(): ReadableStreamDefaultController<Uint8Array> | undefined {
    return this.#streamState?.readableController;
  }
  set #readableController(value: ReadableStreamDefaultController<Uint8Array> | undefined) {
    this.#streamStateMade().readableController = value;
  }
  get #writableController(): WritableStreamDefaultController | undefined {
    return this.#streamState?.writableController;
  }
  set #writableController(value: WritableStreamDefaultController | undefined) {
    this.#streamStateMade().writableController = value;
  }
  /** Settles once the readable is done (the peer's close_notify, or a failure); made when someone waits for it. */
  get #readFinished(): Deferred<void> | undefined {
    return this.#streamState?.readFinished;
  }
  set #readFinished(value: Deferred<void> | undefined) {
    this.#streamStateMade().readFinished = value;
  }
  get #failing(): Promise<void> | undefined {
    return this.#streamState?.failing;
  }
  set #failing(value: Promise<void> | undefined) {
    this.#streamStateMade().failing = value;
  }
  get #closingWrite(): Promise<void> | undefined {
    return this.#streamState?.closingWrite;
  }
  set #closingWrite(value: Promise<void> | undefined) {
    this.#streamStateMade().closingWrite = value;
  }
  /** The sink write in progress, so that an internal close waits for it. */
  get #writing(): Promise<void> {
    return this.#streamState?.writing ?? RESOLVED;
  }
  set #writing(value: Promise<void>) {
    this.#streamStateMade().writing = value;
  }

  /** Client: `options.earlyData`, the ALPN protocol of the session it goes under, and whether it went again as 1-RTT. */
  readonly #earlyData: EarlyDataPlan | undefined;

  /**
   * The driver's yes/no facts, one bit each (see {@link DriverFlag}): one field where five booleans took five (40
   * bytes of every connection). Read and set through the accessors below, under the names the fields had.
   */
  #flags = 0;
  #has(flag: DriverFlag): boolean {
    return (this.#flags & flag) !== 0;
  }
  #set(flag: DriverFlag, on: boolean): void {
    this.#flags = on ? this.#flags | flag : this.#flags & ~flag;
  }
  /** The transport's read() returned its end (null). */
  get #transportEnded(): boolean {
    return this.#has(DriverFlag.transportEnded);
  }
  set #transportEnded(on: boolean) {
    this.#set(DriverFlag.transportEnded, on);
  }
  /** Set (synchronously) when close_notify is handed to the engine: no engine write() after it. */
  get #closeNotifyQueued(): boolean {
    return this.#has(DriverFlag.closeNotifyQueued);
  }
  set #closeNotifyQueued(on: boolean) {
    this.#set(DriverFlag.closeNotifyQueued, on);
  }
  /** Our close_notify went out (the transport took it). */
  get #writeDone(): boolean {
    return this.#has(DriverFlag.writeDone);
  }
  set #writeDone(on: boolean) {
    this.#set(DriverFlag.writeDone, on);
  }
  /** The peer's close_notify arrived and the readable ended. */
  get #readDone(): boolean {
    return this.#has(DriverFlag.readDone);
  }
  set #readDone(on: boolean) {
    this.#set(DriverFlag.readDone, on);
  }
  /** The transport is being (or has been) closed: after both directions closed, or an abandonment. */
  get #finished(): boolean {
    return this.#has(DriverFlag.finished);
  }
  set #finished(on: boolean) {
    this.#set(DriverFlag.finished, on);
  }

  constructor(
    transport: Transport,
    connection: TLSConnection,
    incoming: MemoryBIO,
    outgoing: MemoryBIO,
    onError: ((error: unknown, stream: SecureStream) => void) | undefined,
    earlyData: EarlyDataPlan | undefined,
  ) {
    this.#onError = onError;
    this.#earlyData = earlyData;
    this.#transport = transport;
    this.#connection = connection;
    this.#incoming = incoming;
    this.#outgoing = outgoing;
    void this.#runHandshake();
  }

  get readable(): ReadableStream<Uint8Array> {
    return (this.#readable ??= this.#makeReadable());
  }

  get writable(): WritableStream<Uint8Array> {
    return (this.#writable ??= this.#makeWritable());
  }

  get connection(): TLSConnection {
    return this.#connection;
  }

  get opened(): Promise<SecureInfo> {
    const result = this.#openedResult;
    if (result === PENDING) return (this.#openedWait ??= new Deferred<SecureInfo>()).promise;
    return result === DONE ? Promise.resolve(this.#info()) : rejected(result);
  }

  get closed(): Promise<void> {
    const result = this.#closedResult;
    if (result === PENDING) return (this.#closedWait ??= new Deferred<void>()).promise;
    return result === DONE ? RESOLVED : rejected(result);
  }

  close(): Promise<void> {
    return this.#closeBoth();
  }

  info(): SecureInfo {
    return this.#info();
  }

  keyUpdate(options?: { readonly requestPeer?: boolean }): Promise<void> {
    return this.#keyUpdate(options);
  }

  verifyClientPostHandshake(): Promise<void> {
    return this.#verifyClientPostHandshake();
  }

  readEarlyData(): Promise<Uint8Array> {
    // Shares the transport reads with the handshake (#fill); whichever call takes the records, the engine keeps
    // early data for readEarlyData() and drives the handshake the same.
    return this.#drive(() => this.#connection.readEarlyData());
  }

  #makeReadable(): ReadableStream<Uint8Array> {
    return new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          this.#readableController = controller;
          // Made after a failure or an abandonment: it reports it, as it would have had it existed then.
          if (this.#error !== undefined) controller.error(this.#error);
        },
        pull: (controller) => this.#pull(controller),
        cancel: (reason) => this.#abandon(reason, 'readable'),
      },
      // Zero: pull only while a consumer waits, so an idle reader means no transport reads (the backpressure).
      { highWaterMark: 0 },
    );
  }

  #makeWritable(): WritableStream<Uint8Array> {
    return new WritableStream<Uint8Array>(
      {
        start: (controller) => {
          this.#writableController = controller;
          if (this.#error !== undefined) {
            controller.error(this.#error);
            return;
          }
          // WHATWG streams: abort() waits for the write in flight, which backpressure may hold for ever. The
          // controller's signal fires at once, so an abort always reaches the transport.
          const signal = (controller as { readonly signal?: AbortSignal }).signal;
          signal?.addEventListener('abort', () => void this.#abandon(signal.reason, 'writable'), { once: true });
        },
        write: (chunk) => {
          const writing = this.#write(chunk);
          this.#writing = writing.catch(() => {});
          return writing;
        },
        close: () => this.#closeWrite(),
        abort: (reason) => this.#abandon(reason, 'writable'),
      },
      { highWaterMark: 1 },
    );
  }

  /**
   * `work`'s outcome, unless the connection fails or is abandoned first: then that error. Nothing of the wait stays
   * on the driver once it settles (racing every read and write against one long-lived promise would leave a
   * reaction on it per call, growing for as long as the connection lives).
   */
  #orDeath<T>(work: Promise<T>): Promise<T> {
    const death = this.#death;
    if (death !== undefined) {
      work.catch(() => {});
      return Promise.reject(death.error);
    }
    return new Promise<T>((resolve, reject) => {
      const waiters = (this.#waiters ??= new Set());
      waiters.add(reject);
      // The set goes with its last member: an idle connection keeps none.
      const leave = () => {
        waiters.delete(reject);
        if (waiters.size === 0 && this.#waiters === waiters) this.#waiters = undefined;
      };
      work.then(
        (value) => {
          leave();
          resolve(value);
        },
        (error: unknown) => {
          leave();
          reject(error);
        },
      );
    });
  }

  /** The connection is dead (failed or abandoned): every wait on the transport rejects with `error`. */
  #die(error: unknown): void {
    this.#death = { error };
    const waiters = this.#waiters;
    this.#waiters = undefined;
    for (const reject of waiters ?? []) reject(error);
  }

  /** Settles once the readable is done: its end after the peer's close_notify, or the failure. */
  #readableDone(): Promise<void> {
    if (this.#readDone) return RESOLVED;
    if (this.#error !== undefined) return Promise.reject(this.#error);
    return (this.#readFinished ??= new Deferred<void>()).promise;
  }

  #info(): SecureInfo {
    const connection = this.#connection;
    return {
      version: connection.version(),
      cipher: connection.cipher()?.[0] ?? null,
      group: connection.group(),
      alpn: connection.selectedAlpnProtocol(),
      serverName: connection.requestedServerName() ?? connection.serverHostname ?? null,
      peerCertificate: connection.getPeerCertificate({ binary: true }),
      sessionReused: connection.sessionReused,
      session: connection.session,
      sessions: connection.sessions,
      earlyData: connection.earlyDataStatus,
      earlyDataResent: this.#earlyData?.resent ?? false,
      transport: this.#transport.info(),
    };
  }

  // ---- the handshake ----

  async #runHandshake(): Promise<void> {
    try {
      const sentEarly = await this.#writeEarlyData();
      await this.#drive(() => this.#connection.doHandshake());
      await this.#resendEarlyData(sentEarly);
      // The last flight (a client's Finished) is on its way: report success once the transport has taken it. A
      // server's flight went out before the client's Finished could arrive; what it sends on completion are
      // NewSessionTickets, post-handshake messages that a transport may hold until the client reads: not waited for.
      if (!this.#connection.serverSide) await this.#sent();
      this.#settleOpened(DONE);
    } catch (error) {
      // RFC 8446 §6.2: the alert goes out before the failure is reported.
      await this.#fail(error);
      this.#settleOpened(this.#error);
    }
  }

  /** Client: `options.earlyData` as 0-RTT data, as much as the session allows. Returns how much went. */
  async #writeEarlyData(): Promise<number> {
    const data = this.#earlyData?.data;
    if (data === undefined) return 0;
    let sent = 0;
    while (sent < data.length) {
      const taken = await this.#drive(() => this.#connection.writeEarlyData(data.subarray(sent)));
      if (taken === 0) break;
      sent += taken;
    }
    return sent;
  }

  /**
   * Client, after the handshake: sends what of `options.earlyData` the server did not take early — all of it after a
   * rejection, unless the ALPN protocol changed (RFC 8446 §4.2.10: "MUST NOT automatically resend early data unless
   * the negotiated connection selects the same ALPN protocol").
   */
  async #resendEarlyData(sentEarly: number): Promise<void> {
    const plan = this.#earlyData;
    if (plan === undefined) return;
    const { data } = plan;
    const connection = this.#connection;
    const status = connection.earlyDataStatus;
    let rest: Uint8Array;
    if (status === 'rejected') {
      if ((connection.selectedAlpnProtocol() ?? undefined) !== plan.alpn) return;
      rest = data;
    } else {
      rest = data.subarray(status === 'accepted' ? sentEarly : 0);
    }
    if (rest.length === 0) return;
    plan.resent = true;
    for (let offset = 0; offset < rest.length; ) {
      const chunk = rest.subarray(offset);
      offset += await this.#drive(() => connection.write(chunk));
    }
  }

  /** Settles `opened` (once): DONE or the error. */
  #settleOpened(result: unknown): void {
    if (this.#openedResult !== PENDING) return;
    this.#openedResult = result;
    const wait = this.#openedWait;
    this.#openedWait = undefined;
    if (wait === undefined) return;
    if (result === DONE) wait.resolve(this.#info());
    else wait.reject(result);
  }

  /** Settles `closed` (once): DONE or the error. */
  #settleClosed(result: unknown): void {
    if (this.#closedResult !== PENDING) return;
    this.#closedResult = result;
    const wait = this.#closedWait;
    this.#closedWait = undefined;
    if (result === DONE) {
      wait?.resolve();
      return;
    }
    wait?.reject(result);
    try {
      this.#onError?.(result, this);
    } catch {
      // The handler is the end of the line: its failure has nowhere to go.
    }
  }

  /** Resolves once the handshake has completed; rejects with its error. */
  #handshaken(): Promise<unknown> {
    return this.#openedResult === DONE ? RESOLVED : this.opened;
  }

  // ---- moving bytes ----

  /**
   * Calls `operation` until it completes: its output is sent after every attempt, and when it needs input the
   * transport is read. Returns its result, or throws its error (flow control aside).
   */
  async #drive<T>(operation: () => T, afterAttempt?: () => void): Promise<T> {
    for (;;) {
      this.#throwIfFailed();
      let result: T;
      try {
        result = operation();
      } catch (error) {
        const produced = this.#takeOutput();
        if (WantWriteError.isInstance(error)) continue; // the outgoing BIO is empty again: the engine can go on
        if (WantX509LookupError.isInstance(error)) {
          await this.#connection.pendingLookup; // a certificate callback's Promise; then the engine goes on
          continue;
        }
        if (!WantReadError.isInstance(error)) throw error;
        afterAttempt?.();
        // Output may still be queued inside the engine behind what the BIO held: let it place that first.
        if (produced) continue;
        await this.#fill();
        continue;
      }
      this.#takeOutput();
      afterAttempt?.();
      return result;
    }
  }

  /** Moves everything in the outgoing BIO onto the send chain. True when there was something. */
  #takeOutput(): boolean {
    if (this.#outgoing.pending === 0) return false;
    this.#send(this.#outgoing.read());
    return true;
  }

  /** Appends `bytes` to the send chain; the returned promise settles when the transport took them (or failed). */
  #send(bytes: Uint8Array): Promise<void> {
    const chain: Promise<void> = this.#sendChain.then(async () => {
      try {
        if (this.#error !== undefined && this.#failing === undefined) return;
        try {
          await this.#transport.write(bytes);
        } catch (error) {
          void this.#fail(transportError('write', error));
        }
      } finally {
        // Sent, and nothing queued behind: the chain starts again from the shared resolved promise.
        if (this.#sendChain === chain) this.#sendChain = RESOLVED;
      }
    });
    this.#sendChain = chain;
    return chain;
  }

  /** Waits until the transport took everything sent so far; throws the failure if the connection died meanwhile. */
  async #sent(): Promise<void> {
    await this.#orDeath(this.#sendChain);
    this.#throwIfFailed();
  }

  /**
   * Lets the engine place output it queued but did not move to the BIO during a read (KeyUpdate answers): an
   * empty write only drains the engine's queue. Not after close_notify, when the engine refuses writes (and answers
   * nothing any more).
   */
  #flushEngine(): void {
    const connection = this.#connection;
    if (this.#error !== undefined || this.#closeNotifyQueued || !connection.handshakeComplete) return;
    for (;;) {
      try {
        connection.write(EMPTY);
        this.#takeOutput();
        return;
      } catch (error) {
        this.#takeOutput();
        if (WantWriteError.isInstance(error)) continue;
        void this.#fail(error);
        return;
      }
    }
  }

  /** Puts more received bytes into the incoming BIO, reading the transport only when none are held back. */
  #fill(): Promise<void> {
    // Raced with the connection's death: a transport whose halves fail apart (a split transport's writer) may never
    // answer the read in flight, and whoever waits on it must hear of the failure.
    this.#filling ??= this.#orDeath(this.#readTransport()).finally(() => {
      this.#filling = undefined;
    });
    return this.#filling;
  }

  async #readTransport(): Promise<void> {
    if (this.#carry === undefined) {
      if (this.#transportEnded) {
        // The engine asked for bytes after it saw the end: it can only be a truncation (RFC 8446 §6.1).
        throw new EOFError();
      }
      let chunk: Uint8Array | null;
      try {
        chunk = await this.#transport.read();
      } catch (error) {
        const failure = transportError('read', error);
        void this.#fail(failure);
        throw failure;
      }
      this.#throwIfFailed();
      if (chunk === null) {
        this.#transportEnded = true;
        this.#incoming.writeEof();
        return;
      }
      if (chunk.length === 0) return;
      this.#carry = chunk;
    }
    const carry = this.#carry;
    // The engine moves the whole incoming BIO into its deframer before it asks for more, so there is room here;
    // a full BIO would mean a loop that never feeds the engine, which must fail rather than spin.
    const take = Math.min(carry.length, this.#incoming.space);
    if (take === 0) throw new ProtocolError('INTERNAL_ERROR', 'the engine asked for bytes with its incoming BIO full', { fault: 'local' });
    // A transport gives up what read() returned (see Transport.read): no copy on the way in.
    this.#incoming.writeOwned(carry.subarray(0, take));
    this.#carry = take === carry.length ? undefined : carry.subarray(take);
  }

  // ---- the readable ----

  async #pull(controller: ReadableStreamDefaultController<Uint8Array>): Promise<void> {
    try {
      await this.#handshaken();
      const data = await this.#drive(
        () => this.#connection.read(),
        () => this.#flushEngine(),
      );
      controller.enqueue(data);
      this.#enqueueReceived(controller);
    } catch (error) {
      if (ZeroReturnError.isInstance(error)) {
        // RFC 8446 §6.1: the peer's close_notify ends its direction only; ours stays open until we close it.
        this.#flushEngine();
        if (this.#error !== undefined) return;
        controller.close();
        this.#readDone = true;
        this.#readFinished?.resolve();
        void this.#finishIfDone();
        return;
      }
      void this.#fail(error);
    }
  }

  /**
   * Hands over, in the same pull, the plaintext of records already received: one pull per transport read rather than
   * one per record, and never a transport read (that waits for the next pull). Stops at the first call that would
   * need more bytes. Whatever else it throws (the peer's close_notify, a fatal error) is left for the next pull to
   * report: the engine throws it again then (its errors are sticky), and erroring the readable now would discard the
   * data just enqueued.
   */
  #enqueueReceived(controller: ReadableStreamDefaultController<Uint8Array>): void {
    const connection = this.#connection;
    for (;;) {
      let data: Uint8Array;
      try {
        data = connection.read();
      } catch (error) {
        this.#takeOutput(); // a fatal error's alert goes out now
        if (WantReadError.isInstance(error)) this.#flushEngine();
        return;
      }
      controller.enqueue(data);
    }
  }

  // ---- the writable ----

  async #write(chunk: Uint8Array): Promise<void> {
    if (!(chunk instanceof Uint8Array)) {
      const error = new InvalidArgumentError('chunk', 'INVALID_ARGUMENT', 'writable chunks must be Uint8Arrays');
      void this.#fail(error);
      throw error;
    }
    await this.#handshaken();
    if (this.#closeNotifyQueued) {
      throw new InvalidArgumentError('chunk', 'PROTOCOL_IS_SHUTDOWN', 'write after close(): close_notify was sent');
    }
    try {
      // write() takes as many whole records as the outgoing BIO has room for: at most `outgoingLimit` bytes of
      // ciphertext go to the transport before the writer waits for it.
      for (let offset = 0; offset < chunk.length; ) {
        const rest = chunk.subarray(offset);
        offset += await this.#drive(() => this.#connection.write(rest));
        // The backpressure: the writer waits until the transport took the bytes.
        await this.#sent();
      }
    } catch (error) {
      void this.#fail(error);
      throw this.#error ?? error;
    }
  }

  /** Sends close_notify once, after the sink's write in progress. The readable goes on (TLS 1.3 half-close). */
  #closeWrite(): Promise<void> {
    this.#closingWrite ??= (async () => {
      await this.#writing;
      await this.#handshaken();
      this.#throwIfFailed();
      this.#closeNotifyQueued = true;
      const connection = this.#connection;
      for (;;) {
        try {
          connection.unwrap();
        } catch (error) {
          this.#takeOutput();
          if (WantWriteError.isInstance(error)) continue;
          // WantRead: close_notify is out, the peer's has not arrived; the readable will see it.
          if (WantReadError.isInstance(error)) break;
          void this.#fail(error);
          throw this.#error ?? error;
        }
        this.#takeOutput();
        break;
      }
      await this.#sent();
      this.#writeDone = true;
      await this.#finishIfDone();
    })();
    return this.#closingWrite;
  }

  // ---- key update ----

  async #keyUpdate(options: { readonly requestPeer?: boolean } = {}): Promise<void> {
    await this.#handshaken();
    this.#throwIfFailed();
    if (this.#closeNotifyQueued) {
      throw new InvalidArgumentError('keyUpdate', 'PROTOCOL_IS_SHUTDOWN', 'after close(): close_notify was sent');
    }
    // The engine orders the KeyUpdate after every record it already produced; a full BIO makes it wait its turn.
    await this.#drive(() => this.#connection.keyUpdate({ requestPeer: options.requestPeer === true }));
    this.#flushEngine(); // a KeyUpdate record that did not fit in the BIO yet
    await this.#sent();
  }

  async #verifyClientPostHandshake(): Promise<void> {
    await this.#handshaken();
    this.#throwIfFailed();
    await this.#drive(() => this.#connection.verifyClientPostHandshake());
    this.#flushEngine(); // a request that did not fit in the BIO yet
    await this.#sent();
  }

  // ---- closing ----

  async #closeBoth(): Promise<void> {
    await this.#closeWrite();
    const readable = this.readable;
    if (!readable.locked) {
      // Nobody reads: take (and drop) the peer's data until its close_notify, so that the close is a clean one.
      const reader = readable.getReader();
      try {
        while (!(await reader.read()).done);
      } finally {
        reader.releaseLock();
      }
    } else {
      await this.#readableDone();
    }
    await this.closed;
  }

  /** Closes the transport once both directions have closed cleanly. */
  async #finishIfDone(): Promise<void> {
    if (!this.#writeDone || !this.#readDone || this.#finished || this.#error !== undefined) return;
    this.#finished = true;
    try {
      await this.#transport.close();
    } catch (error) {
      const failure = transportError('close', error);
      this.#error = failure;
      this.#settleClosed(failure);
      return;
    }
    this.#settleClosed(DONE);
  }

  /**
   * The user gave up one side (`readable.cancel()`, `writable.abort()`): the connection is abandoned without
   * close_notify, so the peer sees a truncation. `closed` resolves: nothing failed. The other stream, and `opened` if
   * still pending, fail with the reason: `writable.abort()` without one gives the platform's `AbortError`, a
   * `readable.cancel()` without one a `SysCallError` (`PROTOCOL_IS_SHUTDOWN`).
   */
  async #abandon(reason: unknown, side: 'readable' | 'writable'): Promise<void> {
    if (this.#error !== undefined || this.#finished) return;
    this.#finished = true;
    const error =
      reason !== undefined
        ? reason
        : new SysCallError(`the ${side} side was ${side === 'readable' ? 'cancelled' : 'aborted'}: the connection is closed`, {
            reason: 'PROTOCOL_IS_SHUTDOWN',
          });
    this.#error = error;
    this.#settleOpened(error);
    this.#readFinished?.reject(error);
    this.#die(error);
    if (side === 'readable') this.#writableController?.error(error);
    else this.#readableController?.error(error);
    try {
      await this.#transport.close();
    } catch {
      // The transport failed while we left it: nothing more to report than the abandonment itself.
    }
    this.#settleClosed(DONE);
  }

  /**
   * Records the first failure: errors both streams, sends what the engine left (its alert), closes the transport,
   * and rejects `closed`. Idempotent; the returned promise settles when all of that is done.
   */
  #fail(error: unknown): Promise<void> {
    if (this.#failing !== undefined) return this.#failing;
    if (this.#error !== undefined) return Promise.resolve(); // abandoned or closed already
    this.#error = error;
    this.#readableController?.error(error);
    this.#writableController?.error(error);
    this.#readFinished?.reject(error);
    this.#die(error);
    // The engine queued its alert (if any) when it failed: move it to the send chain, then close.
    try {
      this.#takeOutput();
    } catch {
      // Nothing to send.
    }
    this.#failing = (async () => {
      await this.#sendChain;
      try {
        await this.#transport.close();
      } catch {
        // The transport is already broken; the error being reported is the first one.
      }
      this.#settleClosed(error);
    })();
    return this.#failing;
  }

  #throwIfFailed(): void {
    if (this.#error !== undefined) throw this.#error;
  }
}
