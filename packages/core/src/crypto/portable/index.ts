/**
 * The portable crypto provider: pure JavaScript from @noble/hashes, @noble/ciphers, @noble/curves,
 * @noble/post-quantum, and node-forge for RSA only. It imports no Node built-in and uses no `Buffer`, so it runs in
 * browsers, Deno, Workers and Node alike; it is the default under the `browser` and `default` export conditions.
 *
 * Randomness: every secret and every random value that reaches an output (key shares, PSS salts, `randomBytes`) comes
 * from the provider's random source: `options.random` when given, else `crypto.getRandomValues`. The libraries also
 * blind some private-key arithmetic against timing side channels (noble's scalar multiplications, forge's RSA); that
 * blinding takes its own platform randomness and changes no output, so a seeded provider stays reproducible.
 */
import type { CryptoProvider, ProviderOptions } from '../provider.js';
import { portableAes128Gcm, portableAes256Gcm, portableChaCha20Poly1305 } from './aead.js';
import { portableSecp256r1, portableSecp384r1, portableX25519 } from './groups.js';
import { x25519MlKem768Group } from '../x25519-mlkem768.js';
import { checkedRandom } from '../checked-random.js';
import { portableSha256, portableSha384, portableSha512 } from './hashes.js';
import { importPortablePrivateKey, importPortablePublicKey } from './import-keys.js';
import { platformRandomBytes } from './random.js';
import {
  portableRsaPkcs1Sha256,
  portableRsaPkcs1Sha384,
  portableRsaPkcs1Sha512,
  portableRsaPssPssSha256,
  portableRsaPssPssSha384,
  portableRsaPssPssSha512,
  portableRsaPssRsaeSha256,
  portableRsaPssRsaeSha384,
  portableRsaPssRsaeSha512,
} from './rsa.js';
import { portableEcdsaP256Sha256, portableEcdsaP384Sha384, portableEd25519 } from './signatures.js';

/**
 * Creates a portable provider. The object is frozen: to change its random source, create another one (a spread copy
 * with a new `randomBytes` would still draw key shares from the old source).
 *
 * @param options.random A replacement random source, e.g. a seeded generator for reproducible traces. Never in
 *   production. Its output is checked: anything but a Uint8Array of the asked length throws `InvalidArgumentError`
 *   (`INVALID_ARGUMENT`, argument `random`) at the call that drew it.
 * @example
 * ```ts
 * const provider = createPortableProvider();
 * const key = provider.aeads.aes_128_gcm!.importKey(provider.randomBytes(16));
 * ```
 */
export function createPortableProvider(options: ProviderOptions = {}): CryptoProvider {
  const random = options.random === undefined ? platformRandomBytes : checkedRandom(options.random);
  const x25519 = portableX25519(random);
  return Object.freeze({
    name: 'portable',
    randomBytes: random,
    hashes: Object.freeze({ sha256: portableSha256, sha384: portableSha384, sha512: portableSha512 }),
    aeads: Object.freeze({
      aes_128_gcm: portableAes128Gcm,
      aes_256_gcm: portableAes256Gcm,
      chacha20_poly1305: portableChaCha20Poly1305,
    }),
    groups: Object.freeze({
      x25519,
      secp256r1: portableSecp256r1(random),
      secp384r1: portableSecp384r1(random),
      X25519MLKEM768: x25519MlKem768Group(x25519, random),
    }),
    signatures: Object.freeze({
      ecdsa_secp256r1_sha256: portableEcdsaP256Sha256,
      ecdsa_secp384r1_sha384: portableEcdsaP384Sha384,
      rsa_pss_rsae_sha256: portableRsaPssRsaeSha256(random),
      rsa_pss_rsae_sha384: portableRsaPssRsaeSha384(random),
      rsa_pss_rsae_sha512: portableRsaPssRsaeSha512(random),
      rsa_pss_pss_sha256: portableRsaPssPssSha256(random),
      rsa_pss_pss_sha384: portableRsaPssPssSha384(random),
      rsa_pss_pss_sha512: portableRsaPssPssSha512(random),
      rsa_pkcs1_sha256: portableRsaPkcs1Sha256(random),
      rsa_pkcs1_sha384: portableRsaPkcs1Sha384(random),
      rsa_pkcs1_sha512: portableRsaPkcs1Sha512(random),
      ed25519: portableEd25519,
    }),
    importPrivateKey: (key: string | Uint8Array) => importPortablePrivateKey(key),
    importPublicKey: (key: string | Uint8Array) => importPortablePublicKey(key),
  });
}

/** The portable provider with the platform CSPRNG. */
export const portableProvider: CryptoProvider = /* @__PURE__ */ createPortableProvider();
