import { ByteReader } from '../../codec/reader.js';
import { ByteWriter } from '../../codec/writer.js';
import { decodeError } from '../errors.js';

/**
 * Decodes an early_data extension body (RFC 8446 §4.2.10). In a NewSessionTicket it is
 * `uint32 max_early_data_size`, which is returned; in a ClientHello or EncryptedExtensions it is empty and the
 * result is `undefined`.
 *
 * @throws {ProtocolError} `DECODE_ERROR` when the body is not exactly 4 bytes (NewSessionTicket) or not empty
 *   (elsewhere).
 * @example
 * const maxEarlyData = decodeEarlyDataIndication(data, true);
 */
export function decodeEarlyDataIndication(data: Uint8Array, inNewSessionTicket: boolean): number | undefined {
  if (!inNewSessionTicket) {
    if (data.length !== 0) throw decodeError(`early_data: must be empty here, got ${data.length} byte(s)`);
    return undefined;
  }
  const r = new ByteReader(data, 'early_data');
  const maxEarlyDataSize = r.u32('max_early_data_size');
  r.expectEnd();
  return maxEarlyDataSize;
}

/**
 * Encodes an early_data extension body (RFC 8446 §4.2.10): `max_early_data_size` for a NewSessionTicket, or an empty
 * body (ClientHello, EncryptedExtensions) when it is omitted.
 *
 * @throws {InvalidArgumentError} `INVALID_ARGUMENT` when `maxEarlyDataSize` is outside 0..2^32-1.
 */
export function encodeEarlyDataIndication(maxEarlyDataSize?: number): Uint8Array {
  if (maxEarlyDataSize === undefined) return new Uint8Array(0);
  return new ByteWriter(4).u32(maxEarlyDataSize, 'max_early_data_size').finish();
}
