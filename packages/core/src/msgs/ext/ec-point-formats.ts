import { ByteReader } from '../../codec/reader.js';
import { ByteWriter } from '../../codec/writer.js';
import { checkNonEmpty, decodeError } from '../errors.js';

/** ECPointFormat values (RFC 8422 §5.1.2): only `uncompressed` remains in use. */
export const EcPointFormat = { uncompressed: 0 } as const;

/**
 * Encodes an ec_point_formats body (TLS 1.2, RFC 8422 §5.1.2): `ECPointFormat ec_point_format_list<1..2^8-1>`.
 *
 * @throws {InvalidArgumentError} `INVALID_ARGUMENT` when `formats` is empty or holds a value outside 0..255.
 * @example
 * encodeEcPointFormats([EcPointFormat.uncompressed]);
 */
export function encodeEcPointFormats(formats: readonly number[]): Uint8Array {
  checkNonEmpty(formats, 'formats');
  const w = new ByteWriter(1 + formats.length);
  w.vector8((v) => {
    for (const format of formats) v.u8(format, 'ECPointFormat');
  }, 'ec_point_format_list');
  return w.finish();
}

/**
 * Decodes an ec_point_formats body (RFC 8422 §5.1.2). Whether `uncompressed` is present is the engine's check
 * (RFC 8422 §5.1.2: illegal_parameter when it is not).
 *
 * @throws {ProtocolError} `DECODE_ERROR` when the list is empty, truncated, or bytes trail it.
 */
export function decodeEcPointFormats(data: Uint8Array): number[] {
  const r = new ByteReader(data, 'ec_point_formats');
  const list = r.vector8('ec_point_format_list');
  r.expectEnd();
  if (list.atEnd) throw decodeError('ec_point_formats: ec_point_format_list is empty');
  return Array.from(list.rest());
}
