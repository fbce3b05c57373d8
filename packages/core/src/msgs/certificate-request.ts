import { ByteReader } from '../codec/reader.js';
import { ByteWriter } from '../codec/writer.js';
import { decodeError, invalidArgument } from './errors.js';
import { readExtensions, writeExtensions, type Extension } from './extensions.js';

/** TLS 1.3 CertificateRequest (RFC 8446 §4.3.2). */
export interface CertificateRequest13 {
  /** Empty in the handshake; unique per post-handshake request (RFC 8446 §4.3.2). */
  certificateRequestContext: Uint8Array;
  /** signature_algorithms is mandatory here; the engine checks for it (RFC 8446 §4.3.2). */
  extensions: Extension[];
}

/**
 * Decodes a TLS 1.3 CertificateRequest body (without the handshake header).
 *
 * @throws {ProtocolError} `DECODE_ERROR` when a vector is truncated, the extensions block is empty
 *   (`Extension extensions<2..2^16-1>`, RFC 8446 §4.3.2), or bytes trail the message.
 * @throws {ProtocolError} `ILLEGAL_PARAMETER` for a duplicate extension (RFC 8446 §4.2).
 */
export function decodeCertificateRequest13(body: Uint8Array): CertificateRequest13 {
  const r = new ByteReader(body, 'CertificateRequest');
  const certificateRequestContext = r.vector8('certificate_request_context').rest();
  const extensions = readExtensions(r, 'CertificateRequest');
  r.expectEnd();
  // RFC 8446 §4.3.2: Extension extensions<2..2^16-1>, so at least one extension.
  if (extensions.length === 0) throw decodeError('CertificateRequest: extensions block is empty');
  return { certificateRequestContext, extensions };
}

/**
 * Encodes a TLS 1.3 CertificateRequest body (without the handshake header).
 *
 * @throws {InvalidArgumentError} `INVALID_ARGUMENT` when `extensions` is empty or a type repeats.
 * @throws {InvalidArgumentError} `LENGTH_OVERFLOW` when the context exceeds 255 bytes or the extensions 65535.
 */
export function encodeCertificateRequest13(m: CertificateRequest13): Uint8Array {
  if (m.extensions.length === 0) {
    throw invalidArgument('extensions', 'a CertificateRequest needs at least signature_algorithms (RFC 8446 §4.3.2)');
  }
  const w = new ByteWriter(64);
  w.vector8((v) => v.bytes(m.certificateRequestContext, 'certificate_request_context'), 'certificate_request_context');
  writeExtensions(w, m.extensions);
  return w.finish();
}
