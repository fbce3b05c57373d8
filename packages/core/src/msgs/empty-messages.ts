import { decodeError } from './errors.js';

/**
 * The TLS 1.2 handshake messages without a body: HelloRequest (RFC 5246 §7.4.1.1) and ServerHelloDone
 * (RFC 5246 §7.4.5). Encoding one is `new Uint8Array(0)`; decoding checks that nothing is there.
 *
 * @throws {ProtocolError} `DECODE_ERROR` when the body is not empty.
 * @example
 * decodeEmptyMessage(message.body, 'ServerHelloDone');
 */
export function decodeEmptyMessage(body: Uint8Array, name: 'HelloRequest' | 'ServerHelloDone'): void {
  if (body.length !== 0) throw decodeError(`${name} must be empty, got ${body.length} byte(s)`);
}
