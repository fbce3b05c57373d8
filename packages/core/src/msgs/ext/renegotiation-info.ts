import { ByteReader } from '../../codec/reader.js';
import { ByteWriter } from '../../codec/writer.js';

/**
 * Encodes a renegotiation_info body (RFC 5746 §3.2): `opaque renegotiated_connection<0..255>`. tlsbio never
 * renegotiates, so it only ever sends the empty value of an initial handshake (the default).
 *
 * @throws {InvalidArgumentError} `LENGTH_OVERFLOW` over 255 bytes.
 */
export function encodeRenegotiationInfo(renegotiatedConnection: Uint8Array = new Uint8Array(0)): Uint8Array {
  const w = new ByteWriter(1 + renegotiatedConnection.length);
  w.vector8((v) => v.bytes(renegotiatedConnection, 'renegotiated_connection'), 'renegotiated_connection');
  return w.finish();
}

/**
 * Decodes a renegotiation_info body (RFC 5746 §3.2) and returns renegotiated_connection (a view of `data`). On an
 * initial handshake it must be empty; that is the engine's check (RFC 5746 §3.4, §3.6: handshake_failure).
 *
 * @throws {ProtocolError} `DECODE_ERROR` when the body is truncated or bytes trail it.
 */
export function decodeRenegotiationInfo(data: Uint8Array): Uint8Array {
  const r = new ByteReader(data, 'renegotiation_info');
  const value = r.vector8('renegotiated_connection').rest();
  r.expectEnd();
  return value;
}
