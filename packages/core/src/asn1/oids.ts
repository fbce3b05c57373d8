/**
 * Object identifiers tlsbio reads, and readable names for the ones it refuses, so that errors can say
 * "secp256k1 (1.3.132.0.10)" rather than a bare number.
 */

/** Algorithms and curves tlsbio supports in keys. */
export const Oid = {
  /** RFC 8017 §A.1 / RFC 3279 §2.3.1. */
  rsaEncryption: '1.2.840.113549.1.1.1',
  /** id-RSASSA-PSS, RFC 4055 §3.1 / RFC 8017 §A.2.3. */
  rsassaPss: '1.2.840.113549.1.1.10',
  /** id-ecPublicKey, RFC 5480 §2.1.1. */
  ecPublicKey: '1.2.840.10045.2.1',
  /** secp256r1 = prime256v1 = NIST P-256, RFC 5480 §2.1.1.1. */
  prime256v1: '1.2.840.10045.3.1.7',
  /** NIST P-384, RFC 5480 §2.1.1.1. */
  secp384r1: '1.3.132.0.34',
  /** id-Ed25519, RFC 8410 §3. */
  ed25519: '1.3.101.112',
} as const;

// Names of algorithms and curves we recognise but do not support, for error messages.
const NAMES: Record<string, string> = {
  [Oid.rsaEncryption]: 'rsaEncryption',
  [Oid.rsassaPss]: 'id-RSASSA-PSS',
  [Oid.ecPublicKey]: 'id-ecPublicKey',
  [Oid.prime256v1]: 'P-256',
  [Oid.secp384r1]: 'P-384',
  [Oid.ed25519]: 'Ed25519',
  '1.3.101.110': 'X25519',
  '1.3.101.111': 'X448',
  '1.3.101.113': 'Ed448',
  '1.2.840.10040.4.1': 'DSA',
  '1.2.840.113549.1.3.1': 'DH (PKCS #3)',
  '1.2.840.10046.2.1': 'DH (X9.42)',
  '1.2.840.113549.1.1.7': 'RSAES-OAEP',
  '1.3.132.1.12': 'ECDH-only EC key (id-ecDH)',
  '1.3.132.1.13': 'ECMQV-only EC key (id-ecMQV)',
  '1.2.643.7.1.1.1.1': 'GOST R 34.10-2012 256-bit',
  '1.2.643.7.1.1.1.2': 'GOST R 34.10-2012 512-bit',
  '1.2.840.113549.1.5.13': 'PBES2 (an encrypted key)',
  '1.3.132.0.10': 'secp256k1',
  '1.3.132.0.33': 'secp224r1 (P-224)',
  '1.3.132.0.35': 'secp521r1 (P-521)',
  '1.2.840.10045.3.1.1': 'prime192v1 (P-192)',
  '1.3.36.3.3.2.8.1.1.7': 'brainpoolP256r1',
  '1.3.36.3.3.2.8.1.1.11': 'brainpoolP384r1',
  '1.3.36.3.3.2.8.1.1.13': 'brainpoolP512r1',
  '1.2.156.10197.1.301': 'SM2',
};

/** `"name (oid)"` for a known OID, or the OID alone. */
export function describeOid(oid: string): string {
  const name = NAMES[oid];
  return name === undefined ? oid : `${name} (${oid})`;
}
