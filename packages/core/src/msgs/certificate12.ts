import { ByteReader } from '../codec/reader.js';
import { ByteWriter } from '../codec/writer.js';
import { DEFAULT_MAX_CERTIFICATE_ENTRIES, type DecodeCertificateOptions } from './certificate.js';
import { checkMinLength, decodeError, excessiveSize, invalidArgument } from './errors.js';

/**
 * Decodes a TLS 1.2 Certificate body (RFC 5246 §7.4.2): `ASN.1Cert certificate_list<0..2^24-1>`, each
 * `opaque ASN.1Cert<1..2^24-1>`, sender's certificate first. Returns views of the body.
 *
 * @throws {ProtocolError} `DECODE_ERROR` for a truncated vector, an empty certificate, or trailing bytes.
 * @throws {ProtocolError} `EXCESSIVE_MESSAGE_SIZE` for more than `maxEntries` certificates.
 */
export function decodeCertificate12(body: Uint8Array, options: DecodeCertificateOptions = {}): Uint8Array[] {
  const maxEntries = options.maxEntries ?? DEFAULT_MAX_CERTIFICATE_ENTRIES;
  const r = new ByteReader(body, 'Certificate');
  const list = r.vector24('certificate_list');
  r.expectEnd();
  const chain: Uint8Array[] = [];
  while (!list.atEnd) {
    if (chain.length >= maxEntries) throw excessiveSize(`Certificate: more than ${maxEntries} certificates`);
    const cert = list.vector24('ASN.1Cert').rest();
    if (cert.length === 0) throw decodeError(`Certificate: certificate ${chain.length} is empty`);
    chain.push(cert);
  }
  return chain;
}

/**
 * Encodes a TLS 1.2 Certificate body (an empty list when a client has no certificate, RFC 5246 §7.4.6).
 * @throws {InvalidArgumentError} `INVALID_ARGUMENT` for an empty certificate; `LENGTH_OVERFLOW` past 2^24-1 bytes.
 */
export function encodeCertificate12(chain: readonly Uint8Array[]): Uint8Array {
  if (!Array.isArray(chain)) throw invalidArgument('chain', 'must be an array');
  chain.forEach((cert, i) => checkMinLength(cert, 1, `chain[${i}]`));
  const w = new ByteWriter(3 + chain.reduce((n, cert) => n + 3 + cert.length, 0));
  w.vector24((list) => {
    for (const cert of chain) list.vector24((v) => v.bytes(cert, 'ASN.1Cert'), 'ASN.1Cert');
  }, 'certificate_list');
  return w.finish();
}
