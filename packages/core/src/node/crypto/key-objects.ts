/**
 * Private and public keys of the node provider: plain `PrivateKey`/`PublicKey` records (the contract's opaque keys)
 * linked to the node:crypto `KeyObject` that does the work.
 *
 * PEM/DER parsing is the shared parser's (`../keys.ts`), so every provider accepts the same inputs and raises the
 * same errors; this module only turns parsed material into `KeyObject`s. The link is a module-level WeakMap, so keys
 * from any node provider instance work with any other, and a key made by another provider is recognised as foreign.
 */
import { createECDH, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { InvalidArgumentError, isTLSError } from '@tlsbio/errors';
import type { PrivateKeyMaterial, PublicKeyMaterial, RsaPublicMaterial } from '../../crypto/key-material.js';
import { ecPublicKey, ed25519PublicKey, parsePrivateKey, parsePublicKey, rsaPublicKey } from '../../crypto/keys.js';
import type { CurveName, PrivateKey, PublicKey } from '../../crypto/provider.js';
import { asBytes, base64Url, bufferView } from './bytes.js';
import { equalBytes } from '../../crypto/bytes.js';

const keyObjects = new WeakMap<object, KeyObject>();

/** PKCS#8 PrivateKeyInfo header for a 32-byte Ed25519 seed (RFC 8410 §7): version 0, id-Ed25519, OCTET STRING. */
const ED25519_PKCS8_PREFIX = Uint8Array.from([
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
]);

const OPENSSL_CURVE: Record<CurveName, string> = { 'P-256': 'prime256v1', 'P-384': 'secp384r1' };

/**
 * The `KeyObject` behind a private key this provider made.
 * @throws InvalidArgumentError (`KEY_MISMATCH`) for a key made by another provider, a public key, or not a key.
 */
export function privateKeyObjectOf(key: PrivateKey, argument = 'key'): KeyObject {
  const keyObject = typeof key === 'object' && key !== null && key.kind === 'private' ? keyObjects.get(key) : undefined;
  if (keyObject === undefined) {
    throw new InvalidArgumentError(
      argument,
      'KEY_MISMATCH',
      'is not a private key of the node crypto provider; keys are provider-specific, import it with the provider in use',
    );
  }
  return keyObject;
}

/** The `KeyObject` behind a public key this provider made, or `undefined` for anything else. */
export function publicKeyObjectOf(key: PublicKey): KeyObject | undefined {
  return typeof key === 'object' && key !== null && key.kind === 'public' ? keyObjects.get(key) : undefined;
}

function rsaJwk(rsa: RsaPublicMaterial): { kty: 'RSA'; n: string; e: string } {
  return { kty: 'RSA', n: base64Url(rsa.n), e: base64Url(rsa.e) };
}

/** Splits an uncompressed SEC1 point (0x04 || X || Y) into JWK coordinates. */
function ecJwk(curve: CurveName, point: Uint8Array): { kty: 'EC'; crv: CurveName; x: string; y: string } {
  const size = (point.length - 1) / 2;
  return {
    kty: 'EC',
    crv: curve,
    x: base64Url(point.subarray(1, 1 + size)),
    y: base64Url(point.subarray(1 + size)),
  };
}


function makePublicKey(material: PublicKeyMaterial, keyObject: KeyObject): PublicKey {
  const key: PublicKey = Object.freeze({
    kind: 'public' as const,
    type: material.type,
    ...(material.type === 'ec' ? { curve: material.curve } : {}),
    ...(material.type === 'rsa' || material.type === 'rsa-pss' ? { bits: material.bits } : {}),
    spki: material.spki,
  });
  keyObjects.set(key, keyObject);
  return key;
}

/**
 * Runs a step that hands material to node:crypto. The shared parser has already checked the values (RSA p·q = n,
 * EC scalars in range, points on their curve), so OpenSSL should never refuse; if it does, the caller still gets a
 * typed error naming the argument rather than a raw Node error.
 */
function withNode<T>(argument: string, step: () => T): T {
  try {
    return step();
  } catch (cause) {
    if (isTLSError(cause)) throw cause;
    const detail = cause instanceof Error ? cause.message : String(cause);
    throw new InvalidArgumentError(argument, 'BAD_DER', `node:crypto refused the key: ${detail}`, { cause });
  }
}

/** The node KeyObject for parsed public material. */
function publicKeyObject(material: PublicKeyMaterial): KeyObject {
  switch (material.type) {
    case 'rsa':
    case 'rsa-pss':
      // An id-RSASSA-PSS key is the same RSA key; the schemes that accept it choose PSS padding themselves.
      return createPublicKey({ key: rsaJwk(material.rsa), format: 'jwk' });
    case 'ec':
      // OpenSSL 3.0 imports a P-256 point ~2x faster from JWK than from SPKI DER, but a P-384 point ~3.5x slower
      // (measured here: 11,000 vs 4,700/s and 1,400 vs 5,000/s); a handshake imports one or two such keys.
      return material.curve === 'P-384'
        ? createPublicKey({ key: bufferView(material.spki), format: 'der', type: 'spki' })
        : createPublicKey({ key: ecJwk(material.curve, material.point), format: 'jwk' });
    case 'ed25519':
      return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: base64Url(material.publicKey) }, format: 'jwk' });
  }
}

/** The node private KeyObject and the public material derived from it. */
function privateKeyObject(
  material: PrivateKeyMaterial,
  argument: string,
): { keyObject: KeyObject; publicMaterial: PublicKeyMaterial } {
  switch (material.type) {
    case 'rsa':
    case 'rsa-pss': {
      const { rsa } = material;
      const keyObject = createPrivateKey({
        key: {
          ...rsaJwk(rsa),
          d: base64Url(rsa.d),
          p: base64Url(rsa.p),
          q: base64Url(rsa.q),
          dp: base64Url(rsa.dp),
          dq: base64Url(rsa.dq),
          qi: base64Url(rsa.qi),
        },
        format: 'jwk',
      });
      return { keyObject, publicMaterial: rsaPublicKey(material.type, { n: rsa.n, e: rsa.e }) };
    }
    case 'ec': {
      // SEC1 may omit the public point, so derive it from the scalar (OpenSSL also rejects d = 0 and d >= n here).
      const ecdh = createECDH(OPENSSL_CURVE[material.curve]);
      ecdh.setPrivateKey(material.d);
      const point = asBytes(ecdh.getPublicKey());
      if (material.point !== undefined && !equalBytes(material.point, point)) {
        throw new InvalidArgumentError(argument, 'KEY_MISMATCH', 'the encoded EC public key does not match the private key');
      }
      const keyObject = createPrivateKey({ key: { ...ecJwk(material.curve, point), d: base64Url(material.d) }, format: 'jwk' });
      return { keyObject, publicMaterial: ecPublicKey(material.curve, point) };
    }
    case 'ed25519': {
      const pkcs8 = new Uint8Array(ED25519_PKCS8_PREFIX.length + material.seed.length);
      pkcs8.set(ED25519_PKCS8_PREFIX, 0);
      pkcs8.set(material.seed, ED25519_PKCS8_PREFIX.length);
      const keyObject = createPrivateKey({ key: Buffer.from(pkcs8.buffer), format: 'der', type: 'pkcs8' });
      pkcs8.fill(0);
      // The raw public key is the tail of the SPKI DER (never a JWK export: it hangs Node 20, DESIGN.md §8).
      const spki = createPublicKey(keyObject).export({ format: 'der', type: 'spki' });
      return { keyObject, publicMaterial: ed25519PublicKey(asBytes(spki.subarray(spki.length - 32))) };
    }
  }
}

/**
 * Imports a private key: PEM or DER in PKCS#8, SEC1 or PKCS#1. `argument` names the input in error messages.
 * @throws InvalidArgumentError (`INVALID_ARGUMENT`, `BAD_PEM`, `BAD_DER`, `UNSUPPORTED_KEY_TYPE`, `KEY_MISMATCH`)
 *   from the shared parser; (`KEY_MISMATCH`) when an EC key's encoded public point does not match its private
 *   scalar; (`BAD_DER`) if node:crypto refuses material the parser accepted.
 */
export function importPrivateKey(input: string | Uint8Array, argument = 'key'): PrivateKey {
  const material = parsePrivateKey(input, argument);
  const { keyObject, publicMaterial } = withNode(argument, () => privateKeyObject(material, argument));
  const publicKey = makePublicKey(publicMaterial, withNode(argument, () => createPublicKey(keyObject)));
  const key: PrivateKey = Object.freeze({
    kind: 'private' as const,
    type: publicKey.type,
    ...(publicKey.curve === undefined ? {} : { curve: publicKey.curve }),
    ...(publicKey.bits === undefined ? {} : { bits: publicKey.bits }),
    publicKey,
  });
  keyObjects.set(key, keyObject);
  return key;
}

/**
 * Imports a public key: PEM or DER in SPKI or PKCS#1. `argument` names the input in error messages.
 * @throws InvalidArgumentError (`INVALID_ARGUMENT`, `BAD_PEM`, `BAD_DER`, `UNSUPPORTED_KEY_TYPE`) from the shared
 *   parser (which also refuses EC points off their curve); (`BAD_DER`) if node:crypto refuses material the parser
 *   accepted.
 */
export function importPublicKey(input: string | Uint8Array, argument = 'key'): PublicKey {
  const material = parsePublicKey(input, argument);
  return makePublicKey(material, withNode(argument, () => publicKeyObject(material)));
}
