// Which embedded demo key serves which signature scheme, and what a provider should say about each key on import.
import type { CryptoProvider, CurveName, KeyType, PrivateKey, PublicKey, SignatureSchemeName } from '@tlsbio/core';
import {
  ED25519_PRIVATE_KEY, ED25519_PUBLIC_KEY, P256_PRIVATE_KEY, P256_PUBLIC_KEY, P384_PRIVATE_KEY, P384_PUBLIC_KEY,
  RSA_PRIVATE_KEY, RSA_PSS_PRIVATE_KEY, RSA_PSS_PUBLIC_KEY, RSA_PUBLIC_KEY,
} from './demo-keys.js';

export type DemoKeyName = 'P-256' | 'P-384' | 'Ed25519' | 'RSA 2048' | 'RSA-PSS 2048';

export interface DemoKey {
  readonly name: DemoKeyName;
  /** The encodings, as shown in the self-check's row. */
  readonly formats: string;
  readonly privatePem: string;
  readonly publicPem: string;
  readonly type: KeyType;
  readonly curve?: CurveName;
  readonly bits?: number;
}

export const DEMO_KEYS: readonly DemoKey[] = [
  { name: 'P-256', formats: 'SEC1 + SPKI', privatePem: P256_PRIVATE_KEY, publicPem: P256_PUBLIC_KEY, type: 'ec', curve: 'P-256' },
  { name: 'P-384', formats: 'PKCS#8 + SPKI', privatePem: P384_PRIVATE_KEY, publicPem: P384_PUBLIC_KEY, type: 'ec', curve: 'P-384' },
  { name: 'Ed25519', formats: 'PKCS#8 + SPKI', privatePem: ED25519_PRIVATE_KEY, publicPem: ED25519_PUBLIC_KEY, type: 'ed25519' },
  { name: 'RSA 2048', formats: 'PKCS#1 + PKCS#1', privatePem: RSA_PRIVATE_KEY, publicPem: RSA_PUBLIC_KEY, type: 'rsa', bits: 2048 },
  {
    name: 'RSA-PSS 2048', formats: 'PKCS#8 + SPKI', privatePem: RSA_PSS_PRIVATE_KEY, publicPem: RSA_PSS_PUBLIC_KEY,
    type: 'rsa-pss', bits: 2048,
  },
];

/** Every signature scheme of the contract with the demo key it is exercised with. */
export const SCHEME_KEYS: readonly (readonly [SignatureSchemeName, DemoKeyName])[] = [
  ['ecdsa_secp256r1_sha256', 'P-256'],
  ['ecdsa_secp384r1_sha384', 'P-384'],
  ['ed25519', 'Ed25519'],
  ['rsa_pss_rsae_sha256', 'RSA 2048'],
  ['rsa_pss_rsae_sha384', 'RSA 2048'],
  ['rsa_pss_rsae_sha512', 'RSA 2048'],
  ['rsa_pss_pss_sha256', 'RSA-PSS 2048'],
  ['rsa_pss_pss_sha384', 'RSA-PSS 2048'],
  ['rsa_pss_pss_sha512', 'RSA-PSS 2048'],
  ['rsa_pkcs1_sha256', 'RSA 2048'],
  ['rsa_pkcs1_sha384', 'RSA 2048'],
  ['rsa_pkcs1_sha512', 'RSA 2048'],
];

export interface KeyPair {
  readonly privateKey: PrivateKey;
  readonly publicKey: PublicKey;
}

const imported = new WeakMap<CryptoProvider, Map<DemoKeyName, KeyPair>>();

/**
 * The demo key `name` imported into `provider` (private and public PEM separately), memoised per provider: RSA
 * imports are not free and every check and timing needs the keys.
 * @throws whatever the provider's import raises (InvalidArgumentError for a key it cannot read).
 */
export function demoKeyPair(provider: CryptoProvider, name: DemoKeyName): KeyPair {
  let byName = imported.get(provider);
  if (byName === undefined) imported.set(provider, (byName = new Map()));
  let pair = byName.get(name);
  if (pair === undefined) {
    const key = DEMO_KEYS.find((candidate) => candidate.name === name);
    if (key === undefined) throw new Error(`no demo key ${name}`);
    pair = { privateKey: provider.importPrivateKey(key.privatePem), publicKey: provider.importPublicKey(key.publicPem) };
    byName.set(name, pair);
  }
  return pair;
}
