import { decodeU16List, encodeU16List } from './lists.js';

/**
 * Encodes a signature_algorithms or signature_algorithms_cert extension body,
 * `SignatureScheme supported_signature_algorithms<2..2^16-2>` (RFC 8446 §4.2.3), in preference order.
 *
 * @throws {InvalidArgumentError} `INVALID_ARGUMENT` when `ids` is empty or holds a value outside 0..65535.
 * @example
 * encodeSignatureSchemes([SignatureSchemeId.ecdsa_secp256r1_sha256, SignatureSchemeId.rsa_pss_rsae_sha256]);
 */
export function encodeSignatureSchemes(ids: readonly number[]): Uint8Array {
  return encodeU16List(ids, 'supported_signature_algorithms');
}

/**
 * Decodes a signature_algorithms or signature_algorithms_cert extension body (RFC 8446 §4.2.3). Unknown and GREASE
 * schemes are carried.
 *
 * @throws {ProtocolError} `DECODE_ERROR` when the list is empty, odd-length, truncated, or bytes trail it.
 */
export function decodeSignatureSchemes(data: Uint8Array): number[] {
  return decodeU16List(data, 'signature_algorithms', 'supported_signature_algorithms');
}
