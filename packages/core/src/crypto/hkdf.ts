/**
 * HKDF (RFC 5869) over a provider's HMAC, shared by every provider.
 *
 * Built on `HashAlgorithm.hmac` rather than a platform HKDF: on Node 20 `hkdfSync` costs ~5x one HMAC per call
 * (DESIGN.md §8), and TLS 1.3 derives a dozen short secrets per handshake.
 */
import { InvalidArgumentError } from '@tlsbio/errors';
import type { HashAlgorithm } from './provider.js';

/** HKDF-Extract. An empty salt is HashLen zero bytes, which HMAC's key padding makes identical (RFC 5869 §2.2). */
export function hkdfExtract(hash: HashAlgorithm, salt: Uint8Array, ikm: Uint8Array): Uint8Array {
  return hash.hmac(salt, ikm);
}

/**
 * HKDF-Expand: `length` bytes of output keying material from `prk` and `info`.
 * @throws InvalidArgumentError (`INVALID_ARGUMENT`) when `length` exceeds 255 * HashLen (RFC 5869 §2.3).
 */
export function hkdfExpand(hash: HashAlgorithm, prk: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  const hashLength = hash.outputLength;
  if (!Number.isInteger(length) || length < 0 || length > 255 * hashLength) {
    throw new InvalidArgumentError('length', 'INVALID_ARGUMENT', `must be an integer from 0 to ${255 * hashLength}`);
  }
  const okm = new Uint8Array(length);
  // Each block is HMAC(PRK, T(i-1) || info || i); one buffer holds the input, T(i-1) rewritten in place.
  const input = new Uint8Array(hashLength + info.length + 1);
  input.set(info, hashLength);
  let previous = 0; // length of T(i-1) at the front of `input`: 0 for the first block
  for (let offset = 0, counter = 1; offset < length; counter++) {
    input[hashLength + info.length] = counter;
    const block = hash.hmac(prk, input.subarray(hashLength - previous));
    okm.set(block.subarray(0, Math.min(hashLength, length - offset)), offset);
    offset += hashLength;
    input.set(block, 0);
    previous = hashLength;
  }
  return okm;
}
