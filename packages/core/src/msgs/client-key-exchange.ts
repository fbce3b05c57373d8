import { ByteReader } from '../codec/reader.js';
import { ByteWriter } from '../codec/writer.js';
import { decodeError } from './errors.js';

/**
 * Decodes an ECDHE ClientKeyExchange body (RFC 8422 §5.7): `opaque point <1..2^8-1>`, the client's ephemeral public
 * key. Returns a view of the point; its validity is the key exchange's check.
 *
 * @throws {ProtocolError} `DECODE_ERROR` for an empty or truncated point, or trailing bytes.
 */
export function decodeClientKeyExchangeEcdhe(body: Uint8Array): Uint8Array {
  const r = new ByteReader(body, 'ClientKeyExchange');
  const point = r.vector8('ecdh_Yc').rest();
  r.expectEnd();
  if (point.length === 0) throw decodeError('ClientKeyExchange: empty point');
  return point;
}

/**
 * Encodes an ECDHE ClientKeyExchange body.
 * @throws {InvalidArgumentError} `LENGTH_OVERFLOW` for a point over 255 bytes.
 */
export function encodeClientKeyExchangeEcdhe(point: Uint8Array): Uint8Array {
  const w = new ByteWriter(1 + point.length);
  w.vector8((v) => v.bytes(point, 'ecdh_Yc'), 'ecdh_Yc');
  return w.finish();
}
