import { invalidArgument } from './errors.js';
import { encodeHandshake } from './handshake.js';
import { HandshakeType } from './registry.js';

/**
 * The synthetic handshake message that replaces ClientHello1 in the transcript after a HelloRetryRequest
 * (RFC 8446 §4.4.1): `message_hash` (254), a uint24 length equal to the hash length, then Hash(ClientHello1). The
 * header is included: feed the result to the transcript hash as is.
 *
 * @throws {InvalidArgumentError} `INVALID_ARGUMENT` when the hash is empty or not a `Uint8Array`.
 * @example
 * transcript = hash.create(); transcript.update(encodeMessageHash(hash.digest(clientHello1)));
 */
export function encodeMessageHash(hashOfClientHello1: Uint8Array): Uint8Array {
  if (!(hashOfClientHello1 instanceof Uint8Array) || hashOfClientHello1.length === 0) {
    throw invalidArgument('hashOfClientHello1', 'must be a non-empty Uint8Array');
  }
  return encodeHandshake(HandshakeType.message_hash, hashOfClientHello1);
}
