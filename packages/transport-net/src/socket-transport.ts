import { connect as netConnect, type Socket } from 'node:net';
import { SysCallError } from '@tlsbio/errors';
import type { Transport, TransportInfo } from '@tlsbio/core';

/**
 * A {@link Transport} over a connected Node socket. Reads are pulled from the socket's own buffer (the socket is
 * paused whenever no read is pending, so a slow consumer applies TCP backpressure instead of growing memory);
 * writes resolve when the socket has flushed or accepted them, honouring `drain`.
 */
export function socketTransport(socket: Socket): Transport {
  let failure: SysCallError | undefined;
  let ended = false;
  let waiting: { resolve: (chunk: Uint8Array | null) => void; reject: (error: unknown) => void } | undefined;

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
  socket.on('readable', settle);
  socket.on('end', () => {
    ended = true;
    settle();
  });
  socket.on('error', (error) => {
    failure ??= new SysCallError(`socket error: ${error.message}`, { cause: error });
    settle();
  });
  socket.on('close', () => {
    ended = true;
    settle();
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
      return new Promise((resolve, reject) => {
        socket.write(bytes, (error) => (error ? reject(failure ?? new SysCallError(`write failed: ${error.message}`, { cause: error })) : resolve()));
      });
    },
    close() {
      if (socket.destroyed || socket.writableEnded) return Promise.resolve();
      return new Promise((resolve) => socket.end(resolve));
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
 * Opens a TCP connection and returns it as a {@link Transport} once connected.
 * @throws SysCallError with the socket error as `cause` (e.g. ECONNREFUSED).
 */
export function connectTcp(options: TcpConnectOptions): Promise<Transport> {
  return new Promise((resolve, reject) => {
    const socket = netConnect({ host: options.host, port: options.port, noDelay: options.noDelay ?? true });
    const onError = (error: Error) => reject(new SysCallError(`connect to ${options.host}:${options.port} failed: ${error.message}`, { cause: error }));
    socket.once('error', onError);
    socket.once('connect', () => {
      socket.off('error', onError);
      resolve(socketTransport(socket));
    });
  });
}
