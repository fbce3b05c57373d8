import { connect as netConnect, type Socket } from 'node:net';
import { SysCallError } from '@tlsbio/errors';
import type { Transport, TransportInfo } from '@tlsbio/core';

/**
 * A {@link Transport} over a connected Node socket.
 *
 * Reads are pulled from the socket's own buffer: the socket is paused whenever no read is pending, so a slow
 * consumer applies TCP backpressure instead of growing memory. A write resolves at once while the socket's write
 * buffer is under its high-water mark, else on `drain` (ws-style backpressure). `close()` ends our side with a FIN
 * (`socket.end()`); for TLS 1.3 half-close the socket should be made with `allowHalfOpen: true`, so that the peer's
 * FIN does not end our side behind our back. Failures are `SysCallError`s with the socket error as `cause`.
 *
 * @example
 * const server = net.createServer({ allowHalfOpen: true }, (socket) => {
 *   const stream = secure(socketTransport(socket), serverContext);
 * });
 */
export function socketTransport(socket: Socket): Transport {
  return new SocketTransport(socket);
}

/** Writes waiting for `drain`. */
interface Drainer {
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * The transport of {@link socketTransport}. One object per socket with its state in fields, and the socket's event
 * listeners shared by every socket (they find their transport through {@link transports}): an idle connection pays
 * for this object and a map entry, not for a dozen closures.
 */
class SocketTransport implements Transport {
  readonly #socket: Socket;
  /** A closed socket still answers its remote address and port (Node keeps what it fetched), not its local ones. */
  readonly #localAddress: string | undefined;
  readonly #localPort: number | undefined;
  #failure: SysCallError | undefined;
  #ended = false;
  #resolveRead: ((chunk: Uint8Array | null) => void) | undefined;
  #rejectRead: ((error: unknown) => void) | undefined;
  #draining: Drainer[] | undefined;

  constructor(socket: Socket) {
    this.#socket = socket;
    // Node forgets a socket's addresses once it closes; they are facts of the connection, so fetch them now. The
    // remote ones stay on the socket (Node keeps what it fetched); the local ones are kept here.
    void socket.remoteAddress;
    this.#localAddress = socket.localAddress;
    this.#localPort = socket.localPort;
    transports.set(socket, this);
    socket.pause();
    socket.on('readable', onReadable);
    socket.on('end', onEnd);
    socket.on('error', onError);
    socket.on('close', onClose);
  }

  read(): Promise<Uint8Array | null> {
    if (this.#resolveRead !== undefined) return Promise.reject(new SysCallError('read() called while another read() is pending'));
    return new Promise((resolve, reject) => {
      this.#resolveRead = resolve;
      this.#rejectRead = reject;
      this.settle();
    });
  }

  write(bytes: Uint8Array): Promise<void> {
    const socket = this.#socket;
    if (this.#failure) return Promise.reject(this.#failure);
    if (socket.destroyed || socket.writableEnded) {
      return Promise.reject(new SysCallError('write on a closed socket', { cause: Object.assign(new Error('write after end'), { code: 'EPIPE' }) }));
    }
    return new Promise((resolve, reject) => {
      const room = socket.write(bytes, (error) => {
        if (error) reject(this.#failure ?? new SysCallError(`write failed: ${error.message}`, { cause: error }));
      });
      if (room) resolve();
      else {
        if (this.#draining === undefined) {
          this.#draining = [];
          socket.once('drain', onDrain);
        }
        this.#draining.push({ resolve, reject });
      }
    });
  }

  close(): Promise<void> {
    const socket = this.#socket;
    if (socket.destroyed || socket.writableEnded) return Promise.resolve();
    return new Promise((resolve) => {
      socket.once('close', () => resolve());
      socket.end(() => resolve());
    });
  }

  info(): TransportInfo {
    const socket = this.#socket;
    return {
      kind: 'tcp',
      localAddress: this.#localAddress,
      localPort: this.#localPort,
      remoteAddress: socket.remoteAddress,
      remotePort: socket.remotePort,
    };
  }

  /**
   * Answers the pending read, if any: the socket's next chunk, its end, or its failure. Bytes the socket received
   * before it failed come first: Node keeps them readable after destroying a socket (a failed write destroys it), and
   * they may be the peer's last records — its close_notify before it reset the connection. @internal
   */
  settle(): void {
    const resolve = this.#resolveRead;
    if (resolve === undefined) return;
    const chunk = this.#socket.read() as Uint8Array | null;
    if (chunk === null && this.#failure) {
      const reject = this.#rejectRead!;
      this.#resolveRead = this.#rejectRead = undefined;
      reject(this.#failure);
      return;
    }
    if (chunk !== null || this.#ended) {
      this.#resolveRead = this.#rejectRead = undefined;
      // A Buffer is a Uint8Array; hand out a plain view so nothing above depends on Buffer.
      resolve(chunk === null ? null : new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    }
  }

  /** The socket ended (FIN) or closed. @internal */
  end(): void {
    this.#ended = true;
    this.settle();
  }

  /** The socket failed: the pending read and the writes waiting for room fail with it. @internal */
  fail(error: Error): void {
    this.#failure ??= new SysCallError(`socket error: ${error.message}`, { cause: error });
    this.settle();
    this.failWriters();
  }

  /** The socket has room again. @internal */
  drained(): void {
    const draining = this.#draining;
    this.#draining = undefined;
    for (const writer of draining ?? []) writer.resolve();
  }

  /** Fails the writes waiting for `drain`, which will not come. @internal */
  failWriters(): void {
    const draining = this.#draining;
    this.#draining = undefined;
    if (draining === undefined) return;
    this.#socket.off('drain', onDrain);
    for (const writer of draining) writer.reject(this.#failure ?? new SysCallError('the socket closed before its buffer drained'));
  }
}

/** Each socket's transport, for the shared listeners below (Node calls a listener with the socket as `this`). */
const transports = new WeakMap<Socket, SocketTransport>();

function onReadable(this: Socket): void {
  transports.get(this)?.settle();
}

function onEnd(this: Socket): void {
  transports.get(this)?.end();
}

function onError(this: Socket, error: Error): void {
  transports.get(this)?.fail(error);
}

function onClose(this: Socket): void {
  const transport = transports.get(this);
  transport?.end();
  transport?.failWriters();
}

function onDrain(this: Socket): void {
  transports.get(this)?.drained();
}

export interface TcpConnectOptions {
  host: string;
  port: number;
  /** Disable Nagle's algorithm (default true: TLS records are already coalesced). */
  noDelay?: boolean;
}

/**
 * Opens a TCP connection (half-open allowed, as TLS 1.3's half-close needs) and returns it as a {@link Transport}
 * once connected.
 * @throws SysCallError with the socket error as `cause` (e.g. ECONNREFUSED).
 */
export function connectTcp(options: TcpConnectOptions): Promise<Transport> {
  return connectSocket(options).then(socketTransport);
}

/** Opens a TCP socket; resolves once connected. @internal */
export function connectSocket(options: TcpConnectOptions & { signal?: AbortSignal }): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = netConnect({ host: options.host, port: options.port, noDelay: options.noDelay ?? true, allowHalfOpen: true });
    const onError = (error: Error) => {
      options.signal?.removeEventListener('abort', onAbort);
      reject(new SysCallError(`connect to ${options.host}:${options.port} failed: ${error.message}`, { cause: error }));
    };
    const onAbort = () => socket.destroy(options.signal?.reason instanceof Error ? options.signal.reason : new Error('aborted'));
    options.signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('error', onError);
    socket.once('connect', () => {
      socket.off('error', onError);
      options.signal?.removeEventListener('abort', onAbort);
      resolve(socket);
    });
  });
}
