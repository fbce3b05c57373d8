/**
 * Key import for the portable provider: PEM/DER is parsed by the shared `keys.ts` (so both providers accept the same
 * formats and raise the same errors); here the public halves are derived and checked, and the key objects built.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { p256, p384 } from '@noble/curves/nist.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { InvalidArgumentError } from '@tlsbio/errors';
import type { PrivateKeyMaterial, PublicKeyMaterial } from '../key-material.js';
import { ecPublicKey, ed25519PublicKey, parsePrivateKey, parsePublicKey, rsaPublicKey } from '../keys.js';
import type { CurveName, PrivateKey, PublicKey } from '../provider.js';
import { equalBytes } from '../bytes.js';
import { forge, type ForgeBigInteger } from './forge.js';
import { makePrivateKey, makePublicKey } from './key-objects.js';

const CURVES: Record<CurveName, typeof p256> = { 'P-256': p256, 'P-384': p384 };

function forgeInteger(bytes: Uint8Array): ForgeBigInteger {
  return new forge.jsbn.BigInteger(bytes.length === 0 ? '0' : bytesToHex(bytes), 16);
}

/** A public key object from parsed material (which `keys.ts` has checked: points on their curves, sane moduli). */
function publicKeyFrom(material: PublicKeyMaterial): PublicKey {
  switch (material.type) {
    case 'ec':
      return makePublicKey({ type: 'ec', curve: material.curve, point: material.point }, material.spki);
    case 'ed25519':
      return makePublicKey({ type: 'ed25519', publicKey: material.publicKey }, material.spki);
    default: {
      const rsa = forge.pki.rsa.setPublicKey(forgeInteger(material.rsa.n), forgeInteger(material.rsa.e));
      return makePublicKey({ type: material.type, rsa, bits: material.bits }, material.spki);
    }
  }
}

/**
 * A private key object from parsed material. `keys.ts` has checked the values (EC scalar in [1, n-1], RSA p * q = n);
 * here the public half is derived (Ed25519 PKCS#8 and some SEC1 keys do not carry it) and compared with the encoded
 * point when there is one.
 * @throws InvalidArgumentError (`KEY_MISMATCH`) when an encoded EC public point is not d * G.
 */
function privateKeyFrom(material: PrivateKeyMaterial, argument: string): PrivateKey {
  switch (material.type) {
    case 'ec': {
      const point = CURVES[material.curve].getPublicKey(material.d, false);
      if (material.point !== undefined && !equalBytes(material.point, point)) {
        throw new InvalidArgumentError(argument, 'KEY_MISMATCH', 'EC private key: encoded public point is not d * G');
      }
      const publicKey = publicKeyFrom(ecPublicKey(material.curve, point));
      return makePrivateKey({ type: 'ec', curve: material.curve, d: material.d }, publicKey);
    }
    case 'ed25519': {
      const publicKey = publicKeyFrom(ed25519PublicKey(ed25519.getPublicKey(material.seed)));
      return makePrivateKey({ type: 'ed25519', seed: material.seed }, publicKey);
    }
    default: {
      const { rsa } = material;
      const forgeKey = forge.pki.rsa.setPrivateKey(
        forgeInteger(rsa.n),
        forgeInteger(rsa.e),
        forgeInteger(rsa.d),
        forgeInteger(rsa.p),
        forgeInteger(rsa.q),
        forgeInteger(rsa.dp),
        forgeInteger(rsa.dq),
        forgeInteger(rsa.qi),
      );
      const publicKey = publicKeyFrom(rsaPublicKey(material.type, { n: rsa.n, e: rsa.e }));
      return makePrivateKey({ type: material.type, rsa: forgeKey, bits: material.bits }, publicKey);
    }
  }
}

/**
 * Imports a private key: PEM (`PRIVATE KEY`, `EC PRIVATE KEY`, `RSA PRIVATE KEY`) or DER (PKCS#8, SEC1, PKCS#1).
 * @throws InvalidArgumentError (`BAD_PEM`, `BAD_DER`, `UNSUPPORTED_KEY_TYPE`, `KEY_MISMATCH`) from the parser;
 *   (`KEY_MISMATCH`) when an encoded EC public point does not match the private scalar.
 */
export function importPortablePrivateKey(input: string | Uint8Array, argument = 'key'): PrivateKey {
  return privateKeyFrom(parsePrivateKey(input, argument), argument);
}

/**
 * Imports a public key: PEM (`PUBLIC KEY`, `RSA PUBLIC KEY`) or DER (SPKI, PKCS#1).
 * @throws InvalidArgumentError (`BAD_PEM`, `BAD_DER`, `UNSUPPORTED_KEY_TYPE`) from the parser.
 */
export function importPortablePublicKey(input: string | Uint8Array, argument = 'key'): PublicKey {
  return publicKeyFrom(parsePublicKey(input, argument));
}
