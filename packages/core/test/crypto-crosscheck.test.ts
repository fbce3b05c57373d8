/**
 * The two providers against each other on seeded random inputs: whatever the published vectors do not reach (odd
 * lengths, long keys, split hashing, 16 KiB records), both must agree on byte for byte, and each must accept what
 * the other produces. The seed is fixed, so a failure reproduces; the sizes are bounded, so the file runs in seconds.
 */
import { generateKeyPairSync, type KeyPairKeyObjectResult } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hkdfExpand, hkdfExtract } from '../src/crypto/hkdf.js';
import type {
  AeadName,
  CryptoProvider,
  GroupName,
  HashAlgorithm,
  HashName,
  PrivateKey,
  PublicKey,
  RandomSource,
  SignatureSchemeName,
} from '../src/crypto/provider.js';
import { providers, type ProviderFactory } from './helpers/providers.js';

/** mulberry32: small, seedable, and plenty for choosing test inputs (never for keys that matter). */
class Prng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  u32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** An integer in [low, high]. */
  int(low: number, high: number): number {
    return low + (this.u32() % (high - low + 1));
  }

  bytes(length: number): Uint8Array {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) out[i] = this.u32() & 0xff;
    return out;
  }
}

/** A deterministic random source: two made from the same seed hand out the same stream. */
function stream(seed: number): RandomSource {
  const prng = new Prng(seed);
  return (length) => prng.bytes(length);
}

function x(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

const SEED = 0x7115b10;
const HASHES: readonly HashName[] = ['sha256', 'sha384', 'sha512'];
const AEADS: readonly AeadName[] = ['aes_128_gcm', 'aes_256_gcm', 'chacha20_poly1305'];
const GROUPS: readonly GroupName[] = ['x25519', 'secp256r1', 'secp384r1', 'X25519MLKEM768'];

function factory(name: string): ProviderFactory {
  const entry = providers.find(([providerName]) => providerName === name);
  if (!entry) throw new Error(`no ${name} provider`);
  return entry[1];
}
const createNode = factory('node');
const createPortable = factory('portable');

function hashOf(provider: CryptoProvider, name: HashName): HashAlgorithm {
  const hash = provider.hashes[name];
  if (!hash) throw new Error(`${provider.name} lacks ${name}`);
  return hash;
}

describe('node and portable providers agree', () => {
  const node = createNode();
  const portable = createPortable();

  it.each(HASHES)('%s: one-shot digests and split, forked running hashes', (name) => {
    const prng = new Prng(SEED ^ 0x01);
    const [a, b] = [hashOf(node, name), hashOf(portable, name)];
    expect([a.outputLength, a.blockLength]).toEqual([b.outputLength, b.blockLength]);
    for (let round = 0; round < 40; round++) {
      const data = prng.bytes(prng.int(0, 3 * a.blockLength + 7));
      const cut = prng.int(0, data.length);
      const expected = x(a.digest(data));
      expect(x(b.digest(data)), `round ${round}`).toBe(expected);
      for (const hash of [a, b]) {
        // The transcript pattern: hash a prefix, fork to read it, keep going on the original.
        const running = hash.create();
        running.update(data.subarray(0, cut));
        const fork = running.fork();
        running.update(data.subarray(cut));
        expect(x(fork.digest()), `round ${round} fork`).toBe(x(a.digest(data.subarray(0, cut))));
        expect(x(running.digest()), `round ${round} running`).toBe(expected);
      }
    }
  });

  it.each(HASHES)('HMAC-%s with keys shorter and longer than a block', (name) => {
    const prng = new Prng(SEED ^ 0x02);
    const [a, b] = [hashOf(node, name), hashOf(portable, name)];
    for (let round = 0; round < 40; round++) {
      const key = prng.bytes(prng.int(0, 2 * a.blockLength + 3));
      const data = prng.bytes(prng.int(0, 300));
      expect(x(b.hmac(key, data)), `round ${round}, key of ${key.length}`).toBe(x(a.hmac(key, data)));
    }
  });

  it.each(['sha256', 'sha384'] as const)('HKDF-%s extract and expand', (name) => {
    const prng = new Prng(SEED ^ 0x03);
    const [a, b] = [hashOf(node, name), hashOf(portable, name)];
    for (let round = 0; round < 30; round++) {
      const salt = prng.bytes(prng.int(0, 80));
      const ikm = prng.bytes(prng.int(0, 80));
      const info = prng.bytes(prng.int(0, 60));
      const length = prng.int(1, 4 * a.outputLength + 1);
      const prk = hkdfExtract(a, salt, ikm);
      expect(x(hkdfExtract(b, salt, ikm)), `round ${round}`).toBe(x(prk));
      expect(x(hkdfExpand(b, prk, info, length)), `round ${round}`).toBe(x(hkdfExpand(a, prk, info, length)));
    }
  });

  it.each(AEADS)('%s: equal seals, each opens the other’s, both refuse a flipped byte', (name) => {
    const prng = new Prng(SEED ^ 0x04);
    const [a, b] = [node.aeads[name], portable.aeads[name]];
    if (!a || !b) throw new Error(`missing ${name}`);
    expect([b.keyLength, b.nonceLength, b.tagLength]).toEqual([a.keyLength, a.nonceLength, a.tagLength]);
    for (let round = 0; round < 30; round++) {
      const keyBytes = prng.bytes(a.keyLength);
      const [keyA, keyB] = [a.importKey(keyBytes), b.importKey(keyBytes)];
      const nonce = prng.bytes(a.nonceLength);
      const aad = prng.bytes(prng.int(0, 40));
      // Mostly short records, and a full 16 KiB TLS record now and then (RFC 8446 §5.1).
      const plaintext = prng.bytes(round % 10 === 0 ? 16384 : prng.int(0, 600));
      const sealedA = keyA.seal(nonce, plaintext, aad);
      const sealedB = keyB.seal(nonce, plaintext, aad);
      expect(x(sealedB), `round ${round}`).toBe(x(sealedA));
      expect(sealedA.length).toBe(plaintext.length + a.tagLength);
      const openedByB = keyB.open(nonce, sealedA, aad);
      const openedByA = keyA.open(nonce, sealedB, aad);
      expect(openedByB && x(openedByB), `round ${round}: portable opens node's`).toBe(x(plaintext));
      expect(openedByA && x(openedByA), `round ${round}: node opens portable's`).toBe(x(plaintext));
      const forged = sealedA.slice();
      const at = prng.int(0, forged.length - 1);
      forged[at] = (forged[at] as number) ^ (1 << prng.int(0, 7));
      expect(keyA.open(nonce, forged, aad), `round ${round}, byte ${at}`).toBeNull();
      expect(keyB.open(nonce, forged, aad), `round ${round}, byte ${at}`).toBeNull();
    }
  });

  it.each(GROUPS)('%s: identical shares and secrets from the same random stream, across sides', (name) => {
    const prng = new Prng(SEED ^ 0x05);
    const rounds = name === 'X25519MLKEM768' ? 6 : 10;
    for (let round = 0; round < rounds; round++) {
      const seed = prng.u32();
      const groupA = createNode({ random: stream(seed) }).groups[name];
      const groupB = createPortable({ random: stream(seed) }).groups[name];
      if (!groupA || !groupB) throw new Error(`missing ${name}`);
      expect(groupB.id).toBe(groupA.id);
      const clientA = groupA.start();
      const clientB = groupB.start();
      expect(x(clientB.publicKey), `round ${round} client share`).toBe(x(clientA.publicKey));
      // Each server answers the other provider's (identical) client share, from the same point of the stream.
      const serverA = groupA.accept(clientB.publicKey);
      const serverB = groupB.accept(clientA.publicKey);
      expect(x(serverB.publicKey), `round ${round} server share`).toBe(x(serverA.publicKey));
      expect(x(serverB.sharedSecret), `round ${round} server secret`).toBe(x(serverA.sharedSecret));
      expect(x(clientA.complete(serverB.publicKey)), `round ${round} node client`).toBe(x(serverA.sharedSecret));
      expect(x(clientB.complete(serverA.publicKey)), `round ${round} portable client`).toBe(x(serverA.sharedSecret));
    }
  });

  describe('signatures made by one provider verify with the other', () => {
    // Keys from node:crypto itself, imported into both providers as PKCS#8 and SPKI DER.
    const der = ({ privateKey, publicKey }: KeyPairKeyObjectResult) => ({
      privateKey: new Uint8Array(privateKey.export({ type: 'pkcs8', format: 'der' })),
      publicKey: new Uint8Array(publicKey.export({ type: 'spki', format: 'der' })),
    });
    const keys = {
      p256: der(generateKeyPairSync('ec', { namedCurve: 'P-256' })),
      p384: der(generateKeyPairSync('ec', { namedCurve: 'P-384' })),
      rsa: der(generateKeyPairSync('rsa', { modulusLength: 2048 })),
      rsaPss: der(generateKeyPairSync('rsa-pss', { modulusLength: 2048 })),
      ed25519: der(generateKeyPairSync('ed25519')),
    };
    const schemes: readonly (readonly [SignatureSchemeName, keyof typeof keys, boolean])[] = [
      // [scheme, key, deterministic]: deterministic schemes must also give byte-identical signatures.
      ['ecdsa_secp256r1_sha256', 'p256', false],
      ['ecdsa_secp384r1_sha384', 'p384', false],
      ['rsa_pss_rsae_sha256', 'rsa', false],
      ['rsa_pss_rsae_sha384', 'rsa', false],
      ['rsa_pss_rsae_sha512', 'rsa', false],
      ['rsa_pss_pss_sha256', 'rsaPss', false],
      ['rsa_pss_pss_sha384', 'rsaPss', false],
      ['rsa_pss_pss_sha512', 'rsaPss', false],
      ['rsa_pkcs1_sha256', 'rsa', true],
      ['rsa_pkcs1_sha384', 'rsa', true],
      ['rsa_pkcs1_sha512', 'rsa', true],
      ['ed25519', 'ed25519', true],
    ];

    it.each(schemes)('%s', (schemeName, keyName, deterministic) => {
      const prng = new Prng(SEED ^ 0x06);
      const sides = [node, portable].map((provider) => {
        const scheme = provider.signatures[schemeName];
        if (!scheme) throw new Error(`${provider.name} lacks ${schemeName}`);
        const privateKey: PrivateKey = provider.importPrivateKey(keys[keyName].privateKey);
        const publicKey: PublicKey = provider.importPublicKey(keys[keyName].publicKey);
        expect(scheme.supportsKey(privateKey) && scheme.supportsKey(publicKey), `${provider.name} key support`).toBe(
          true,
        );
        expect(x(privateKey.publicKey.spki)).toBe(x(keys[keyName].publicKey));
        return { name: provider.name, scheme, privateKey, publicKey };
      });
      for (let round = 0; round < 3; round++) {
        const message = prng.bytes(prng.int(0, 200));
        const tampered =
          message.length === 0 ? Uint8Array.of(0) : message.map((byte, i) => (i === 0 ? byte ^ 0x80 : byte));
        const signatures = sides.map((side) => side.scheme.sign(side.privateKey, message));
        for (const [i, signer] of sides.entries()) {
          for (const verifier of sides) {
            const signature = signatures[i] as Uint8Array;
            const label = `round ${round}: ${signer.name} signs, ${verifier.name} verifies`;
            expect(verifier.scheme.verify(verifier.publicKey, message, signature), label).toBe(true);
            expect(verifier.scheme.verify(verifier.publicKey, tampered, signature), `${label} a tampered message`).toBe(
              false,
            );
          }
        }
        if (deterministic)
          expect(x(signatures[1] as Uint8Array), `round ${round}`).toBe(x(signatures[0] as Uint8Array));
      }
    });
  });
});
