/**
 * The portable provider's key objects. What a key is made of (a scalar, a seed, a forge RSA key) lives in
 * module-private WeakMaps, so the objects handed out carry only public facts and cannot be forged or read: a key
 * made by another provider simply has no entry here.
 */
import { InvalidArgumentError } from '@tlsbio/errors';
import type { CurveName, KeyType, PrivateKey, PublicKey } from '../provider.js';
import type { ForgeRsaPrivateKey, ForgeRsaPublicKey } from './forge.js';

export type PortablePublicMaterial =
  /** `point` is the uncompressed SEC1 point. */
  | { readonly type: 'ec'; readonly curve: CurveName; readonly point: Uint8Array }
  | { readonly type: 'ed25519'; readonly publicKey: Uint8Array }
  | { readonly type: 'rsa' | 'rsa-pss'; readonly rsa: ForgeRsaPublicKey; readonly bits: number };

export type PortablePrivateMaterial =
  /** `d` is the private scalar, curve-length big-endian. */
  | { readonly type: 'ec'; readonly curve: CurveName; readonly d: Uint8Array }
  /** `seed` is the 32-byte RFC 8032 private key. */
  | { readonly type: 'ed25519'; readonly seed: Uint8Array }
  | { readonly type: 'rsa' | 'rsa-pss'; readonly rsa: ForgeRsaPrivateKey; readonly bits: number };

const publicMaterials = new WeakMap<object, PortablePublicMaterial>();
const privateMaterials = new WeakMap<object, PortablePrivateMaterial>();

interface KeyFacts {
  readonly type: KeyType;
  readonly curve?: CurveName;
  readonly bits?: number;
}

function factsOf(material: PortablePublicMaterial | PortablePrivateMaterial): KeyFacts {
  switch (material.type) {
    case 'ec':
      return { type: 'ec', curve: material.curve };
    case 'ed25519':
      return { type: 'ed25519' };
    default:
      return { type: material.type, bits: material.bits };
  }
}

/** What both kinds of key show: the type, and the curve or the size where the key has one. */
abstract class PortableKey {
  readonly type: KeyType;
  // `declare`: no own property unless the key has the fact (a class field would be an own `undefined`).
  declare readonly curve?: CurveName;
  declare readonly bits?: number;

  constructor(facts: KeyFacts) {
    this.type = facts.type;
    if (facts.curve !== undefined) this.curve = facts.curve;
    if (facts.bits !== undefined) this.bits = facts.bits;
  }
}

/** A public key of the portable provider. */
class PortablePublicKey extends PortableKey implements PublicKey {
  readonly kind = 'public';
  readonly spki: Uint8Array;

  constructor(facts: KeyFacts, spki: Uint8Array) {
    super(facts);
    this.spki = spki;
  }
}

/** A private key of the portable provider. */
class PortablePrivateKey extends PortableKey implements PrivateKey {
  readonly kind = 'private';
  readonly publicKey: PublicKey;

  constructor(facts: KeyFacts, publicKey: PublicKey) {
    super(facts);
    this.publicKey = publicKey;
  }
}

/** A public key object for `material`, with its DER SubjectPublicKeyInfo. */
export function makePublicKey(material: PortablePublicMaterial, spki: Uint8Array): PublicKey {
  const key = Object.freeze(new PortablePublicKey(factsOf(material), spki));
  publicMaterials.set(key, material);
  return key;
}

/** A private key object for `material`, with its public half. */
export function makePrivateKey(material: PortablePrivateMaterial, publicKey: PublicKey): PrivateKey {
  const key = Object.freeze(new PortablePrivateKey(factsOf(material), publicKey));
  privateMaterials.set(key, material);
  return key;
}

/**
 * The material of a private key made by this provider.
 * @throws InvalidArgumentError (`KEY_MISMATCH`) for a public key, or a key another provider made.
 */
export function privateMaterialOf(key: PrivateKey, argument = 'key'): PortablePrivateMaterial {
  const material = typeof key === 'object' && key !== null ? privateMaterials.get(key) : undefined;
  if (material === undefined) {
    throw new InvalidArgumentError(
      argument,
      'KEY_MISMATCH',
      'is not a private key of the portable provider (import it with this provider\'s importPrivateKey)',
    );
  }
  return material;
}

/** The material of a public key made by this provider, or `undefined` for anything else. */
export function publicMaterialOf(key: PublicKey): PortablePublicMaterial | undefined {
  return typeof key === 'object' && key !== null ? publicMaterials.get(key) : undefined;
}
