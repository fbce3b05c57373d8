import { InvalidArgumentError, SysCallError } from '@tlsbio/errors';
import { secure, type SecureStream, type TLSContext } from '@tlsbio/core';
import { connectWebSocket, type ConnectWebSocketOptions } from './websocket-transport.js';

/** Options of {@link connect}. */
export interface ConnectOptions extends ConnectWebSocketOptions {
  /** A client context (trust anchors, versions, ALPN). */
  readonly context: TLSContext;
  /** The TLS server's name: sent as SNI and checked against its certificate. Usually the relay target's host. */
  readonly serverHostname?: string;
  /** Passed on to `secure()`. */
  readonly incomingLimit?: number;
  readonly outgoingLimit?: number;
  /**
   * Fails the attempt with `SysCallError` when opening the WebSocket and the TLS handshake together take longer (a
   * relay that accepts the connection and then says nothing, say). Default: no limit.
   */
  readonly timeoutMs?: number;
}

/**
 * Opens a WebSocket to `url` (a relay URL such as `wss://relay.example/db.internal:5432`, or a WS-terminating TLS
 * server) and runs a TLS client handshake over it. Resolves once the handshake has completed. The relay in the
 * middle sees only ciphertext.
 *
 * @example
 * const stream = await connect('wss://relay.example/db.internal:5432', { context, serverHostname: 'db.internal' });
 * const writer = stream.writable.getWriter();
 * await writer.write(new TextEncoder().encode('PING\r\n'));
 *
 * @throws {InvalidArgumentError} when `context` is not a client context, or `timeoutMs` is not positive.
 * @throws {SysCallError} when the WebSocket cannot be opened, the relay refuses the tunnel (`cause` is a
 *   `WebSocketCloseError` with the relay's close code), or `timeoutMs` passes first.
 * @throws {CertVerificationError|ProtocolError|AlertError|EOFError} when the handshake fails.
 */
export async function connect(url: string, options: ConnectOptions): Promise<SecureStream> {
  const { context } = options;
  if (typeof context !== 'object' || context === null || context.role !== 'client') {
    throw new InvalidArgumentError('context', 'INVALID_ARGUMENT', 'must be a client TLSContext');
  }
  const { timeoutMs } = options;
  if (timeoutMs !== undefined && !(Number.isFinite(timeoutMs) && timeoutMs > 0)) {
    throw new InvalidArgumentError('timeoutMs', 'INVALID_ARGUMENT', 'must be a positive number of milliseconds');
  }
  const abort = new AbortController();
  const timer =
    timeoutMs === undefined
      ? undefined
      : setTimeout(() => abort.abort(new SysCallError(`no TLS connection through ${url} after ${timeoutMs} ms`)), timeoutMs);
  try {
    const transport = await connectWebSocket(url, { ...options, signal: abort.signal });
    let stream: SecureStream;
    try {
      stream = secure(transport, context, {
        ...(options.serverHostname === undefined ? {} : { serverHostname: options.serverHostname }),
        ...(options.incomingLimit === undefined ? {} : { incomingLimit: options.incomingLimit }),
        ...(options.outgoingLimit === undefined ? {} : { outgoingLimit: options.outgoingLimit }),
      });
    } catch (error) {
      await transport.close();
      throw error;
    }
    // From here the timeout abandons the connection: `opened` rejects with the timeout's error.
    const onAbort = () => void stream.writable.abort(abort.signal.reason).catch(() => {});
    abort.signal.addEventListener('abort', onAbort, { once: true });
    try {
      await stream.opened;
    } finally {
      abort.signal.removeEventListener('abort', onAbort);
    }
    return stream;
  } catch (error) {
    // Opening the socket timed out: the timeout's own error, not the wrapper.
    if (abort.signal.aborted && SysCallError.isInstance(error) && error.cause === abort.signal.reason) throw abort.signal.reason;
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
