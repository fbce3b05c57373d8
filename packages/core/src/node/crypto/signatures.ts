/**
 * TLS signature schemes (RFC 8446 §4.2.3) over node:crypto's one-shot `sign`/`verify`.
 *
 * Randomness for signing (ECDSA nonces, PSS salts) comes from OpenSSL, not from the provider's random source:
 * signatures are not reproducible under an injected source, key shares are.
 */
import { constants, sign as nodeSign, verify as nodeVerify, type KeyObject } from 'node:crypto';
import { InvalidArgumentError } from '@tlsbio/errors';
import type { CurveName, HashName, KeyType, PrivateKey, PublicKey, SignatureScheme, SignatureSchemeName } from '../../crypto/provider.js';
import { asBytes } from './bytes.js';
import { privateKeyObjectOf, publicKeyObjectOf } from './key-objects.js';

type Padding = 'ecdsa' | 'pss' | 'pkcs1' | 'eddsa';

interface SchemeSpec {
  readonly name: SignatureSchemeName;
  readonly id: number;
  readonly keyType: KeyType;
  readonly padding: Padding;
  /** The hash the scheme signs with; EdDSA hashes internally. */
  readonly hash?: HashName;
  /** TLS 1.3 binds an ECDSA scheme to one curve (RFC 8446 §4.2.3). */
  readonly curve?: CurveName;
}

const HASH_LENGTH: Record<HashName, number> = { sha256: 32, sha384: 48, sha512: 64 };

/**
 * Whether an RSA modulus of `bits` can hold a PSS encoding with salt length = hash length: emLen >= 2·hLen + 2
 * (RFC 8017 §9.1.1 step 3), so a 1024-bit key cannot do rsa_pss_*_sha512.
 */
function pssFits(bits: number | undefined, hash: HashName): boolean {
  if (bits === undefined) return false;
  const emLength = Math.ceil((bits - 1) / 8);
  return emLength >= 2 * HASH_LENGTH[hash] + 2;
}

function describe(key: PrivateKey | PublicKey): string {
  if (typeof key !== 'object' || key === null) return String(key);
  return key.type === 'ec' ? `${key.curve ?? 'unknown-curve'} EC` : key.bits === undefined ? key.type : `${key.bits}-bit ${key.type}`;
}

function nodeScheme(spec: SchemeSpec): SignatureScheme {
  const hash = spec.hash ?? null;
  const options = (keyObject: KeyObject) => {
    switch (spec.padding) {
      case 'ecdsa':
        return { key: keyObject, dsaEncoding: 'der' as const };
      case 'pss':
        // RFC 8446 §4.2.3: salt length equal to the digest length, MGF1 with the same hash (OpenSSL's default MGF1
        // hash is the signing hash). Verification with an explicit salt length rejects any other salt length.
        return { key: keyObject, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: HASH_LENGTH[spec.hash as HashName] };
      case 'pkcs1':
        return { key: keyObject, padding: constants.RSA_PKCS1_PADDING };
      case 'eddsa':
        return keyObject;
    }
  };

  const supportsKey = (key: PrivateKey | PublicKey): boolean => {
    if (typeof key !== 'object' || key === null || key.type !== spec.keyType) return false;
    if (spec.curve !== undefined && key.curve !== spec.curve) return false;
    if (spec.padding === 'pss') return pssFits(key.bits, spec.hash as HashName);
    return true;
  };

  return Object.freeze({
    name: spec.name,
    id: spec.id,
    supportsKey,
    sign(key: PrivateKey, message: Uint8Array): Uint8Array {
      if (!supportsKey(key) || key.kind !== 'private') {
        throw new InvalidArgumentError('key', 'KEY_MISMATCH', `${spec.name} cannot sign with a ${describe(key)} ${key?.kind ?? ''} key`);
      }
      return asBytes(nodeSign(hash, message, options(privateKeyObjectOf(key))));
    },
    verify(key: PublicKey, message: Uint8Array, signature: Uint8Array): boolean {
      // The contract never throws here: a private key, or a key another provider made, reads as "does not verify".
      if (!supportsKey(key) || key.kind !== 'public') return false;
      // RFC 8017 §8.1.2 and §8.2.2, step 1: an RSA signature is exactly k bytes, k the modulus length. OpenSSL's PSS
      // verification reads it as an integer and accepts it with leading zero bytes left out (a valid signature whose
      // first byte is zero, ~1 in 200, still verifies one byte shorter); the RFC and the portable provider do not.
      if (spec.padding !== 'ecdsa' && spec.padding !== 'eddsa' && signature.length !== Math.ceil((key.bits ?? 0) / 8)) return false;
      const keyObject = publicKeyObjectOf(key);
      if (keyObject === undefined) return false;
      try {
        return nodeVerify(hash, message, options(keyObject), signature);
      } catch {
        return false; // OpenSSL throws for some malformed signatures (e.g. an RSA signature longer than the modulus)
      }
    },
  });
}

const SPECS: readonly SchemeSpec[] = [
  { name: 'ecdsa_secp256r1_sha256', id: 0x0403, keyType: 'ec', curve: 'P-256', padding: 'ecdsa', hash: 'sha256' },
  { name: 'ecdsa_secp384r1_sha384', id: 0x0503, keyType: 'ec', curve: 'P-384', padding: 'ecdsa', hash: 'sha384' },
  { name: 'rsa_pss_rsae_sha256', id: 0x0804, keyType: 'rsa', padding: 'pss', hash: 'sha256' },
  { name: 'rsa_pss_rsae_sha384', id: 0x0805, keyType: 'rsa', padding: 'pss', hash: 'sha384' },
  { name: 'rsa_pss_rsae_sha512', id: 0x0806, keyType: 'rsa', padding: 'pss', hash: 'sha512' },
  { name: 'rsa_pss_pss_sha256', id: 0x0809, keyType: 'rsa-pss', padding: 'pss', hash: 'sha256' },
  { name: 'rsa_pss_pss_sha384', id: 0x080a, keyType: 'rsa-pss', padding: 'pss', hash: 'sha384' },
  { name: 'rsa_pss_pss_sha512', id: 0x080b, keyType: 'rsa-pss', padding: 'pss', hash: 'sha512' },
  { name: 'rsa_pkcs1_sha256', id: 0x0401, keyType: 'rsa', padding: 'pkcs1', hash: 'sha256' },
  { name: 'rsa_pkcs1_sha384', id: 0x0501, keyType: 'rsa', padding: 'pkcs1', hash: 'sha384' },
  { name: 'rsa_pkcs1_sha512', id: 0x0601, keyType: 'rsa', padding: 'pkcs1', hash: 'sha512' },
  { name: 'ed25519', id: 0x0807, keyType: 'ed25519', padding: 'eddsa' },
];

/**
 * Every signature scheme the node provider offers, by name. `sign` throws InvalidArgumentError (`KEY_MISMATCH`)
 * for a key the scheme does not support or one imported by another provider; `verify` never throws: a bad or
 * malformed signature, an unsuitable key or a key from another provider all give `false`.
 */
export const nodeSignatures: Readonly<Record<SignatureSchemeName, SignatureScheme>> = Object.freeze(
  Object.fromEntries(SPECS.map((spec) => [spec.name, nodeScheme(spec)])) as Record<SignatureSchemeName, SignatureScheme>,
);
