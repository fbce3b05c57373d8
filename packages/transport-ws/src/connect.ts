import { InvalidArgumentError } from '@tlsbio/errors';
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
 * @throws {InvalidArgumentError} when `context` is not a client context.
 * @throws {SysCallError} when the WebSocket cannot be opened or the relay refuses the tunnel (`cause` is a
 *   `WebSocketCloseError` with the relay's close code).
 * @throws {CertVerificationError|ProtocolError|AlertError|EOFError} when the handshake fails.
 */
export async function connect(url: string, options: ConnectOptions): Promise<SecureStream> {
  const { context } = options;
  if (typeof context !== 'object' || context === null || context.role !== 'client') {
    throw new InvalidArgumentError('context', 'INVALID_ARGUMENT', 'must be a client TLSContext');
  }
  const transport = await connectWebSocket(url, options);
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
  await stream.opened;
  return stream;
}
