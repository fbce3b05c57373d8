import { ByteReader } from '../codec/reader.js';
import { ByteWriter } from '../codec/writer.js';
import { readExtensions, writeExtensions, type Extension } from './extensions.js';

/** EncryptedExtensions (RFC 8446 §4.3.1): `Extension extensions<0..2^16-1>;`. */
export interface EncryptedExtensions {
  extensions: Extension[];
}

/**
 * Decodes an EncryptedExtensions body (without the handshake header). Which extensions are allowed here is the
 * engine's check (RFC 8446 §4.2 table).
 *
 * @throws {ProtocolError} `DECODE_ERROR` when the block is truncated or bytes trail it.
 * @throws {ProtocolError} `ILLEGAL_PARAMETER` for a duplicate extension (RFC 8446 §4.2).
 * @example
 * const { extensions } = decodeEncryptedExtensions(body);
 */
export function decodeEncryptedExtensions(body: Uint8Array): EncryptedExtensions {
  const r = new ByteReader(body, 'EncryptedExtensions');
  const extensions = readExtensions(r, 'EncryptedExtensions');
  r.expectEnd();
  return { extensions };
}

/**
 * Encodes an EncryptedExtensions body; the block is always present, even when empty (RFC 8446 §4.3.1).
 *
 * @throws {InvalidArgumentError} `INVALID_ARGUMENT` for a repeated extension type; `LENGTH_OVERFLOW` for over 65535
 *   bytes of extensions.
 */
export function encodeEncryptedExtensions(m: EncryptedExtensions): Uint8Array {
  const w = new ByteWriter(64);
  writeExtensions(w, m.extensions);
  return w.finish();
}
