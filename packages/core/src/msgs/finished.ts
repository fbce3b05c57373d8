import { decodeError, invalidArgument } from './errors.js';

/**
 * Decodes a Finished body: `opaque verify_data[Hash.length]` (RFC 8446 §4.4.4), so the whole body is the
 * verify_data and its length must be the negotiated hash's. The result is a view of the body. Compare it with the
 * expected value in constant time (the engine's job).
 *
 * @throws {ProtocolError} `DECODE_ERROR` when the body is not exactly `verifyDataLength` bytes.
 * @example
 * const verifyData = decodeFinished(body, suite.hash.outputLength);
 */
export function decodeFinished(body: Uint8Array, verifyDataLength: number): Uint8Array {
  if (body.length !== verifyDataLength) {
    throw decodeError(`Finished: verify_data is ${body.length} bytes, expected ${verifyDataLength}`);
  }
  return body;
}

/**
 * Encodes a Finished body: the verify_data itself, with no length prefix (RFC 8446 §4.4.4). Returns a copy.
 *
 * @throws {InvalidArgumentError} `INVALID_ARGUMENT` when `verifyData` is not a non-empty `Uint8Array`.
 */
export function encodeFinished(verifyData: Uint8Array): Uint8Array {
  if (!(verifyData instanceof Uint8Array) || verifyData.length === 0) {
    throw invalidArgument('verifyData', 'must be a non-empty Uint8Array');
  }
  return verifyData.slice();
}
