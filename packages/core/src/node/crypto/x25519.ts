/**
 * X25519 (RFC 7748) over node:crypto, with private keys drawn from the provider's random source.
 *
 * Node 20 has no `createECDH('x25519')`, and key generation through `generateKeyPairSync` would bypass an injected
 * random source, so keys are imported from raw bytes. The import goes through JWK because OpenSSL 3.0's DER decoder
 * is ~10x slower per call than the JWK path (measured here: ~3,400 vs ~45,000 imports/s), and a handshake imports
 * two keys. JWK *export* of X25519 keys hangs Node 20 after ~1,500 calls (DESIGN.md §8); it is never used.
 */
import { createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, type JsonWebKey, type KeyObject } from 'node:crypto';
import type { GroupName } from '../../crypto/provider.js';
import { isAllZero } from '../../crypto/bytes.js';
import { invalidKeyShare } from '../../crypto/share-error.js';
import { asBytes, base64Url, fromBase64Url } from './bytes.js';

/** Length of X25519 scalars, public keys and shared secrets. */
export const X25519_LENGTH = 32;

/** The base point u = 9 (RFC 7748 §4.1): X25519(k, 9) is the public key of k. */
const BASE_POINT = publicKeyObject(Uint8Array.of(9, ...new Uint8Array(31)));

function publicKeyObject(u: Uint8Array): KeyObject {
  return createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: base64Url(u) }, format: 'jwk' });
}

/** An X25519 private key and its public key as it goes on the wire. */
export interface X25519KeyPair {
  readonly privateKey: KeyObject;
  readonly publicKey: Uint8Array;
}

/** A key pair from 32 random bytes (clamped by X25519 itself, RFC 7748 §5). */
export function x25519KeyPair(secret: Uint8Array): X25519KeyPair {
  // Node builds a private OKP key from `d` alone; `x` must be present as a string but is not read.
  const privateKey = createPrivateKey({
    key: { kty: 'OKP', crv: 'X25519', d: base64Url(secret), x: '' },
    format: 'jwk',
  });
  // One scalar multiplication by the base point is cheaper than exporting the public key as SPKI DER.
  const publicKey = asBytes(diffieHellman({ privateKey, publicKey: BASE_POINT }));
  return { privateKey, publicKey };
}

/**
 * A key pair from OpenSSL's own generator, for a provider without an injected random source: about half the CPU
 * time of {@link x25519KeyPair} (40 vs 80 µs measured here), whose JWK import already derives the public key once
 * inside OpenSSL before our scalar multiplication does it again. The public key comes out as JWK at generation,
 * never through `KeyObject.export` (DESIGN.md §8).
 */
export function x25519GeneratedKeyPair(): X25519KeyPair {
  // @types/node has no overload for a JWK public key beside a KeyObject private key; Node returns exactly that.
  const { privateKey, publicKey } = generateKeyPairSync('x25519', { publicKeyEncoding: { format: 'jwk' } } as never) as unknown as {
    privateKey: KeyObject;
    publicKey: JsonWebKey;
  };
  return { privateKey, publicKey: fromBase64Url(publicKey.x!) };
}

/**
 * The X25519 shared secret with the peer's 32-byte public key. `group` names the group in errors (the hybrid
 * group reports its own name).
 * @throws ProtocolError (`INVALID_KEY_SHARE`) for a share of the wrong length or an all-zero shared secret.
 */
export function x25519Agree(group: GroupName, privateKey: KeyObject, peer: Uint8Array): Uint8Array {
  if (peer.length !== X25519_LENGTH) {
    throw invalidKeyShare(group, `X25519 share must be ${X25519_LENGTH} bytes, got ${peer.length}`);
  }
  let secret: Uint8Array;
  try {
    secret = asBytes(diffieHellman({ privateKey, publicKey: publicKeyObject(peer) }));
  } catch (cause) {
    // OpenSSL refuses to derive an all-zero secret itself; any failure here is the peer's point.
    throw invalidKeyShare(group, 'X25519 agreement failed (low-order point)', cause);
  }
  // RFC 8446 §7.4.2, RFC 7748 §6.1: an all-zero secret means a low-order point; checked here too, not left to OpenSSL.
  if (isAllZero(secret)) throw invalidKeyShare(group, 'X25519 shared secret is all zeros (low-order point)');
  return secret;
}
