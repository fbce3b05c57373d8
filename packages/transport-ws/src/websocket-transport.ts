import { InvalidArgumentError, SysCallError } from '@tlsbio/errors';
import type { Transport, TransportInfo } from '@tlsbio/core';
import { CloseCode, closeCodeName } from './close-codes.js';

/** The part of the WHATWG `WebSocket` we use: browsers, Deno, Workers and the `ws` package all provide it. */
export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  readonly bufferedAmount: number;
  readonly url: string;
  readonly protocol?: string;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open' | 'message' | 'close' | 'error', listener: (event: any) => void): void;
  /** `ws` only: stop reading from the socket (read-side backpressure browsers cannot apply). */
  pause?(): void;
  resume?(): void;
}

export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocketLike;

/** Options of {@link webSocketTransport}. */
export interface WebSocketTransportOptions {
  /** A `write()` resolves only once the socket's `bufferedAmount` is at most this many bytes. Default 1 MiB. */
  readonly highWaterMark?: number;
  /**
   * Received bytes held for `read()` before the socket is paused, where the socket can pause (the `ws` package;
   * the browser `WebSocket` API has no way to stop receiving, so there the peer's sending rate is the limit).
   * Default 1 MiB.
   */
  readonly maxReadBuffer?: number;
}

/** The cause of a {@link SysCallError} for a tunnel closed with an error code: the code and reason the peer gave. */
export class WebSocketCloseError extends Error {
  /** The close code (RFC 6455 §7.4), e.g. 4404 for a relay's TARGET_NOT_ALLOWED. */
  readonly closeCode: number;
  /** The close frame's reason text, as sent. */
  readonly closeReason: string;

  constructor(closeCode: number, closeReason: string) {
    const name = closeCodeName(closeCode);
    super(`WebSocket closed with code ${closeCode}${name ? ` ${name}` : ''}${closeReason ? ` (${closeReason})` : ''}`);
    this.name = 'WebSocketCloseError';
    this.closeCode = closeCode;
    this.closeReason = closeReason;
  }
}

const OPEN = 1;
const DEFAULT_HIGH_WATER_MARK = 1 << 20;
/**
 * Close codes that end the stream without an error of their own (RFC 6455 §7.4.1): normal closure, going away, a
 * close frame without a code, and a connection lost without a close frame (1006, when no protocol error was seen).
 * After them `read()` returns `null`, and the TLS layer decides: a clean close after close_notify, `EOFError` (a
 * truncation) without it.
 */
const END_CODES = new Set([CloseCode.NORMAL, CloseCode.GOING_AWAY, 1005, 1006]);
/** How often a write waiting for `bufferedAmount` to fall looks again: the WebSocket API has no drain event. */
const DRAIN_POLL_MS = 4;

/**
 * A {@link Transport} over an open WebSocket, one binary frame per write, raw TLS bytes in each frame (the
 * websockify convention: one TCP stream per WebSocket).
 *
 * How a close reaches the TLS layer: codes 1000, 1001, 1005, and 1006 without a protocol error end the stream
 * (`read()` returns `null`; the TLS connection then reports a clean close after close_notify, `EOFError` without it).
 * Every other code — a relay's refusal such as 4404 TARGET_NOT_ALLOWED, 1009, 1011 — and a socket error make
 * `read()` and `write()` throw `SysCallError` whose `cause` is a {@link WebSocketCloseError} (or the socket's error).
 * A text frame fails the tunnel with `SysCallError` and closes it with 1003.
 *
 * @example
 * const socket = new WebSocket('wss://relay.example/db.internal:5432');
 * socket.onopen = () => { const stream = secure(webSocketTransport(socket), context, { serverHostname: 'db.internal' }); };
 *
 * @throws {InvalidArgumentError} when the socket is not open or an option is out of range.
 */
export function webSocketTransport(socket: WebSocketLike, options: WebSocketTransportOptions = {}): Transport {
  const highWaterMark = checkSize('highWaterMark', options.highWaterMark, DEFAULT_HIGH_WATER_MARK);
  const maxReadBuffer = checkSize('maxReadBuffer', options.maxReadBuffer, DEFAULT_HIGH_WATER_MARK);
  if (socket.readyState !== OPEN) throw new InvalidArgumentError('socket', 'INVALID_ARGUMENT', 'must be an open WebSocket');
  socket.binaryType = 'arraybuffer';
  const canPause = typeof socket.pause === 'function' && typeof socket.resume === 'function';

  const chunks: Uint8Array[] = [];
  let buffered = 0;
  let paused = false;
  let ended = false;
  let failure: SysCallError | undefined;
  /** A socket error seen before the close: it turns a 1006 into a failure rather than an end. */
  let socketError: unknown;
  let waiting: { resolve: (chunk: Uint8Array | null) => void; reject: (error: unknown) => void } | undefined;
  let onClosed!: () => void;
  /** Settles with the close event, which always follows a socket's end: only then is the reason known. */
  const closed = new Promise<void>((resolve) => (onClosed = resolve));

  const settle = () => {
    if (!waiting) return;
    const { resolve, reject } = waiting;
    const chunk = chunks.shift();
    if (chunk) {
      buffered -= chunk.length;
      if (paused && buffered <= maxReadBuffer) {
        paused = false;
        socket.resume!();
      }
      resolve(chunk);
    } else if (failure) reject(failure);
    else if (ended) resolve(null);
    else return;
    waiting = undefined;
  };
  socket.addEventListener('message', (event: { data: unknown }) => {
    if (failure || ended) return;
    if (!(event.data instanceof ArrayBuffer)) {
      failure = new SysCallError('received a text frame on a binary TLS tunnel', {
        cause: new WebSocketCloseError(CloseCode.UNSUPPORTED_DATA, 'binary frames only'),
      });
      socket.close(CloseCode.UNSUPPORTED_DATA, 'binary frames only');
      settle();
      return;
    }
    if (event.data.byteLength === 0) return;
    chunks.push(new Uint8Array(event.data));
    buffered += event.data.byteLength;
    if (canPause && !paused && buffered > maxReadBuffer) {
      paused = true;
      socket.pause!();
    }
    settle();
  });
  socket.addEventListener('error', (event: { error?: unknown; message?: string }) => {
    socketError ??= event.error ?? new Error(event.message || 'WebSocket error');
  });
  socket.addEventListener('close', (event: { code: number; reason: string }) => {
    ended = true;
    if (!failure && (!END_CODES.has(event.code as never) || (event.code === 1006 && socketError !== undefined))) {
      const cause = event.code === 1006 ? socketError : new WebSocketCloseError(event.code, event.reason);
      const detail = cause instanceof Error ? cause.message : String(cause);
      failure = new SysCallError(`WebSocket tunnel failed: ${detail}`, { cause });
    }
    onClosed();
    settle();
  });

  const drained = async () => {
    while (socket.bufferedAmount > highWaterMark && socket.readyState === OPEN) {
      await new Promise((resolve) => setTimeout(resolve, DRAIN_POLL_MS));
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
      if (socket.readyState !== OPEN) {
        // Closing: wait for the close event, so that the error names the peer's reason (a relay's refusal code).
        await closed;
        throw failure ?? new SysCallError('write on a closed WebSocket');
      }
      if (failure) throw failure;
      socket.send(bytes);
      await drained();
    },
    async close() {
      if (socket.readyState === OPEN) socket.close(CloseCode.NORMAL);
    },
    info: (): TransportInfo => ({ kind: 'websocket', url: socket.url, protocol: socket.protocol ?? '' }),
  };
}

function checkSize(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!(Number.isSafeInteger(value) && value >= 0)) {
    throw new InvalidArgumentError(name, 'INVALID_ARGUMENT', `must be a non-negative integer, got ${value}`);
  }
  return value;
}

/** Options of {@link connectWebSocket}. */
export interface ConnectWebSocketOptions extends WebSocketTransportOptions {
  /** The `WebSocket` class. Default: the platform's global; on Node 20 (which has none) pass the `ws` package's. */
  readonly WebSocket?: WebSocketConstructor;
  readonly protocols?: string | string[];
  /** Aborting before the socket is open closes it and rejects with `SysCallError` (the abort reason as `cause`). */
  readonly signal?: AbortSignal;
}

/**
 * Opens a WebSocket to `url` and resolves with a transport once it is open.
 *
 * @example
 * import { WebSocket } from 'ws'; // Node 20 only
 * const transport = await connectWebSocket('ws://127.0.0.1:8080/db.internal:5432', { WebSocket });
 *
 * @throws {SysCallError} when no WebSocket implementation is available or the socket cannot be opened.
 */
export function connectWebSocket(url: string, options: ConnectWebSocketOptions = {}): Promise<Transport> {
  const Impl = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (!Impl) return Promise.reject(new SysCallError('no WebSocket implementation: pass options.WebSocket (e.g. the ws package)'));
  const { signal } = options;
  if (signal?.aborted) return Promise.reject(new SysCallError(`WebSocket to ${url} aborted before opening`, { cause: signal.reason }));
  return new Promise((resolve, reject) => {
    let socket: WebSocketLike;
    try {
      socket = new Impl(url, options.protocols);
    } catch (error) {
      reject(new SysCallError(`cannot open a WebSocket to ${url}: ${error instanceof Error ? error.message : String(error)}`, { cause: error }));
      return;
    }
    let settled = false;
    const onAbort = () => {
      if (settled) return;
      settled = true;
      socket.close();
      reject(new SysCallError(`WebSocket to ${url} aborted before opening`, { cause: signal!.reason }));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.addEventListener('open', () => {
      signal?.removeEventListener('abort', onAbort);
      if (settled) return;
      settled = true;
      try {
        resolve(webSocketTransport(socket, options));
      } catch (error) {
        socket.close(CloseCode.NORMAL);
        reject(error);
      }
    });
    // An error and then a close can both come for one failure: the first to arrive decides.
    socket.addEventListener('error', (event: { message?: string; error?: unknown }) => {
      if (settled) return;
      settled = true;
      reject(new SysCallError(`WebSocket to ${url} failed to open${event.message ? `: ${event.message}` : ''}`, { cause: event.error }));
    });
    socket.addEventListener('close', (event: { code: number; reason: string }) => {
      if (settled) return;
      settled = true;
      reject(new SysCallError(`WebSocket to ${url} closed before opening`, { cause: new WebSocketCloseError(event.code, event.reason) }));
    });
  });
}
