import { ByteReader } from '../codec/reader.js';
import { ByteWriter } from '../codec/writer.js';
import { decodeError, illegalParameter } from './errors.js';

/** ECCurveType named_curve (RFC 8422 §5.4): the only curve type still allowed. */
export const EC_CURVE_TYPE_NAMED_CURVE = 3;

/**
 * TLS 1.2 ServerKeyExchange for ECDHE suites (RFC 8422 §5.4, signed per RFC 5246 §7.4.3 with a
 * SignatureAndHashAlgorithm, §7.4.1.4.1): the server's ephemeral public key in a named group, and its signature over
 * client_random + server_random + the ServerECDHParams.
 */
export interface ServerKeyExchangeEcdhe {
  /** NamedGroup codepoint (RFC 8422 §5.1.1). */
  namedGroup: number;
  /** The encoded point: 32 bytes for X25519, uncompressed SEC1 for the NIST curves. */
  publicKey: Uint8Array;
  /** SignatureScheme codepoint (RFC 8446 §4.2.3 numbering, which TLS 1.2's SignatureAndHashAlgorithm shares). */
  scheme: number;
  signature: Uint8Array;
}

/**
 * Encodes the ServerECDHParams (RFC 8422 §5.4): `curve_type`, `namedcurve`, `opaque point <1..2^8-1>`. These are the
 * bytes the signature covers, after the two randoms.
 * @throws {InvalidArgumentError} `INVALID_ARGUMENT`/`LENGTH_OVERFLOW` for out-of-range values.
 */
export function encodeServerEcdhParams(namedGroup: number, publicKey: Uint8Array): Uint8Array {
  const w = new ByteWriter(4 + publicKey.length);
  w.u8(EC_CURVE_TYPE_NAMED_CURVE, 'curve_type');
  w.u16(namedGroup, 'namedcurve');
  w.vector8((v) => v.bytes(publicKey, 'point'), 'point');
  return w.finish();
}

/**
 * Decodes an ECDHE ServerKeyExchange body. `params` is the raw ServerECDHParams (a view), which the signature covers.
 *
 * @throws {ProtocolError} `DECODE_ERROR` for a truncated field, an empty point or signature, trailing bytes.
 * @throws {ProtocolError} `ILLEGAL_PARAMETER` for a curve_type other than named_curve (RFC 8422 §5.4).
 */
export function decodeServerKeyExchangeEcdhe(body: Uint8Array): ServerKeyExchangeEcdhe & { params: Uint8Array } {
  const r = new ByteReader(body, 'ServerKeyExchange');
  const curveType = r.u8('curve_type');
  // RFC 8422 §5.4: explicit_prime and explicit_char2 are deprecated; only named_curve is accepted.
  if (curveType !== EC_CURVE_TYPE_NAMED_CURVE) throw illegalParameter(`ServerKeyExchange: curve_type ${curveType}, not named_curve`);
  const namedGroup = r.u16('namedcurve');
  const publicKey = r.vector8('point').rest();
  if (publicKey.length === 0) throw decodeError('ServerKeyExchange: empty point');
  const params = body.subarray(0, r.position);
  const scheme = r.u16('algorithm');
  const signature = r.vector16('signature').rest();
  r.expectEnd();
  if (signature.length === 0) throw decodeError('ServerKeyExchange: empty signature');
  return { namedGroup, publicKey, scheme, signature, params };
}

/**
 * Encodes an ECDHE ServerKeyExchange body (without the handshake header).
 * @throws {InvalidArgumentError} `INVALID_ARGUMENT`/`LENGTH_OVERFLOW` for out-of-range values.
 */
export function encodeServerKeyExchangeEcdhe(m: ServerKeyExchangeEcdhe): Uint8Array {
  const params = encodeServerEcdhParams(m.namedGroup, m.publicKey);
  const w = new ByteWriter(params.length + 4 + m.signature.length);
  w.bytes(params, 'params');
  w.u16(m.scheme, 'algorithm');
  w.vector16((v) => v.bytes(m.signature, 'signature'), 'signature');
  return w.finish();
}
