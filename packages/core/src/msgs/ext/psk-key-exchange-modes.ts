import { ByteReader } from '../../codec/reader.js';
import { ByteWriter } from '../../codec/writer.js';
import { checkNonEmpty, decodeError } from '../errors.js';

/**
 * Encodes a psk_key_exchange_modes body, `PskKeyExchangeMode ke_modes<1..255>` (RFC 8446 §4.2.9).
 *
 * @throws {InvalidArgumentError} `INVALID_ARGUMENT` when `modes` is empty or holds a value outside 0..255;
 *   `LENGTH_OVERFLOW` for more than 255 modes.
 * @example
 * encodePskKeyExchangeModes([PskKeyExchangeMode.psk_dhe_ke]);
 */
export function encodePskKeyExchangeModes(modes: readonly number[]): Uint8Array {
  checkNonEmpty(modes, 'modes');
  const w = new ByteWriter(1 + modes.length);
  w.vector8((v) => {
    for (const mode of modes) v.u8(mode, 'PskKeyExchangeMode');
  }, 'ke_modes');
  return w.finish();
}

/**
 * Decodes a psk_key_exchange_modes body (RFC 8446 §4.2.9). Unknown and GREASE modes are carried.
 *
 * @throws {ProtocolError} `DECODE_ERROR` when the list is empty, truncated, or bytes trail it.
 */
export function decodePskKeyExchangeModes(data: Uint8Array): number[] {
  const r = new ByteReader(data, 'psk_key_exchange_modes');
  const list = r.vector8('ke_modes');
  r.expectEnd();
  // RFC 8446 §4.2.9: PskKeyExchangeMode ke_modes<1..255>.
  if (list.atEnd) throw decodeError('psk_key_exchange_modes: ke_modes is empty');
  return Array.from(list.rest());
}
