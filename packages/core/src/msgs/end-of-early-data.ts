import { decodeError } from './errors.js';

/**
 * Checks an EndOfEarlyData body: `struct {} EndOfEarlyData;` (RFC 8446 §4.5), so it must be empty.
 *
 * @throws {ProtocolError} `DECODE_ERROR` when the body is not empty.
 */
export function decodeEndOfEarlyData(body: Uint8Array): void {
  if (body.length !== 0) throw decodeError(`EndOfEarlyData: body must be empty, got ${body.length} byte(s)`);
}

/** Encodes an EndOfEarlyData body: no bytes (RFC 8446 §4.5). */
export function encodeEndOfEarlyData(): Uint8Array {
  return new Uint8Array(0);
}
