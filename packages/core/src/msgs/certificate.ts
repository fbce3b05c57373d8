import { ByteReader } from '../codec/reader.js';
import { ByteWriter } from '../codec/writer.js';
import { checkMinLength, decodeError, excessiveSize, invalidArgument } from './errors.js';
import { readExtensions, writeExtensions, type Extension } from './extensions.js';

/**
 * One entry of a TLS 1.3 Certificate message (RFC 8446 §4.4.2): a DER certificate (or, with RFC 7250 raw public
 * keys, a SubjectPublicKeyInfo) and its per-certificate extensions (status_request, signed_certificate_timestamp).
 */
export interface CertificateEntry {
  certData: Uint8Array;
  extensions: Extension[];
}

/** TLS 1.3 Certificate (RFC 8446 §4.4.2). The sender's own certificate comes first. */
export interface Certificate13 {
  /** Empty in the handshake; echoes a post-handshake CertificateRequest's context (RFC 8446 §4.4.2). */
  certificateRequestContext: Uint8Array;
  /** Empty when a client has no certificate to send (RFC 8446 §4.4.2.4). */
  entries: CertificateEntry[];
}

/** Options for {@link decodeCertificate13}. */
export interface DecodeCertificateOptions {
  /**
   * Most entries accepted before the decode fails (a memory and CPU guard). Default
   * {@link DEFAULT_MAX_CERTIFICATE_ENTRIES}.
   */
  maxEntries?: number;
}

/** Default limit on certificate chain entries: far above any real chain, well below what 16 MiB could hold. */
export const DEFAULT_MAX_CERTIFICATE_ENTRIES = 100;

/**
 * Decodes a TLS 1.3 Certificate body (without the handshake header). Certificates are not parsed here; `certData`
 * values are views of the body.
 *
 * @throws {ProtocolError} `DECODE_ERROR` when a vector is truncated, a cert_data is empty (`<1..2^24-1>`), or bytes
 *   trail the message.
 * @throws {ProtocolError} `ILLEGAL_PARAMETER` for a duplicate extension within one entry (RFC 8446 §4.2).
 * @throws {ProtocolError} `EXCESSIVE_MESSAGE_SIZE` when there are more than `maxEntries` entries.
 * @example
 * const { entries } = decodeCertificate13(body, { maxEntries: 10 });
 * const leaf = entries[0]?.certData;
 */
export function decodeCertificate13(body: Uint8Array, options: DecodeCertificateOptions = {}): Certificate13 {
  const maxEntries = options.maxEntries ?? DEFAULT_MAX_CERTIFICATE_ENTRIES;
  const r = new ByteReader(body, 'Certificate');
  const certificateRequestContext = r.vector8('certificate_request_context').rest();
  const list = r.vector24('certificate_list');
  const entries: CertificateEntry[] = [];
  while (!list.atEnd) {
    if (entries.length >= maxEntries) {
      throw excessiveSize(`Certificate: more than ${maxEntries} certificate entries`);
    }
    const certData = list.vector24('cert_data').rest();
    // RFC 8446 §4.4.2: opaque cert_data<1..2^24-1>.
    if (certData.length === 0) throw decodeError(`Certificate: entry ${entries.length} has empty cert_data`);
    const extensions = readExtensions(list, 'CertificateEntry');
    entries.push({ certData, extensions });
  }
  r.expectEnd();
  return { certificateRequestContext, entries };
}

/**
 * Encodes a TLS 1.3 Certificate body (without the handshake header).
 *
 * @throws {InvalidArgumentError} `INVALID_ARGUMENT` for an empty certData or a repeated extension type in an entry.
 * @throws {InvalidArgumentError} `LENGTH_OVERFLOW` when the context exceeds 255 bytes or a certificate or the list
 *   exceeds 2^24-1 bytes.
 */
export function encodeCertificate13(m: Certificate13): Uint8Array {
  if (!Array.isArray(m.entries)) throw invalidArgument('entries', 'must be an array');
  m.entries.forEach((entry, i) => checkMinLength(entry.certData, 1, `entries[${i}].certData`));
  let size = 8 + m.certificateRequestContext.length;
  for (const entry of m.entries) size += 5 + entry.certData.length;
  const w = new ByteWriter(size);
  w.vector8((v) => v.bytes(m.certificateRequestContext, 'certificate_request_context'), 'certificate_request_context');
  w.vector24((list) => {
    for (const entry of m.entries) {
      list.vector24((v) => v.bytes(entry.certData, 'cert_data'), 'cert_data');
      writeExtensions(list, entry.extensions);
    }
  }, 'certificate_list');
  return w.finish();
}
