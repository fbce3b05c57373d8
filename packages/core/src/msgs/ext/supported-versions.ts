import { ByteReader } from '../../codec/reader.js';
import { ByteWriter } from '../../codec/writer.js';
import { checkNonEmpty, decodeError } from '../errors.js';

/**
 * Encodes a ClientHello supported_versions body, `ProtocolVersion versions<2..254>` (RFC 8446 §4.2.1), in preference
 * order.
 *
 * @throws {InvalidArgumentError} `INVALID_ARGUMENT` when `ids` is empty or holds a value outside 0..65535;
 *   `LENGTH_OVERFLOW` for more than 127 versions.
 * @example
 * encodeSupportedVersionsClient([ProtocolVersion.TLS1_3, ProtocolVersion.TLS1_2]);
 */
export function encodeSupportedVersionsClient(ids: readonly number[]): Uint8Array {
  checkNonEmpty(ids, 'versions');
  const w = new ByteWriter(1 + 2 * ids.length);
  w.vector8((v) => {
    for (const id of ids) v.u16(id, 'ProtocolVersion');
  }, 'versions');
  return w.finish();
}

/**
 * Decodes a ClientHello supported_versions body (RFC 8446 §4.2.1). Unknown and GREASE versions are carried.
 *
 * @throws {ProtocolError} `DECODE_ERROR` when the list is empty, odd-length, truncated, or bytes trail it.
 */
export function decodeSupportedVersionsClient(data: Uint8Array): number[] {
  const r = new ByteReader(data, 'supported_versions');
  const list = r.vector8('versions');
  r.expectEnd();
  // RFC 8446 §4.2.1: ProtocolVersion versions<2..254>.
  if (list.atEnd || list.remaining % 2 !== 0) {
    throw decodeError(`supported_versions: versions length ${list.remaining} is not a non-zero even number`);
  }
  const versions: number[] = [];
  while (!list.atEnd) versions.push(list.u16('ProtocolVersion'));
  return versions;
}

/**
 * Encodes a ServerHello (or HelloRetryRequest) supported_versions body: `ProtocolVersion selected_version`
 * (RFC 8446 §4.2.1).
 *
 * @throws {InvalidArgumentError} `INVALID_ARGUMENT` when `id` is outside 0..65535.
 */
export function encodeSupportedVersionsServer(id: number): Uint8Array {
  return new ByteWriter(2).u16(id, 'selected_version').finish();
}

/**
 * Decodes a ServerHello supported_versions body (RFC 8446 §4.2.1). Whether the client offered the version is the
 * engine's check.
 *
 * @throws {ProtocolError} `DECODE_ERROR` when the body is not exactly two bytes.
 */
export function decodeSupportedVersionsServer(data: Uint8Array): number {
  const r = new ByteReader(data, 'supported_versions');
  const version = r.u16('selected_version');
  r.expectEnd();
  return version;
}
