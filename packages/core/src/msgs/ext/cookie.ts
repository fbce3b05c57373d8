import { ByteReader } from '../../codec/reader.js';
import { ByteWriter } from '../../codec/writer.js';
import { checkMinLength, decodeError } from '../errors.js';

/**
 * Encodes a cookie extension body, `opaque cookie<1..2^16-1>` (RFC 8446 §4.2.2).
 *
 * @throws {InvalidArgumentError} `INVALID_ARGUMENT` when the cookie is empty; `LENGTH_OVERFLOW` over 65535 bytes.
 */
export function encodeCookie(cookie: Uint8Array): Uint8Array {
  checkMinLength(cookie, 1, 'cookie');
  const w = new ByteWriter(2 + cookie.length);
  w.vector16((v) => v.bytes(cookie, 'cookie'), 'cookie');
  return w.finish();
}

/**
 * Decodes a cookie extension body (RFC 8446 §4.2.2). The result is a view of `data`.
 *
 * @throws {ProtocolError} `DECODE_ERROR` when the cookie is empty, truncated, or bytes trail it.
 */
export function decodeCookie(data: Uint8Array): Uint8Array {
  const r = new ByteReader(data, 'cookie');
  const cookie = r.vector16('cookie').rest();
  r.expectEnd();
  if (cookie.length === 0) throw decodeError('cookie: empty cookie');
  return cookie;
}
