import { EOFError, SysCallError } from '@tlsbio/errors';
import type { Transport, TransportInfo } from '@tlsbio/core';

/** The part of the WHATWG `WebSocket` we use: browsers, Deno, Workers and the `ws` package all provide it. */
export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  readonly bufferedAmount: number;
  readonly url: string;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open' | 'message' | 'close' | 'error', listener: (event: any) => void): void;
}

export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocketLike;

export interface WebSocketTransportOptions {
  /** Pause writes while more than this many bytes are queued in the socket (default 1 MiB). */
  highWaterMark?: number;
}

const OPEN = 1;
/** Close codes after which the stream ended as intended (RFC 6455 §7.4.1: normal closure, going away). */
const CLEAN_CLOSE_CODES = new Set([1000, 1001]);

/**
 * A {@link Transport} over an open WebSocket, one binary frame per write (the websockify convention).
 * Text frames are a protocol violation and fail the transport. A close with a code other than 1000/1001 ends reads
 * with `EOFError`; a socket error surfaces as `SysCallError`.
 */
export function webSocketTransport(socket: WebSocketLike, options: WebSocketTransportOptions = {}): Transport {
  const highWaterMark = options.highWaterMark ?? 1 << 20;
  socket.binaryType = 'arraybuffer';
  const chunks: Uint8Array[] = [];
  let ended = false;
  let failure: Error | undefined;
  let waiting: { resolve: (chunk: Uint8Array | null) => void; reject: (error: unknown) => void } | undefined;

  const settle = () => {
    if (!waiting) return;
    const { resolve, reject } = waiting;
    const chunk = chunks.shift();
    if (chunk) resolve(chunk);
    else if (failure) reject(failure);
    else if (ended) resolve(null);
    else return;
    waiting = undefined;
  };
  socket.addEventListener('message', (event: { data: unknown }) => {
    if (event.data instanceof ArrayBuffer) chunks.push(new Uint8Array(event.data));
    else {
      failure ??= new SysCallError('received a text frame on a binary TLS tunnel');
      socket.close(1003, 'binary frames only');
    }
    settle();
  });
  socket.addEventListener('close', (event: { code: number; reason: string }) => {
    ended = true;
    if (!CLEAN_CLOSE_CODES.has(event.code)) {
      failure ??= new EOFError(`WebSocket closed with code ${event.code}${event.reason ? ` (${event.reason})` : ''}`);
    }
    settle();
  });
  socket.addEventListener('error', () => {
    failure ??= new SysCallError('WebSocket error');
    settle();
  });

  const drained = async () => {
    // The WebSocket API has no drain event: poll bufferedAmount, as browsers leave us no better signal.
    while (socket.bufferedAmount > highWaterMark && socket.readyState === OPEN) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };

  return {
    read() {
      if (waiting) return Promise.reject(new SysCallError('read() called while another read() is pending'));
      return new Promise((resolve, reject) => {
        waiting = { resolve, reject };
        settle();
      });
    },
    async write(bytes) {
      if (failure) throw failure;
      if (socket.readyState !== OPEN) throw new SysCallError('write on a WebSocket that is not open');
      socket.send(bytes);
      await drained();
    },
    async close() {
      if (socket.readyState === OPEN) socket.close(1000);
    },
    info: (): TransportInfo => ({ kind: 'websocket', url: socket.url }),
  };
}

/**
 * Opens a WebSocket to `url` and resolves with a transport once it is open. `WebSocket` defaults to the platform's
 * global; on Node 20 pass the `ws` package's class.
 * @throws SysCallError when the connection cannot be opened.
 */
export function connectWebSocket(
  url: string,
  options: WebSocketTransportOptions & { WebSocket?: WebSocketConstructor; protocols?: string | string[] } = {},
): Promise<Transport> {
  const Impl = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (!Impl) return Promise.reject(new SysCallError('no WebSocket implementation: pass options.WebSocket (e.g. the ws package)'));
  return new Promise((resolve, reject) => {
    const socket = new Impl(url, options.protocols);
    let opened = false;
    socket.addEventListener('open', () => {
      opened = true;
      resolve(webSocketTransport(socket, options));
    });
    // Both events can come for one failure (an error, then a close): the first to arrive decides.
    socket.addEventListener('error', (event: { message?: string; error?: unknown }) => {
      if (!opened) reject(new SysCallError(`WebSocket to ${url} failed to open${event.message ? `: ${event.message}` : ''}`, { cause: event.error }));
    });
    socket.addEventListener('close', (event: { code: number }) => {
      if (!opened) reject(new SysCallError(`WebSocket to ${url} closed before opening (code ${event.code})`));
    });
  });
}
