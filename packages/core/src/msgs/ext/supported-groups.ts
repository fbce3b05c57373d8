import { decodeU16List, encodeU16List } from './lists.js';

/**
 * Encodes a supported_groups extension body, `NamedGroup named_group_list<2..2^16-1>` (RFC 8446 §4.2.7), in
 * preference order.
 *
 * @throws {InvalidArgumentError} `INVALID_ARGUMENT` when `ids` is empty or holds a value outside 0..65535.
 * @example
 * encodeSupportedGroups([NamedGroupId.x25519, NamedGroupId.secp256r1]);
 */
export function encodeSupportedGroups(ids: readonly number[]): Uint8Array {
  return encodeU16List(ids, 'named_group_list');
}

/**
 * Decodes a supported_groups extension body (RFC 8446 §4.2.7). Unknown and GREASE groups are carried.
 *
 * @throws {ProtocolError} `DECODE_ERROR` when the list is empty, odd-length, truncated, or bytes trail it.
 */
export function decodeSupportedGroups(data: Uint8Array): number[] {
  return decodeU16List(data, 'supported_groups', 'named_group_list');
}
