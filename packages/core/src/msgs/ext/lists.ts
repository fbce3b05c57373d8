// Shared shape of the extensions that are a plain list of 16-bit codepoints.
import { ByteReader } from '../../codec/reader.js';
import { ByteWriter } from '../../codec/writer.js';
import { checkNonEmpty, decodeError } from '../errors.js';

/** Encodes `uint16 list<2..2^16-2>` (a non-empty vector16 of 16-bit codepoints). */
export function encodeU16List(ids: readonly number[], field: string): Uint8Array {
  checkNonEmpty(ids, field);
  const w = new ByteWriter(2 + 2 * ids.length);
  w.vector16((v) => {
    for (const id of ids) v.u16(id, field);
  }, field);
  return w.finish();
}

/** Decodes `uint16 list<2..2^16-2>`: a non-empty, even-length vector16 filling the whole extension body. */
export function decodeU16List(data: Uint8Array, extension: string, field: string): number[] {
  const r = new ByteReader(data, extension);
  const list = r.vector16(field);
  r.expectEnd();
  if (list.atEnd || list.remaining % 2 !== 0) {
    throw decodeError(`${extension}: ${field} length ${list.remaining} is not a non-zero even number`);
  }
  const ids: number[] = [];
  while (!list.atEnd) ids.push(list.u16(field));
  return ids;
}
