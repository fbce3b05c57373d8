/**
 * The node:crypto provider: native OpenSSL speed for every primitive Node 20 has, @noble/post-quantum for the
 * ML-KEM-768 half of X25519MLKEM768 (which it has not). The default provider under the `node` export condition.
 */
import type { CryptoProvider, ProviderOptions } from '../../crypto/provider.js';
import { aes128Gcm, aes256Gcm, chacha20Poly1305 } from './aead.js';
import { sha256, sha384, sha512 } from './hashes.js';
import { importPrivateKey, importPublicKey } from './key-objects.js';
import { secp256r1Group, secp384r1Group } from './nist-ecdh.js';
import { pooledRandom, systemRandom } from './random.js';
import { nodeSignatures } from './signatures.js';
import { x25519Group } from './x25519-group.js';
import { x25519MlKem768Group } from '../../crypto/x25519-mlkem768.js';
import { checkedRandom } from '../../crypto/checked-random.js';

/**
 * Makes a node:crypto provider. Every key share draws its private key (and ML-KEM seeds) from `options.random`
 * when given, so a seeded source reproduces key shares exactly; signatures always use OpenSSL's own randomness.
 *
 * Keys imported by one node provider work with every node provider. A key from another provider is refused by
 * `sign` with InvalidArgumentError (`KEY_MISMATCH`) and never verifies.
 *
 * @example
 * ```ts
 * const provider = createNodeProvider();
 * const exchange = provider.groups.x25519!.start();
 * ```
 */
export function createNodeProvider(options: ProviderOptions = {}): CryptoProvider {
  const injected = options.random === undefined ? undefined : checkedRandom(options.random);
  // Public values come from a pool; ephemeral key-share secrets never do (random.ts says why).
  const random = injected ?? pooledRandom;
  const secretRandom = injected ?? systemRandom;
  const x25519 = x25519Group(injected);
  return Object.freeze({
    name: 'node',
    randomBytes: random,
    hashes: Object.freeze({ sha256, sha384, sha512 }),
    aeads: Object.freeze({ aes_128_gcm: aes128Gcm, aes_256_gcm: aes256Gcm, chacha20_poly1305: chacha20Poly1305 }),
    groups: Object.freeze({
      x25519,
      secp256r1: secp256r1Group(secretRandom),
      secp384r1: secp384r1Group(secretRandom),
      X25519MLKEM768: x25519MlKem768Group(x25519, secretRandom),
    }),
    signatures: nodeSignatures,
    importPrivateKey: (key: string | Uint8Array) => importPrivateKey(key),
    importPublicKey: (key: string | Uint8Array) => importPublicKey(key),
  });
}

/** The node:crypto provider with the system CSPRNG. */
export const nodeProvider: CryptoProvider = createNodeProvider();
