/**
 * RSA signature schemes (RFC 8017) on node-forge's RSA: RSASSA-PSS with MGF1 of the same hash and a salt as long as
 * the hash (RFC 8446 §4.2.3), and RSASSA-PKCS1-v1_5.
 *
 * Signing goes through forge (its private operation uses the CRT with blinding). PSS salts come from the provider's
 * random source through forge's `prng` hook. Verification takes only forge's raw public operation and checks the
 * encoding here: PKCS#1 v1.5 by building the expected encoding and comparing it whole (RFC 8017 §8.2.2 step 3-4, which
 * leaves no parser to fool), PSS by forge's EMSA-PSS-VERIFY after the length checks forge leaves out.
 */
import { sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import { hexToBytes } from '@noble/hashes/utils.js';
import { InvalidArgumentError } from '@tlsbio/errors';
import type {
  HashName,
  KeyType,
  PrivateKey,
  PublicKey,
  RandomSource,
  SignatureScheme,
  SignatureSchemeName,
} from '../provider.js';
import { equalBytes } from '../bytes.js';
import { fromBinaryString, toBinaryString } from './bytes.js';
import { forge, type ForgeMessageDigest, type ForgePssScheme } from './forge.js';
import { publicMaterialOf } from './key-objects.js';
import { signingMaterial } from './signatures.js';

const HASHES = { sha256, sha384, sha512 } as const;

// DER of DigestInfo { AlgorithmIdentifier { hash OID, NULL }, OCTET STRING (digest) } up to the digest
// (RFC 8017 §9.2 note 1).
const DIGEST_INFO_PREFIXES: Record<HashName, Uint8Array> = {
  sha256: hexToBytes('3031300d060960864801650304020105000420'),
  sha384: hexToBytes('3041300d060960864801650304020205000430'),
  sha512: hexToBytes('3051300d060960864801650304020305000440'),
};

type Padding = 'pss' | 'pkcs1';

/** The smallest modulus, in bytes of the encoded message, that can hold the padding for `hash`. */
function minimumEncodedLength(padding: Padding, hash: HashName): number {
  const hashLength = HASHES[hash].outputLen;
  // PSS: emLen >= hLen + sLen + 2 with sLen = hLen (RFC 8017 §9.1.1 step 3).
  // PKCS#1 v1.5: k >= tLen + 11 (RFC 8017 §9.2 step 3).
  return padding === 'pss' ? 2 * hashLength + 2 : DIGEST_INFO_PREFIXES[hash].length + hashLength + 11;
}

function forgeDigest(hash: HashName): ForgeMessageDigest {
  return forge.md[hash].create();
}

function pssScheme(hash: HashName, random?: RandomSource): ForgePssScheme {
  return forge.pss.create({
    md: forgeDigest(hash),
    mgf: forge.mgf.mgf1.create(forgeDigest(hash)),
    saltLength: HASHES[hash].outputLen,
    ...(random === undefined ? {} : { prng: { getBytesSync: (count: number) => toBinaryString(random(count)) } }),
  });
}

/** EM = 0x00 || 0x01 || PS (0xff...) || 0x00 || DigestInfo (RFC 8017 §9.2 steps 1-5), for a k-byte modulus. */
function pkcs1Encoding(hash: HashName, message: Uint8Array, k: number): Uint8Array {
  const prefix = DIGEST_INFO_PREFIXES[hash];
  const digest = HASHES[hash](message);
  const encoded = new Uint8Array(k).fill(0xff);
  const tStart = k - prefix.length - digest.length;
  encoded[0] = 0x00;
  encoded[1] = 0x01;
  encoded[tStart - 1] = 0x00;
  encoded.set(prefix, tStart);
  encoded.set(digest, tStart + prefix.length);
  return encoded;
}

function rsaScheme(
  name: SignatureSchemeName,
  id: number,
  keyType: Extract<KeyType, 'rsa' | 'rsa-pss'>,
  padding: Padding,
  hash: HashName,
  random: RandomSource,
): SignatureScheme {
  const minimumLength = minimumEncodedLength(padding, hash);
  const scheme: SignatureScheme = Object.freeze({
    name,
    id,
    supportsKey(key: PrivateKey | PublicKey): boolean {
      if (key?.type !== keyType || key.bits === undefined) return false;
      // PSS encodes into emBits = modBits - 1 bits; PKCS#1 v1.5 into all k bytes.
      const encodedLength = Math.ceil((padding === 'pss' ? key.bits - 1 : key.bits) / 8);
      return encodedLength >= minimumLength;
    },
    sign(key: PrivateKey, message: Uint8Array): Uint8Array {
      const material = signingMaterial(scheme, key);
      if (material.type !== keyType) throw new InvalidArgumentError('key', 'KEY_MISMATCH', `${name} needs an RSA key`);
      const digest = forgeDigest(hash).update(toBinaryString(message));
      const signature =
        padding === 'pss' ? material.rsa.sign(digest, pssScheme(hash, random)) : material.rsa.sign(digest);
      return fromBinaryString(signature);
    },
    verify(key: PublicKey, message: Uint8Array, signature: Uint8Array): boolean {
      const material = publicMaterialOf(key);
      if (material?.type !== keyType || !scheme.supportsKey(key)) return false;
      const k = Math.ceil(material.bits / 8);
      // RFC 8017 §8.1.2 / §8.2.2 step 1: the signature is exactly k bytes.
      if (signature.length !== k) return false;
      let encoded: string;
      try {
        // s^e mod n as k bytes; forge refuses s >= n (RFC 8017 §5.2.2 step 1).
        encoded = forge.pki.rsa.decrypt(toBinaryString(signature), material.rsa, true, false);
      } catch {
        return false;
      }
      if (padding === 'pkcs1') return equalBytes(fromBinaryString(encoded), pkcs1Encoding(hash, message, k));
      // RFC 8017 §8.1.2 step 2c: EM is emLen = ceil((modBits - 1) / 8) bytes; when that is one byte short of k, the
      // leading byte of the k-byte result must be zero (forge drops it unchecked).
      const encodedLength = Math.ceil((material.bits - 1) / 8);
      if (encodedLength < k && encoded.charCodeAt(0) !== 0) return false;
      try {
        return pssScheme(hash).verify(toBinaryString(HASHES[hash](message)), encoded, material.bits);
      } catch {
        return false; // forge throws for an inconsistent encoding
      }
    },
  });
  return scheme;
}

/**
 * rsa_pss_rsae_sha256 (0x0804): RSASSA-PSS, SHA-256, with an rsaEncryption key. Every factory here takes the
 * provider's random source (PSS salts; the PKCS#1 v1.5 schemes draw nothing). `sign` throws InvalidArgumentError
 * (`KEY_MISMATCH`) for a key of the other RSA type, a modulus too small for the padding, or a key from another
 * provider; `verify` never throws.
 */
export const portableRsaPssRsaeSha256 = (random: RandomSource): SignatureScheme =>
  rsaScheme('rsa_pss_rsae_sha256', 0x0804, 'rsa', 'pss', 'sha256', random);
/** rsa_pss_rsae_sha384 (0x0805): RSASSA-PSS, SHA-384, with an rsaEncryption key. */
export const portableRsaPssRsaeSha384 = (random: RandomSource): SignatureScheme =>
  rsaScheme('rsa_pss_rsae_sha384', 0x0805, 'rsa', 'pss', 'sha384', random);
/** rsa_pss_rsae_sha512 (0x0806): RSASSA-PSS, SHA-512, with an rsaEncryption key. */
export const portableRsaPssRsaeSha512 = (random: RandomSource): SignatureScheme =>
  rsaScheme('rsa_pss_rsae_sha512', 0x0806, 'rsa', 'pss', 'sha512', random);
/** rsa_pss_pss_sha256 (0x0809): RSASSA-PSS, SHA-256, with an id-RSASSA-PSS key. */
export const portableRsaPssPssSha256 = (random: RandomSource): SignatureScheme =>
  rsaScheme('rsa_pss_pss_sha256', 0x0809, 'rsa-pss', 'pss', 'sha256', random);
/** rsa_pss_pss_sha384 (0x080a): RSASSA-PSS, SHA-384, with an id-RSASSA-PSS key. */
export const portableRsaPssPssSha384 = (random: RandomSource): SignatureScheme =>
  rsaScheme('rsa_pss_pss_sha384', 0x080a, 'rsa-pss', 'pss', 'sha384', random);
/** rsa_pss_pss_sha512 (0x080b): RSASSA-PSS, SHA-512, with an id-RSASSA-PSS key. */
export const portableRsaPssPssSha512 = (random: RandomSource): SignatureScheme =>
  rsaScheme('rsa_pss_pss_sha512', 0x080b, 'rsa-pss', 'pss', 'sha512', random);
/** rsa_pkcs1_sha256 (0x0401): RSASSA-PKCS1-v1_5, SHA-256 (certificates and TLS 1.2). */
export const portableRsaPkcs1Sha256 = (random: RandomSource): SignatureScheme =>
  rsaScheme('rsa_pkcs1_sha256', 0x0401, 'rsa', 'pkcs1', 'sha256', random);
/** rsa_pkcs1_sha384 (0x0501): RSASSA-PKCS1-v1_5, SHA-384 (certificates and TLS 1.2). */
export const portableRsaPkcs1Sha384 = (random: RandomSource): SignatureScheme =>
  rsaScheme('rsa_pkcs1_sha384', 0x0501, 'rsa', 'pkcs1', 'sha384', random);
/** rsa_pkcs1_sha512 (0x0601): RSASSA-PKCS1-v1_5, SHA-512 (certificates and TLS 1.2). */
export const portableRsaPkcs1Sha512 = (random: RandomSource): SignatureScheme =>
  rsaScheme('rsa_pkcs1_sha512', 0x0601, 'rsa', 'pkcs1', 'sha512', random);
