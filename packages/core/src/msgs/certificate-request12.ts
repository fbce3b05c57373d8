import { ByteReader } from '../codec/reader.js';
import { ByteWriter } from '../codec/writer.js';
import { decodeError } from './errors.js';

/** ClientCertificateType values (RFC 5246 §7.4.4, RFC 8422 §5.5) a certificate request may name. */
export const ClientCertificateType = { rsa_sign: 1, ecdsa_sign: 64 } as const;

/** TLS 1.2 CertificateRequest (RFC 5246 §7.4.4). */
export interface CertificateRequest12 {
  certificateTypes: number[];
  /** SignatureAndHashAlgorithm codepoints, numbered as TLS 1.3's SignatureScheme. */
  schemes: number[];
  /** DER DistinguishedNames (views when decoded). */
  authorities: Uint8Array[];
}

/**
 * Decodes a TLS 1.2 CertificateRequest body.
 * @throws {ProtocolError} `DECODE_ERROR` for a truncated or empty vector, an odd-length scheme list, trailing bytes.
 */
export function decodeCertificateRequest12(body: Uint8Array): CertificateRequest12 {
  const r = new ByteReader(body, 'CertificateRequest');
  const types = r.vector8('certificate_types');
  if (types.atEnd) throw decodeError('CertificateRequest: certificate_types is empty');
  const certificateTypes = Array.from(types.rest());
  const list = r.vector16('supported_signature_algorithms');
  // RFC 5246 §7.4.4: SignatureAndHashAlgorithm supported_signature_algorithms<2..2^16-2>.
  if (list.remaining === 0 || list.remaining % 2 !== 0) throw decodeError('CertificateRequest: bad supported_signature_algorithms length');
  const schemes: number[] = [];
  while (!list.atEnd) schemes.push(list.u16('SignatureAndHashAlgorithm'));
  const names = r.vector16('certificate_authorities');
  const authorities: Uint8Array[] = [];
  while (!names.atEnd) {
    const name = names.vector16('DistinguishedName').rest();
    if (name.length === 0) throw decodeError('CertificateRequest: empty DistinguishedName');
    authorities.push(name);
  }
  r.expectEnd();
  return { certificateTypes, schemes, authorities };
}

/**
 * Encodes a TLS 1.2 CertificateRequest body.
 * @throws {InvalidArgumentError} `INVALID_ARGUMENT`/`LENGTH_OVERFLOW` for out-of-range values.
 */
export function encodeCertificateRequest12(m: CertificateRequest12): Uint8Array {
  const w = new ByteWriter(64);
  w.vector8((v) => {
    for (const type of m.certificateTypes) v.u8(type, 'ClientCertificateType');
  }, 'certificate_types');
  w.vector16((v) => {
    for (const scheme of m.schemes) v.u16(scheme, 'SignatureAndHashAlgorithm');
  }, 'supported_signature_algorithms');
  w.vector16((v) => {
    for (const name of m.authorities) v.vector16((n) => n.bytes(name, 'DistinguishedName'), 'DistinguishedName');
  }, 'certificate_authorities');
  return w.finish();
}
