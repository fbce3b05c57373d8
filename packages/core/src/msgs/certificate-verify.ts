import { ByteReader } from '../codec/reader.js';
import { ByteWriter } from '../codec/writer.js';

/** CertificateVerify (RFC 8446 §4.4.3): the signature scheme and the signature over the transcript. */
export interface CertificateVerify {
  scheme: number;
  /** A view of the body when decoded. */
  signature: Uint8Array;
}

/**
 * Decodes a CertificateVerify body (without the handshake header). Whether the scheme was offered and the signature
 * verifies is the engine's check.
 *
 * @throws {ProtocolError} `DECODE_ERROR` when the signature vector is truncated or bytes trail it.
 */
export function decodeCertificateVerify(body: Uint8Array): CertificateVerify {
  const r = new ByteReader(body, 'CertificateVerify');
  const scheme = r.u16('algorithm');
  const signature = r.vector16('signature').rest();
  r.expectEnd();
  return { scheme, signature };
}

/**
 * Encodes a CertificateVerify body (without the handshake header).
 *
 * @throws {InvalidArgumentError} `INVALID_ARGUMENT` for a scheme outside 0..65535; `LENGTH_OVERFLOW` for a signature
 *   over 65535 bytes.
 */
export function encodeCertificateVerify(m: CertificateVerify): Uint8Array {
  const w = new ByteWriter(4 + m.signature.length);
  w.u16(m.scheme, 'algorithm');
  w.vector16((v) => v.bytes(m.signature, 'signature'), 'signature');
  return w.finish();
}
