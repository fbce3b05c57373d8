/**
 * ECDSA (P-256/SHA-256, P-384/SHA-384) and Ed25519 signature schemes from @noble/curves.
 *
 * ECDSA signing uses RFC 6979 deterministic nonces without extra entropy: a signature depends only on the key and the
 * message, so it draws nothing from the random source. That keeps seeded traces reproducible and keeps the random
 * stream aligned with the node provider's (whose ECDSA draws nothing from it either). RFC 6979 is as safe as a random
 * nonce against nonce reuse and bias; what it gives up is protection against fault injection, which matters for
 * hardware under an attacker's physical control rather than for a TLS peer.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { p256, p384 } from '@noble/curves/nist.js';
import { InvalidArgumentError } from '@tlsbio/errors';
import type { CurveName, PrivateKey, PublicKey, SignatureScheme, SignatureSchemeName } from '../provider.js';
import { privateMaterialOf, publicMaterialOf, type PortablePrivateMaterial } from './key-objects.js';

const ED25519_SIGNATURE_LENGTH = 64;

/**
 * The private material for signing with `scheme`.
 * @throws InvalidArgumentError (`KEY_MISMATCH`) when the scheme does not take this key, or the key is not ours.
 */
export function signingMaterial(scheme: SignatureScheme, key: PrivateKey): PortablePrivateMaterial {
  if (!scheme.supportsKey(key)) {
    const curve = key?.curve === undefined ? '' : ` ${key.curve}`;
    throw new InvalidArgumentError('key', 'KEY_MISMATCH', `${scheme.name} cannot sign with a ${key?.type}${curve} key`);
  }
  return privateMaterialOf(key);
}

type NistCurve = typeof p256;

function ecdsaScheme(name: SignatureSchemeName, id: number, curveName: CurveName, curve: NistCurve): SignatureScheme {
  const scheme: SignatureScheme = Object.freeze({
    name,
    id,
    supportsKey: (key: PrivateKey | PublicKey): boolean => key?.type === 'ec' && key.curve === curveName,
    sign(key: PrivateKey, message: Uint8Array): Uint8Array {
      const material = signingMaterial(scheme, key);
      if (material.type !== 'ec') throw new InvalidArgumentError('key', 'KEY_MISMATCH', `${name} needs an EC key`);
      // The curve's own hash (SHA-256 for P-256, SHA-384 for P-384) is the scheme's hash; TLS carries DER (RFC 8446
      // §4.2.3). noble returns low-S signatures, which every verifier accepts.
      return curve.sign(message, material.d, { prehash: true, format: 'der' });
    },
    verify(key: PublicKey, message: Uint8Array, signature: Uint8Array): boolean {
      const material = publicMaterialOf(key);
      if (material?.type !== 'ec' || material.curve !== curveName) return false;
      try {
        // OpenSSL signs with either half of s: high-S signatures are valid ECDSA and must verify (lowS: false).
        return curve.verify(signature, message, material.point, { prehash: true, format: 'der', lowS: false });
      } catch {
        return false; // a malformed DER signature
      }
    },
  });
  return scheme;
}

/**
 * ecdsa_secp256r1_sha256 (0x0403): ECDSA on P-256 with SHA-256, DER signatures. For every scheme here, `sign` throws
 * InvalidArgumentError (`KEY_MISMATCH`) for a key of another kind or from another provider; `verify` never throws.
 */
export const portableEcdsaP256Sha256: SignatureScheme = ecdsaScheme('ecdsa_secp256r1_sha256', 0x0403, 'P-256', p256);
/** ecdsa_secp384r1_sha384 (0x0503): ECDSA on P-384 with SHA-384, DER signatures. */
export const portableEcdsaP384Sha384: SignatureScheme = ecdsaScheme('ecdsa_secp384r1_sha384', 0x0503, 'P-384', p384);

/** ed25519 (0x0807): PureEdDSA of RFC 8032 §5.1. */
export const portableEd25519: SignatureScheme = (() => {
  const scheme: SignatureScheme = Object.freeze({
    name: 'ed25519',
    id: 0x0807,
    supportsKey: (key: PrivateKey | PublicKey): boolean => key?.type === 'ed25519',
    sign(key: PrivateKey, message: Uint8Array): Uint8Array {
      const material = signingMaterial(scheme, key);
      if (material.type !== 'ed25519') {
        throw new InvalidArgumentError('key', 'KEY_MISMATCH', 'ed25519 needs an Ed25519 key');
      }
      return ed25519.sign(message, material.seed);
    },
    verify(key: PublicKey, message: Uint8Array, signature: Uint8Array): boolean {
      const material = publicMaterialOf(key);
      if (material?.type !== 'ed25519' || signature.length !== ED25519_SIGNATURE_LENGTH) return false;
      try {
        // RFC 8032 §5.1.7 strict decoding (zip215: false): non-canonical points and S >= L are rejected.
        return ed25519.verify(signature, message, material.publicKey, { zip215: false });
      } catch {
        return false;
      }
    },
  });
  return scheme;
})();
