import { X509Certificate } from 'node:crypto';
import type { PeerCertificate } from 'node:tls';
import { isIP, type AddressInfo, type Socket } from 'node:net';
import { Duplex } from 'node:stream';
import type { SecureInfo, SecureStream } from '@tlsbio/core';
import { socketOf } from './socket-registry.js';

/** Options of {@link toDuplex}. */
export interface DuplexOptions {
  /**
   * Keep our side open after the peer's close_notify (TLS 1.3 half-close), until `end()`. Default `false`, as for
   * `net.Socket` and `tls.TLSSocket`: the peer's end ends ours (close_notify back) and the socket is destroyed.
   */
  readonly allowHalfOpen?: boolean;
  /** An idle timeout, as `socket.setTimeout(ms)`: emits `'timeout'` after that long without reads or writes. */
  readonly timeout?: number;
}

/**
 * A secure stream as a Node `Duplex` that quacks like a `tls.TLSSocket` as far as `http`, `https` and stream
 * libraries look: `connecting`, `encrypted`, `authorized`, `alpnProtocol`, `getPeerCertificate()`, `getProtocol()`,
 * `getCipher()`, `getSession()`, `isSessionReused()`, `setTimeout()`, `setNoDelay()`, `setKeepAlive()`,
 * `ref()`/`unref()`, `destroySoon()`, the addresses, and the events `'connect'`, `'secureConnect'`, `'session'`,
 * `'timeout'`.
 *
 * `end()` sends close_notify; `destroy()` before both directions closed drops the connection without it (the peer
 * sees a truncation) and releases the socket. Errors are the stream's: TLS errors, or `SysCallError` with the socket
 * error as `cause`.
 */
export class SecureSocket extends Duplex {
  /** True until the handshake has completed (then `'secureConnect'`), as on a `tls.TLSSocket`. */
  connecting = true;
  readonly encrypted = true;
  /** True once the handshake completed with the server's certificate verified (a verifying context). */
  authorized = false;
  /** Why `authorized` is false after the handshake. */
  authorizationError: Error | null = null;
  /** The ALPN protocol agreed on, or `false`. */
  alpnProtocol: string | false = false;

  #stream: SecureStream | undefined;
  #reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  #writer: WritableStreamDefaultWriter<Uint8Array> | undefined;
  readonly #ready: Promise<SecureStream>;
  #socket: Socket | undefined;
  #pumping = false;
  #readEnded = false;
  #timeoutMs = 0;
  #timer: NodeJS.Timeout | undefined;
  /** The sessions `'session'` has announced. */
  readonly #announced = new WeakSet<object>();

  /** @internal Use {@link toDuplex} or `createConnection()`. */
  constructor(stream: Promise<SecureStream>, options: DuplexOptions & { readonly socket?: Promise<Socket> } = {}) {
    super({ allowHalfOpen: options.allowHalfOpen ?? false, decodeStrings: true });
    if (options.timeout !== undefined) this.setTimeout(options.timeout);
    options.socket?.then(
      (socket) => {
        this.#socket ??= socket;
        this.emit('connect');
      },
      () => {},
    );
    this.#ready = stream.then(async (secured) => {
      await secured.opened;
      this.#stream = secured;
      this.#socket ??= socketOf(secured);
      this.#reader = secured.readable.getReader();
      this.#writer = secured.writable.getWriter();
      const info = secured.info();
      this.connecting = false;
      this.alpnProtocol = info.alpn ?? false;
      const verified = secured.connection.context.verifyMode !== 'none';
      this.authorized = verified;
      this.authorizationError = verified ? null : new Error('certificate verification is turned off (rejectUnauthorized: false)');
      this.#touch();
      this.emit('secureConnect');
      this.#announceSessions();
      return secured;
    });
    this.#ready.catch((error: unknown) => this.destroy(error as Error));
  }

  // ---- Duplex ----

  override _read(): void {
    if (this.#pumping) return;
    this.#pumping = true;
    void this.#pump();
  }

  async #pump(): Promise<void> {
    try {
      await this.#ready;
      const reader = this.#reader!;
      for (;;) {
        const { value, done } = await reader.read();
        if (done) {
          this.#announceSessions();
          this.#readEnded = true;
          this.push(null);
          return;
        }
        this.#touch();
        // TLS 1.3 tickets arrive along with the data.
        this.#announceSessions();
        if (!this.push(value)) break;
      }
      this.#pumping = false;
    } catch (error) {
      this.destroy(error as Error);
    }
  }

  override _write(chunk: Uint8Array, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.#ready
      .then(() => this.#writer!.write(chunk))
      .then(
        () => {
          this.#touch();
          callback();
        },
        (error: Error) => callback(error),
      );
  }

  /** `end()`: close_notify, after every byte written before it. */
  override _final(callback: (error?: Error | null) => void): void {
    this.#ready.then(() => this.#writer!.close()).then(
      () => callback(),
      (error: Error) => callback(error),
    );
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#clearTimer();
    const stream = this.#stream;
    if (stream === undefined) {
      // Still connecting: the socket (if any) goes, and the handshake's own failure (if any) is moot.
      void this.#ready.catch(() => {});
      this.#socket?.destroy();
      callback(error);
      return;
    }
    if (error === null && this.#readEnded && this.writableFinished) {
      // Both close_notifys went across: let the driver close the socket gracefully.
      stream.closed.then(
        () => callback(null),
        (failure: Error) => callback(failure),
      );
      return;
    }
    // Dropped early: no close_notify from us, so the peer sees a truncation, not a clean end.
    this.#reader?.cancel(error ?? undefined).catch(() => {});
    this.#socket?.destroy();
    callback(error);
  }

  // ---- what net.Socket and tls.TLSSocket users call ----

  /** Ends our side, then destroys the socket once the close_notify is out (what `http` calls after a response). */
  destroySoon(): void {
    if (this.writable) this.end();
    if (this.writableFinished) this.destroy();
    else this.once('finish', () => this.destroy());
  }

  /**
   * Emits `'timeout'` after `ms` without reads or writes (0 turns it off), as `net.Socket#setTimeout`. Like Node, it
   * does not close anything: the listener decides.
   */
  setTimeout(ms: number, callback?: () => void): this {
    this.#timeoutMs = ms;
    if (callback !== undefined) {
      if (ms === 0) this.off('timeout', callback);
      else this.once('timeout', callback);
    }
    this.#clearTimer();
    this.#touch();
    return this;
  }

  /** Disables (or re-enables) Nagle's algorithm on the TCP socket below; a no-op over other transports. */
  setNoDelay(noDelay = true): this {
    this.#whenSocket((socket) => socket.setNoDelay(noDelay));
    return this;
  }

  /** TCP keep-alive on the socket below; a no-op over other transports. */
  setKeepAlive(enable = false, initialDelay = 0): this {
    this.#whenSocket((socket) => socket.setKeepAlive(enable, initialDelay));
    return this;
  }

  ref(): this {
    this.#whenSocket((socket) => socket.ref());
    return this;
  }

  unref(): this {
    this.#whenSocket((socket) => socket.unref());
    return this;
  }

  address(): AddressInfo | Record<string, never> {
    const info = this.#transportInfo();
    if (info?.localAddress === undefined || info.localPort === undefined) return {};
    return { address: info.localAddress, port: info.localPort, family: familyOf(info.localAddress) };
  }

  get remoteAddress(): string | undefined {
    return this.#transportInfo()?.remoteAddress;
  }
  get remotePort(): number | undefined {
    return this.#transportInfo()?.remotePort;
  }
  get remoteFamily(): string | undefined {
    const address = this.remoteAddress;
    return address === undefined ? undefined : familyOf(address);
  }
  get localAddress(): string | undefined {
    return this.#transportInfo()?.localAddress;
  }
  get localPort(): number | undefined {
    return this.#transportInfo()?.localPort;
  }

  /** The server name: the SNI a client sent, or the one a client connected for. */
  get servername(): string | false {
    return this.#stream?.info().serverName ?? false;
  }

  /** The secure stream underneath (once connected), for what this class does not mirror. */
  get secureStream(): SecureStream | undefined {
    return this.#stream;
  }

  /** `tls.TLSSocket#getProtocol()`: `'TLSv1.3'`, or `null` before the handshake. */
  getProtocol(): string | null {
    return this.#stream?.info().version ?? null;
  }

  /** `tls.TLSSocket#getCipher()`. */
  getCipher(): { name: string; standardName: string; version: string } | undefined {
    const info = this.#stream?.info();
    if (info?.cipher == null) return undefined;
    return { name: info.cipher, standardName: info.cipher, version: info.version ?? 'TLSv1.3' };
  }

  /** The peer's certificate in Node's legacy object shape (`subject`, `issuer`, `valid_to`, `raw`, ...), or `{}`. */
  getPeerCertificate(): PeerCertificate | Record<string, never> {
    const der = this.#stream?.info().peerCertificate;
    if (der == null) return {};
    return new X509Certificate(der).toLegacyObject();
  }

  /**
   * `tls.TLSSocket#getSession()`: the newest session the server gave, serialised (pass it as `createConnection`'s
   * `session` to resume), or `undefined` while there is none (TLS 1.3 tickets come after the handshake: listen for
   * `'session'`). It holds the session's secret: keep it as you would a key.
   */
  getSession(): Buffer | undefined {
    const session = this.#stream?.info().session;
    return session === undefined ? undefined : Buffer.from(session.toBytes());
  }

  /** Whether the handshake resumed a session. */
  isSessionReused(): boolean {
    return this.#stream?.info().sessionReused ?? false;
  }

  /** Facts about the TLS session and its transport. */
  info(): SecureInfo | undefined {
    return this.#stream?.info();
  }

  #transportInfo(): SecureInfo['transport'] | undefined {
    if (this.#stream !== undefined) return this.#stream.info().transport;
    const socket = this.#socket;
    return socket === undefined ? undefined : { kind: 'tcp', localAddress: socket.localAddress, localPort: socket.localPort, remoteAddress: socket.remoteAddress, remotePort: socket.remotePort };
  }

  /** Emits `'session'` (the serialised session, as Node does) for each session received since the last call. */
  #announceSessions(): void {
    for (const session of this.#stream?.connection.sessions ?? []) {
      if (this.#announced.has(session)) continue;
      this.#announced.add(session);
      this.emit('session', Buffer.from(session.toBytes()));
    }
  }

  #whenSocket(apply: (socket: Socket) => void): void {
    if (this.#socket !== undefined) apply(this.#socket);
    else void this.#ready.then(() => this.#socket !== undefined && apply(this.#socket), () => {});
  }

  /** Activity: the idle timer starts again. */
  #touch(): void {
    if (this.#timeoutMs <= 0 || this.destroyed) return;
    if (this.#timer !== undefined) {
      this.#timer.refresh();
      return;
    }
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.emit('timeout');
    }, this.#timeoutMs);
    // Like a socket's own timeout, it does not keep the process alive.
    this.#timer.unref();
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}

function familyOf(address: string): string {
  return isIP(address) === 6 ? 'IPv6' : 'IPv4';
}

/**
 * A secure stream (from `connect()`, `createServer()`, or `secure()` over any transport) as a Node `Duplex`, for code
 * written against sockets: `http.createServer().emit('connection', toDuplex(stream))`, `stream.pipeline`, protocol
 * libraries that take a socket. Take it before reading or writing the stream yourself: it locks both sides.
 *
 * @example
 * const web = http.createServer((req, res) => res.end('hello over tlsbio\n'));
 * const server = createServer({ context }, (stream) => web.emit('connection', toDuplex(stream)));
 * await server.listen(8443);
 *
 * Failures arrive as `'error'` events: the handshake's, the connection's, or a `TypeError` when the stream's readable
 * or writable was already locked.
 */
export function toDuplex(stream: SecureStream | Promise<SecureStream>, options: DuplexOptions = {}): SecureSocket {
  return new SecureSocket(Promise.resolve(stream), options);
}
