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
  let failure: SysCallError | undefined;
  let ended = false;
  let waiting: { resolve: (chunk: Uint8Array | null) => void; reject: (error: unknown) => void } | undefined;
  /** Writes waiting for `drain`. */
  const draining: Array<{ resolve: () => void; reject: (error: unknown) => void }> = [];

  // Node forgets a socket's addresses once it closes; they are facts of the connection, so keep them.
  const facts: TransportInfo = {
    kind: 'tcp',
    localAddress: socket.localAddress,
    localPort: socket.localPort,
    remoteAddress: socket.remoteAddress,
    remotePort: socket.remotePort,
  };
  socket.pause();
  const settle = () => {
    if (!waiting) return;
    if (failure) {
      const { reject } = waiting;
      waiting = undefined;
      reject(failure);
      return;
    }
    const chunk = socket.read() as Uint8Array | null;
    if (chunk !== null || ended) {
      const { resolve } = waiting;
      waiting = undefined;
      // A Buffer is a Uint8Array; hand out a plain view so nothing above depends on Buffer.
      resolve(chunk === null ? null : new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    }
  };
  const failWriters = () => {
    for (const writer of draining.splice(0)) writer.reject(failure ?? new SysCallError('the socket closed before its buffer drained'));
  };
  socket.on('readable', settle);
  socket.on('end', () => {
    ended = true;
    settle();
  });
  socket.on('drain', () => {
    for (const writer of draining.splice(0)) writer.resolve();
  });
  socket.on('error', (error: Error) => {
    failure ??= new SysCallError(`socket error: ${error.message}`, { cause: error });
    settle();
    failWriters();
  });
  socket.on('close', () => {
    ended = true;
    settle();
    failWriters();
  });

  return {
    read() {
      if (waiting) return Promise.reject(new SysCallError('read() called while another read() is pending'));
      return new Promise((resolve, reject) => {
        waiting = { resolve, reject };
        settle();
      });
    },
    write(bytes) {
      if (failure) return Promise.reject(failure);
      if (socket.destroyed || socket.writableEnded) {
        return Promise.reject(new SysCallError('write on a closed socket', { cause: Object.assign(new Error('write after end'), { code: 'EPIPE' }) }));
      }
      return new Promise((resolve, reject) => {
        const room = socket.write(bytes, (error) => {
          if (error) reject(failure ?? new SysCallError(`write failed: ${error.message}`, { cause: error }));
        });
        if (room) resolve();
        else draining.push({ resolve, reject });
      });
    },
    close() {
      if (socket.destroyed || socket.writableEnded) return Promise.resolve();
      return new Promise((resolve) => {
        socket.once('close', () => resolve());
        socket.end(() => resolve());
      });
    },
    info: () => facts,
  };
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
