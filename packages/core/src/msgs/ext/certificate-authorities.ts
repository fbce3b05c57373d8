import { ByteReader } from '../../codec/reader.js';
import { ByteWriter } from '../../codec/writer.js';
import { checkMinLength, checkNonEmpty, decodeError } from '../errors.js';

/**
 * Encodes a certificate_authorities body (RFC 8446 §4.2.4): `DistinguishedName authorities<3..2^16-1>`, each
 * `opaque DistinguishedName<1..2^16-1>` holding a DER-encoded X.501 Name.
 *
 * @throws {InvalidArgumentError} `INVALID_ARGUMENT` when the list or a name is empty; `LENGTH_OVERFLOW` over 65535
 *   bytes.
 */
export function encodeCertificateAuthorities(names: readonly Uint8Array[]): Uint8Array {
  checkNonEmpty(names, 'names');
  names.forEach((name, i) => checkMinLength(name, 1, `names[${i}]`));
  const w = new ByteWriter(256);
  w.vector16((list) => {
    for (const name of names) list.vector16((v) => v.bytes(name, 'DistinguishedName'), 'DistinguishedName');
  }, 'authorities');
  return w.finish();
}

/**
 * Decodes a certificate_authorities body (RFC 8446 §4.2.4). Names are views of `data`, not parsed.
 *
 * @throws {ProtocolError} `DECODE_ERROR` when the list or a name is empty, a name is truncated, or bytes trail it.
 */
export function decodeCertificateAuthorities(data: Uint8Array): Uint8Array[] {
  const r = new ByteReader(data, 'certificate_authorities');
  const list = r.vector16('authorities');
  r.expectEnd();
  // RFC 8446 §4.2.4: DistinguishedName authorities<3..2^16-1>, so at least one non-empty name.
  if (list.atEnd) throw decodeError('certificate_authorities: authorities is empty');
  const names: Uint8Array[] = [];
  while (!list.atEnd) {
    const name = list.vector16('DistinguishedName').rest();
    if (name.length === 0) throw decodeError('certificate_authorities: empty DistinguishedName');
    names.push(name);
  }
  return names;
}
