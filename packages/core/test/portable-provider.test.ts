/**
 * The portable provider against node:crypto: every primitive cross-checked both ways (ours produces, node consumes,
 * and back), the typed failure outcomes, key import, and reproducibility with an injected random source.
 * Published vectors are in crypto-vectors.test.ts.
 */
import {
  constants,
  createCipheriv,
  createDecipheriv,
  createECDH,
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  randomBytes,
  sign as nodeSign,
  verify as nodeVerify,
  type KeyObject,
} from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { p256, p384 } from '@noble/curves/nist.js';
import { ml_kem768 } from '@noble/post-quantum/ml-kem.js';
import { InvalidArgumentError, ProtocolError } from '@tlsbio/errors';
import { beforeAll, describe, expect, it } from 'vitest';
import { createPortableProvider, portableProvider } from '../src/crypto/portable/index.js';
import type {
  AeadName,
  GroupName,
  HashName,
  PrivateKey,
  PublicKey,
  RandomSource,
  SignatureSchemeName,
} from '../src/crypto/provider.js';

const provider = portableProvider;
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const bytes = (buffer: Buffer | Uint8Array): Uint8Array => Uint8Array.from(buffer);
const text = (value: string): Uint8Array => new TextEncoder().encode(value);

/** SHA-256 in counter mode over a seed: a reproducible stand-in for a CSPRNG. */
function seededRandom(seed: string): RandomSource {
  let counter = 0;
  return (length) => {
    const out = new Uint8Array(length);
    for (let offset = 0; offset < length; offset += 32) {
      const block = createHash('sha256').update(seed).update(String(counter++)).digest();
      out.set(block.subarray(0, Math.min(32, length - offset)), offset);
    }
    return out;
  };
}

/** Wraps a source and records each draw, to check what a provider consumed and in which order. */
function recording(source: RandomSource): { random: RandomSource; draws: Uint8Array[] } {
  const draws: Uint8Array[] = [];
  return {
    draws,
    random: (length) => {
      const out = source(length);
      draws.push(out.slice());
      return out;
    },
  };
}

function expectTLSError(run: () => unknown, type: typeof InvalidArgumentError | typeof ProtocolError, reason: string) {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(type);
  expect((caught as { reason: string }).reason).toBe(reason);
  return caught as InstanceType<typeof type>;
}

function expectInvalidShare(run: () => unknown): void {
  const error = expectTLSError(run, ProtocolError, 'INVALID_KEY_SHARE') as ProtocolError;
  expect(error.fault).toBe('remote');
}

// --- X25519 through node:crypto (no createECDH('x25519') on Node 20: raw keys go through PKCS#8/SPKI DER) ---------

const X25519_SPKI_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');
const X25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');

function nodeX25519Private(raw: Uint8Array): KeyObject {
  return createPrivateKey({ key: Buffer.concat([X25519_PKCS8_PREFIX, raw]), format: 'der', type: 'pkcs8' });
}

function nodeX25519PublicOf(raw: Uint8Array): Uint8Array {
  const spki = createPublicKey(nodeX25519Private(raw)).export({ type: 'spki', format: 'der' });
  return bytes(spki.subarray(-32));
}

function nodeX25519Agree(privateRaw: Uint8Array, peer: Uint8Array): Uint8Array {
  const publicKey = createPublicKey({ key: Buffer.concat([X25519_SPKI_PREFIX, peer]), format: 'der', type: 'spki' });
  return bytes(diffieHellman({ privateKey: nodeX25519Private(privateRaw), publicKey }));
}

// --- hashes --------------------------------------------------------------------------------------------------------

describe('hashes', () => {
  const names: HashName[] = ['sha256', 'sha384', 'sha512'];

  it.each(names)('%s digest matches node for lengths around the block size', (name) => {
    const hash = provider.hashes[name]!;
    expect(hash.outputLength).toBe(createHash(name).digest().length);
    for (const length of [0, 1, 55, 56, 63, 64, 111, 112, 127, 128, 129, 1000]) {
      const data = randomBytes(length);
      expect(hex(hash.digest(data))).toBe(createHash(name).update(data).digest('hex'));
    }
  });

  it.each(names)('%s running hash: chunked updates and forks mid-stream are independent', (name) => {
    const hash = provider.hashes[name]!;
    const [a, b, c] = [randomBytes(70), randomBytes(200), randomBytes(33)];
    const running = hash.create();
    running.update(a.subarray(0, 10));
    running.update(a.subarray(10));
    const fork = running.fork();
    const forkOfFork = fork.fork();
    fork.update(b);
    running.update(c);
    expect(hex(forkOfFork.digest())).toBe(createHash(name).update(a).digest('hex'));
    expect(hex(fork.digest())).toBe(createHash(name).update(a).update(b).digest('hex'));
    expect(hex(running.digest())).toBe(createHash(name).update(a).update(c).digest('hex'));
  });

  it.each(names)('%s HMAC matches node for short, block-sized and long keys', (name) => {
    const hash = provider.hashes[name]!;
    for (const keyLength of [0, 16, hash.blockLength, hash.blockLength + 1, 300]) {
      const key = randomBytes(keyLength);
      const data = randomBytes(100);
      expect(hex(hash.hmac(key, data))).toBe(createHmac(name, key).update(data).digest('hex'));
    }
  });
});

// --- AEAD ----------------------------------------------------------------------------------------------------------

describe('AEAD', () => {
  const NODE_NAMES: Record<AeadName, string> = {
    aes_128_gcm: 'aes-128-gcm',
    aes_256_gcm: 'aes-256-gcm',
    chacha20_poly1305: 'chacha20-poly1305',
  };
  const names = Object.keys(NODE_NAMES) as AeadName[];

  function nodeSeal(name: AeadName, key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array) {
    const cipher = createCipheriv(NODE_NAMES[name] as 'aes-128-gcm', key, nonce, { authTagLength: 16 });
    cipher.setAAD(aad);
    return bytes(Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]));
  }

  function nodeOpen(name: AeadName, key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array) {
    const decipher = createDecipheriv(NODE_NAMES[name] as 'aes-128-gcm', key, nonce, { authTagLength: 16 });
    decipher.setAAD(aad);
    decipher.setAuthTag(sealed.subarray(-16));
    return bytes(Buffer.concat([decipher.update(sealed.subarray(0, -16)), decipher.final()]));
  }

  it.each(names)('%s: our seal opens with node, node seal opens with ours', (name) => {
    const aead = provider.aeads[name]!;
    expect([aead.nonceLength, aead.tagLength]).toEqual([12, 16]);
    const key = randomBytes(aead.keyLength);
    const sealer = aead.importKey(key);
    for (const length of [0, 1, 15, 16, 17, 1000, 16384]) {
      const nonce = randomBytes(12);
      const aad = randomBytes(13);
      const plaintext = randomBytes(length);
      const sealed = sealer.seal(nonce, plaintext, aad);
      expect(sealed.length).toBe(length + 16);
      expect(hex(nodeOpen(name, key, nonce, sealed, aad))).toBe(hex(plaintext));
      const fromNode = nodeSeal(name, key, nonce, plaintext, aad);
      expect(hex(fromNode)).toBe(hex(sealed));
      expect(hex(sealer.open(nonce, fromNode, aad)!)).toBe(hex(plaintext));
    }
  });

  it.each(names)('%s: inputs at unaligned offsets (a record body inside a record buffer) work', (name) => {
    const aead = provider.aeads[name]!;
    const key = randomBytes(aead.keyLength);
    const sealer = aead.importKey(key);
    const nonce = randomBytes(12);
    const aad = randomBytes(5);
    const record = new Uint8Array(5 + 1000);
    record.set(randomBytes(1000), 5);
    const plaintext = record.subarray(5);
    const sealed = sealer.seal(nonce, plaintext, aad);
    const sealedRecord = new Uint8Array(5 + sealed.length);
    sealedRecord.set(sealed, 5);
    expect(hex(sealer.open(nonce, sealedRecord.subarray(5), aad)!)).toBe(hex(plaintext));
    expect(hex(nodeOpen(name, key, nonce, sealed, aad))).toBe(hex(plaintext));
  });

  it.each(names)('%s: any tampering gives null, never a throw', (name) => {
    const aead = provider.aeads[name]!;
    const sealer = aead.importKey(randomBytes(aead.keyLength));
    const nonce = randomBytes(12);
    const aad = randomBytes(13);
    const sealed = sealer.seal(nonce, randomBytes(64), aad);
    for (const index of [0, 63, 64, 79]) {
      const tampered = sealed.slice();
      tampered[index]! ^= 0x01;
      expect(sealer.open(nonce, tampered, aad)).toBeNull();
    }
    const otherAad = aad.slice();
    otherAad[0]! ^= 0x80;
    expect(sealer.open(nonce, sealed, otherAad)).toBeNull();
    const otherNonce = nonce.slice();
    otherNonce[11]! ^= 0x01;
    expect(sealer.open(otherNonce, sealed, aad)).toBeNull();
    expect(aead.importKey(randomBytes(aead.keyLength)).open(nonce, sealed, aad)).toBeNull();
    expect(sealer.open(nonce, sealed.subarray(0, 15), aad)).toBeNull();
    expect(sealer.open(nonce, new Uint8Array(0), aad)).toBeNull();
    expect(sealer.open(nonce, sealed.subarray(1), aad)).toBeNull();
  });

  it.each(names)('%s: wrong key and nonce sizes are typed caller errors', (name) => {
    const aead = provider.aeads[name]!;
    const wrongKey = expectTLSError(() => aead.importKey(randomBytes(aead.keyLength + 1)), InvalidArgumentError, 'BAD_KEY_LENGTH');
    expect((wrongKey as InvalidArgumentError).argument).toBe('key');
    expectTLSError(() => aead.importKey(new Uint8Array(0)), InvalidArgumentError, 'BAD_KEY_LENGTH');
    const sealer = aead.importKey(randomBytes(aead.keyLength));
    expectTLSError(() => sealer.seal(randomBytes(8), new Uint8Array(1), new Uint8Array(0)), InvalidArgumentError, 'BAD_NONCE_LENGTH');
    expectTLSError(() => sealer.open(randomBytes(16), new Uint8Array(32), new Uint8Array(0)), InvalidArgumentError, 'BAD_NONCE_LENGTH');
  });

  it('keeps its own copy of the key', () => {
    const key = randomBytes(16);
    const original = Uint8Array.from(key);
    const sealer = provider.aeads.aes_128_gcm!.importKey(key);
    key.fill(0);
    const nonce = randomBytes(12);
    const sealed = sealer.seal(nonce, text('record'), new Uint8Array(0));
    expect(hex(nodeOpen('aes_128_gcm', original, nonce, sealed, new Uint8Array(0)))).toBe(hex(text('record')));
  });
});

// --- key exchange --------------------------------------------------------------------------------------------------

describe('key exchange', () => {
  it('x25519 agrees with node on both sides', () => {
    const group = provider.groups.x25519!;
    expect(group.id).toBe(0x001d);
    const nodePrivate = randomBytes(32);
    const nodePublic = nodeX25519PublicOf(nodePrivate);
    const client = group.start();
    expect(client.publicKey.length).toBe(32);
    expect(hex(client.complete(nodePublic))).toBe(hex(nodeX25519Agree(nodePrivate, client.publicKey)));
    const server = group.accept(nodePublic);
    expect(hex(server.sharedSecret)).toBe(hex(nodeX25519Agree(nodePrivate, server.publicKey)));
  });

  it.each([
    ['secp256r1', 'prime256v1', 0x0017, 65],
    ['secp384r1', 'secp384r1', 0x0018, 97],
  ] as const)('%s agrees with node on both sides (x-coordinate secret)', (name, curve, id, shareLength) => {
    const group = provider.groups[name]!;
    expect(group.id).toBe(id);
    const node = createECDH(curve);
    const nodePublic = bytes(node.generateKeys());
    const client = group.start();
    expect(client.publicKey.length).toBe(shareLength);
    expect(client.publicKey[0]).toBe(0x04);
    expect(hex(client.complete(nodePublic))).toBe(node.computeSecret(client.publicKey).toString('hex'));
    const server = group.accept(nodePublic);
    expect(hex(server.sharedSecret)).toBe(node.computeSecret(server.publicKey).toString('hex'));
  });

  it('X25519MLKEM768: client and server agree, with the draft\'s sizes and order', () => {
    const group = provider.groups.X25519MLKEM768!;
    expect(group.id).toBe(0x11ec);
    const client = group.start();
    expect(client.publicKey.length).toBe(1184 + 32);
    const server = group.accept(client.publicKey);
    expect(server.publicKey.length).toBe(1088 + 32);
    expect(server.sharedSecret.length).toBe(64);
    expect(hex(client.complete(server.publicKey))).toBe(hex(server.sharedSecret));
  });

  it('X25519MLKEM768: the X25519 halves agree with node and the ML-KEM half is the decapsulated secret', () => {
    const { random, draws } = recording(seededRandom('hybrid halves'));
    const group = createPortableProvider({ random }).groups.X25519MLKEM768!;
    const client = group.start();
    const [seed, clientX25519] = draws as [Uint8Array, Uint8Array];
    const server = group.accept(client.publicKey);
    const serverX25519 = draws[3]!;
    const serverX25519Public = server.publicKey.subarray(1088);
    expect(hex(server.sharedSecret.subarray(32))).toBe(hex(nodeX25519Agree(clientX25519, serverX25519Public)));
    expect(hex(server.sharedSecret.subarray(32))).toBe(hex(nodeX25519Agree(serverX25519, client.publicKey.subarray(1184))));
    const { secretKey } = ml_kem768.keygen(seed);
    const mlkemSecret = ml_kem768.decapsulate(server.publicKey.subarray(0, 1088), secretKey);
    expect(hex(server.sharedSecret.subarray(0, 32))).toBe(hex(mlkemSecret));
  });

  describe('bad peer shares are INVALID_KEY_SHARE (remote fault), never another error', () => {
    const lowOrderX25519 = [
      new Uint8Array(32), // 0
      Uint8Array.of(1, ...new Uint8Array(31)), // 1
      Buffer.from('ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', 'hex'), // p - 1
      Buffer.from('edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', 'hex'), // p (= 0)
      Buffer.from('e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800', 'hex'), // order 8
    ];

    it('x25519: wrong lengths and low-order points', () => {
      const group = provider.groups.x25519!;
      const client = group.start();
      for (const share of [new Uint8Array(0), new Uint8Array(31), new Uint8Array(33), ...lowOrderX25519]) {
        expectInvalidShare(() => client.complete(share));
        expectInvalidShare(() => group.accept(share));
      }
    });

    it.each([
      ['secp256r1', p256],
      ['secp384r1', p384],
    ] as const)('%s: compressed, truncated, off-curve and infinity', (name, curve) => {
      const group = provider.groups[name]!;
      const client = group.start();
      const valid = group.start().publicKey;
      const size = (valid.length - 1) / 2;
      const offCurve = valid.slice();
      offCurve[offCurve.length - 1]! ^= 0x01;
      const compressed = curve.Point.fromBytes(valid).toBytes(true);
      const wrongPrefix = valid.slice();
      wrongPrefix[0] = 0x06;
      const xBeyondField = valid.slice();
      xBeyondField.fill(0xff, 1, 1 + size);
      for (const share of [
        new Uint8Array(0),
        valid.subarray(0, valid.length - 1),
        compressed,
        wrongPrefix,
        offCurve,
        xBeyondField,
        new Uint8Array(valid.length),
        Uint8Array.of(0x04, ...new Uint8Array(valid.length - 1)),
      ]) {
        expectInvalidShare(() => client.complete(share));
        expectInvalidShare(() => group.accept(share));
      }
    });

    it('X25519MLKEM768: wrong lengths, an unreduced ML-KEM key, a low-order X25519 half', () => {
      const group = provider.groups.X25519MLKEM768!;
      const client = group.start();
      const server = group.accept(client.publicKey);
      for (const length of [0, 32, 1184, 1215, 1217, 1120]) {
        expectInvalidShare(() => group.accept(new Uint8Array(length)));
      }
      for (const length of [0, 32, 1088, 1119, 1121, 1216]) {
        expectInvalidShare(() => client.complete(new Uint8Array(length)));
      }
      const unreduced = client.publicKey.slice();
      unreduced.set([0xff, 0xff, 0xff], 0); // two 12-bit coefficients of 4095 >= q = 3329 (FIPS 203 §7.2)
      expectInvalidShare(() => group.accept(unreduced));
      for (const lowOrder of lowOrderX25519) {
        const clientShare = client.publicKey.slice();
        clientShare.set(lowOrder, 1184);
        expectInvalidShare(() => group.accept(clientShare));
        const serverShare = server.publicKey.slice();
        serverShare.set(lowOrder, 1088);
        expectInvalidShare(() => client.complete(serverShare));
      }
    });
  });
});

// --- signatures ----------------------------------------------------------------------------------------------------

interface NodePair {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

interface SchemeCase {
  readonly name: SignatureSchemeName;
  readonly id: number;
  readonly pair: () => NodePair;
  readonly hash: HashName | null;
  readonly padding?: number;
  readonly saltLength?: number;
}

/** A fresh node key pair of the same type, curve and size as `key`. */
function generateLike(key: KeyObject): NodePair {
  const details = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case 'ec':
      return generateKeyPairSync('ec', { namedCurve: details.namedCurve! });
    case 'rsa':
      return generateKeyPairSync('rsa', { modulusLength: details.modulusLength! });
    case 'rsa-pss':
      return generateKeyPairSync('rsa-pss', { modulusLength: details.modulusLength! });
    default:
      return generateKeyPairSync('ed25519');
  }
}

describe('signatures', () => {
  const pairs: Record<string, NodePair> = {};
  const imported: Record<string, PrivateKey> = {};

  beforeAll(() => {
    pairs.p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    pairs.p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    pairs.ed25519 = generateKeyPairSync('ed25519');
    pairs.rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    pairs.rsaPss = generateKeyPairSync('rsa-pss', { modulusLength: 2048 });
    pairs.rsa1024 = generateKeyPairSync('rsa', { modulusLength: 1024 });
    for (const [name, pair] of Object.entries(pairs)) {
      imported[name] = provider.importPrivateKey(pair.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
    }
  });

  const PSS = constants.RSA_PKCS1_PSS_PADDING;
  const PKCS1 = constants.RSA_PKCS1_PADDING;
  const cases: SchemeCase[] = [
    { name: 'ecdsa_secp256r1_sha256', id: 0x0403, pair: () => pairs.p256!, hash: 'sha256' },
    { name: 'ecdsa_secp384r1_sha384', id: 0x0503, pair: () => pairs.p384!, hash: 'sha384' },
    { name: 'rsa_pss_rsae_sha256', id: 0x0804, pair: () => pairs.rsa!, hash: 'sha256', padding: PSS, saltLength: 32 },
    { name: 'rsa_pss_rsae_sha384', id: 0x0805, pair: () => pairs.rsa!, hash: 'sha384', padding: PSS, saltLength: 48 },
    { name: 'rsa_pss_rsae_sha512', id: 0x0806, pair: () => pairs.rsa!, hash: 'sha512', padding: PSS, saltLength: 64 },
    { name: 'rsa_pss_pss_sha256', id: 0x0809, pair: () => pairs.rsaPss!, hash: 'sha256', padding: PSS, saltLength: 32 },
    { name: 'rsa_pss_pss_sha384', id: 0x080a, pair: () => pairs.rsaPss!, hash: 'sha384', padding: PSS, saltLength: 48 },
    { name: 'rsa_pss_pss_sha512', id: 0x080b, pair: () => pairs.rsaPss!, hash: 'sha512', padding: PSS, saltLength: 64 },
    { name: 'rsa_pkcs1_sha256', id: 0x0401, pair: () => pairs.rsa!, hash: 'sha256', padding: PKCS1 },
    { name: 'rsa_pkcs1_sha384', id: 0x0501, pair: () => pairs.rsa!, hash: 'sha384', padding: PKCS1 },
    { name: 'rsa_pkcs1_sha512', id: 0x0601, pair: () => pairs.rsa!, hash: 'sha512', padding: PKCS1 },
    { name: 'ed25519', id: 0x0807, pair: () => pairs.ed25519!, hash: null },
  ];
  const importedFor = (c: SchemeCase): PrivateKey =>
    imported[Object.entries(pairs).find(([, pair]) => pair === c.pair())![0]]!;

  function nodeOptions(c: SchemeCase, key: KeyObject) {
    return c.padding === undefined ? { key, dsaEncoding: 'der' as const } : { key, padding: c.padding, saltLength: c.saltLength };
  }

  it.each(cases)('$name: ours verifies with node, node\'s verifies with ours', (c) => {
    const scheme = provider.signatures[c.name]!;
    expect(scheme.id).toBe(c.id);
    const key = importedFor(c);
    expect(scheme.supportsKey(key)).toBe(true);
    expect(scheme.supportsKey(key.publicKey)).toBe(true);
    const message = randomBytes(150);
    const ours = scheme.sign(key, message);
    expect(nodeVerify(c.hash, message, nodeOptions(c, c.pair().publicKey), ours)).toBe(true);
    const theirs = bytes(nodeSign(c.hash, message, nodeOptions(c, c.pair().privateKey)));
    expect(scheme.verify(key.publicKey, message, theirs)).toBe(true);
    expect(scheme.verify(key.publicKey, message, ours)).toBe(true);
  });

  it.each(cases)('$name: tampered messages and signatures, and garbage, verify false', (c) => {
    const scheme = provider.signatures[c.name]!;
    const key = importedFor(c);
    const message = randomBytes(64);
    const signature = scheme.sign(key, message);
    const otherMessage = message.slice();
    otherMessage[0]! ^= 0x01;
    expect(scheme.verify(key.publicKey, otherMessage, signature)).toBe(false);
    for (const index of [0, 5, signature.length - 1]) {
      const tampered = signature.slice();
      tampered[index]! ^= 0x01;
      expect(scheme.verify(key.publicKey, message, tampered)).toBe(false);
    }
    for (const garbage of [new Uint8Array(0), signature.subarray(1), Uint8Array.of(...signature, 0), randomBytes(signature.length)]) {
      expect(scheme.verify(key.publicKey, message, garbage)).toBe(false);
    }
  });

  it.each(cases)('$name: another key of the same kind verifies false', (c) => {
    const scheme = provider.signatures[c.name]!;
    const message = randomBytes(64);
    const signature = scheme.sign(importedFor(c), message);
    const other = generateLike(c.pair().privateKey);
    const otherKey = provider.importPublicKey(other.publicKey.export({ type: 'spki', format: 'pem' }) as string);
    expect(scheme.supportsKey(otherKey)).toBe(true);
    expect(scheme.verify(otherKey, message, signature)).toBe(false);
  });

  it('ECDSA verify accepts high-S signatures (as OpenSSL produces them)', () => {
    for (const [name, curve, pair, hash] of [
      ['ecdsa_secp256r1_sha256', p256, pairs.p256!, 'sha256'],
      ['ecdsa_secp384r1_sha384', p384, pairs.p384!, 'sha384'],
    ] as const) {
      const scheme = provider.signatures[name]!;
      const key = provider.importPublicKey(pair.publicKey.export({ type: 'spki', format: 'der' }));
      const message = randomBytes(32);
      const low = curve.Signature.fromBytes(bytes(nodeSign(hash, message, { key: pair.privateKey, dsaEncoding: 'der' })), 'der');
      const n = curve.Point.Fn.ORDER;
      const flipped = new curve.Signature(low.r, n - low.s);
      const high = flipped.hasHighS() ? flipped : low;
      expect(high.hasHighS()).toBe(true);
      const der = high.toBytes('der');
      expect(nodeVerify(hash, message, { key: pair.publicKey, dsaEncoding: 'der' }, der)).toBe(true);
      expect(scheme.verify(key, message, der)).toBe(true);
      // Our own signatures are low-S.
      expect(curve.Signature.fromBytes(scheme.sign(imported[name === 'ecdsa_secp256r1_sha256' ? 'p256' : 'p384']!, message), 'der').hasHighS()).toBe(false);
    }
  });

  it('ECDSA signatures are deterministic (RFC 6979) and draw nothing from the random source', () => {
    const { random, draws } = recording(seededRandom('ecdsa'));
    const local = createPortableProvider({ random });
    const pem = pairs.p256!.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    const key = local.importPrivateKey(pem);
    const message = text('same message');
    const first = local.signatures.ecdsa_secp256r1_sha256!.sign(key, message);
    expect(hex(local.signatures.ecdsa_secp256r1_sha256!.sign(key, message))).toBe(hex(first));
    expect(draws).toEqual([]);
  });

  it('RSA-PSS salts come from the provider\'s random source', () => {
    const pem = pairs.rsa!.privateKey.export({ type: 'pkcs1', format: 'pem' }) as string;
    const message = text('salted');
    const signWith = (seed: string) => {
      const { random, draws } = recording(seededRandom(seed));
      const local = createPortableProvider({ random });
      const signature = local.signatures.rsa_pss_rsae_sha384!.sign(local.importPrivateKey(pem), message);
      return { signature: hex(signature), draws: draws.map((draw) => draw.length) };
    };
    const a = signWith('salt a');
    expect(a.draws).toEqual([48]);
    expect(signWith('salt a').signature).toBe(a.signature);
    expect(signWith('salt b').signature).not.toBe(a.signature);
  });

  it('supportsKey checks type, curve and modulus size; sign with another kind of key is KEY_MISMATCH', () => {
    const s = provider.signatures;
    const mismatches: [SignatureSchemeName, string][] = [
      ['ecdsa_secp256r1_sha256', 'p384'],
      ['ecdsa_secp384r1_sha384', 'p256'],
      ['ecdsa_secp256r1_sha256', 'ed25519'],
      ['ed25519', 'p256'],
      ['rsa_pss_rsae_sha256', 'rsaPss'],
      ['rsa_pss_pss_sha256', 'rsa'],
      ['rsa_pkcs1_sha256', 'rsaPss'],
      ['rsa_pkcs1_sha256', 'p256'],
      ['rsa_pss_rsae_sha512', 'rsa1024'], // 2 * 64 + 2 > 128 bytes of encoded message
    ];
    for (const [name, keyName] of mismatches) {
      const key = imported[keyName]!;
      expect(s[name]!.supportsKey(key)).toBe(false);
      expect(s[name]!.supportsKey(key.publicKey)).toBe(false);
      expectTLSError(() => s[name]!.sign(key, text('x')), InvalidArgumentError, 'KEY_MISMATCH');
      expect(s[name]!.verify(key.publicKey, text('x'), new Uint8Array(64))).toBe(false);
    }
    // A 1024-bit key still carries PSS with SHA-256 and PKCS#1 v1.5 with SHA-512.
    const small = imported.rsa1024!;
    for (const name of ['rsa_pss_rsae_sha256', 'rsa_pkcs1_sha512'] as const) {
      expect(s[name]!.verify(small.publicKey, text('y'), s[name]!.sign(small, text('y')))).toBe(true);
    }
  });

  it('keys from elsewhere: sign is KEY_MISMATCH naming the cause, verify is false', () => {
    const real = imported.p256!;
    const foreignPublic: PublicKey = { kind: 'public', type: 'ec', curve: 'P-256', spki: real.publicKey.spki };
    const foreignPrivate: PrivateKey = { kind: 'private', type: 'ec', curve: 'P-256', publicKey: foreignPublic };
    const scheme = provider.signatures.ecdsa_secp256r1_sha256!;
    const error = expectTLSError(() => scheme.sign(foreignPrivate, text('x')), InvalidArgumentError, 'KEY_MISMATCH');
    expect(error.message).toMatch(/portable provider/);
    expect(scheme.verify(foreignPublic, text('x'), scheme.sign(real, text('x')))).toBe(false);
    // A public key passed where a private key belongs.
    expectTLSError(() => scheme.sign(real.publicKey as unknown as PrivateKey, text('x')), InvalidArgumentError, 'KEY_MISMATCH');
  });
});

// --- key import ----------------------------------------------------------------------------------------------------

describe('key import', () => {
  it.each([
    ['ec P-256', () => generateKeyPairSync('ec', { namedCurve: 'P-256' }), { type: 'ec', curve: 'P-256' }],
    ['ec P-384', () => generateKeyPairSync('ec', { namedCurve: 'P-384' }), { type: 'ec', curve: 'P-384' }],
    ['ed25519', () => generateKeyPairSync('ed25519'), { type: 'ed25519' }],
    ['rsa', () => generateKeyPairSync('rsa', { modulusLength: 1024 }), { type: 'rsa', bits: 1024 }],
    ['rsa-pss', () => generateKeyPairSync('rsa-pss', { modulusLength: 1024 }), { type: 'rsa-pss', bits: 1024 }],
  ] as const)('%s: the derived public half matches node, from PEM and DER', (_label, generate, facts) => {
    const pair = generate() as NodePair;
    const spki = bytes(pair.publicKey.export({ type: 'spki', format: 'der' }));
    for (const input of [
      pair.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
      bytes(pair.privateKey.export({ type: 'pkcs8', format: 'der' })),
    ]) {
      const key = provider.importPrivateKey(input);
      expect(key).toMatchObject({ kind: 'private', ...facts });
      expect(key.publicKey).toMatchObject({ kind: 'public', ...facts });
      expect(hex(key.publicKey.spki)).toBe(hex(spki));
    }
    const publicKey = provider.importPublicKey(pair.publicKey.export({ type: 'spki', format: 'pem' }) as string);
    expect(publicKey).toMatchObject({ kind: 'public', ...facts });
    expect(hex(publicKey.spki)).toBe(hex(spki));
  });

  it('SEC1 and PKCS#1 encodings import to the same keys', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const fromSec1 = provider.importPrivateKey(ec.privateKey.export({ type: 'sec1', format: 'pem' }) as string);
    expect(hex(fromSec1.publicKey.spki)).toBe(hex(bytes(ec.publicKey.export({ type: 'spki', format: 'der' }))));
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const fromPkcs1 = provider.importPrivateKey(bytes(rsa.privateKey.export({ type: 'pkcs1', format: 'der' })));
    expect(hex(fromPkcs1.publicKey.spki)).toBe(hex(bytes(rsa.publicKey.export({ type: 'spki', format: 'der' }))));
    const rsaPublic = provider.importPublicKey(rsa.publicKey.export({ type: 'pkcs1', format: 'pem' }) as string);
    expect(hex(rsaPublic.spki)).toBe(hex(fromPkcs1.publicKey.spki));
  });

  it('an EC key whose encoded public point is another key\'s is KEY_MISMATCH', () => {
    const sec1 = bytes(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'sec1', format: 'der' }));
    const otherPoint = createECDH('prime256v1');
    otherPoint.generateKeys();
    const forged = sec1.slice();
    forged.set(otherPoint.getPublicKey(), forged.length - 65); // the [1] BIT STRING ends the SEC1 structure
    expect(() => provider.importPrivateKey(sec1)).not.toThrow();
    expectTLSError(() => provider.importPrivateKey(forged), InvalidArgumentError, 'KEY_MISMATCH');
  });

  it('malformed and unsupported keys are typed errors naming the argument', () => {
    const bad = expectTLSError(() => provider.importPrivateKey('not a key'), InvalidArgumentError, 'BAD_PEM');
    expect((bad as InvalidArgumentError).argument).toBe('key');
    expectTLSError(() => provider.importPublicKey(Uint8Array.of(0x30, 0x03, 0x02, 0x01)), InvalidArgumentError, 'BAD_DER');
    const x25519 = generateKeyPairSync('x25519').privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    expectTLSError(() => provider.importPrivateKey(x25519), InvalidArgumentError, 'UNSUPPORTED_KEY_TYPE');
  });

  it('key objects expose no secret material', () => {
    const key = provider.importPrivateKey(generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
    expect(Object.keys(key).sort()).toEqual(['kind', 'publicKey', 'type']);
    expect(Object.isFrozen(key)).toBe(true);
  });
});

// --- randomness ----------------------------------------------------------------------------------------------------

describe('random source', () => {
  it('the default draws fresh bytes, including above WebCrypto\'s 64 KiB quota', () => {
    expect(provider.randomBytes(32).length).toBe(32);
    expect(hex(provider.randomBytes(32))).not.toBe(hex(provider.randomBytes(32)));
    const large = provider.randomBytes(70000);
    expect(large.length).toBe(70000);
    expect(hex(large.subarray(65536, 65568))).not.toBe('00'.repeat(32));
  });

  it('a faulty injected source fails loudly as a caller error', () => {
    const short = createPortableProvider({ random: (length) => new Uint8Array(length - 1) });
    expectTLSError(() => short.randomBytes(8), InvalidArgumentError, 'INVALID_ARGUMENT');
    expectTLSError(() => short.groups.x25519!.start(), InvalidArgumentError, 'INVALID_ARGUMENT');
    const zeros = createPortableProvider({ random: (length) => new Uint8Array(length) });
    expectTLSError(() => zeros.groups.secp256r1!.start(), InvalidArgumentError, 'INVALID_ARGUMENT');
  });

  it('key shares consume the source in the agreed order and sizes, and derive from those bytes', () => {
    const draws = (group: GroupName, run: (p: ReturnType<typeof createPortableProvider>) => void) => {
      const recorder = recording(seededRandom(`order ${group}`));
      run(createPortableProvider({ random: recorder.random }));
      return recorder.draws;
    };
    let share: Uint8Array = new Uint8Array(0);
    const x25519 = draws('x25519', (p) => (share = p.groups.x25519!.start().publicKey));
    expect(x25519.map((d) => d.length)).toEqual([32]);
    expect(hex(share)).toBe(hex(nodeX25519PublicOf(x25519[0]!)));

    for (const [name, curve, size] of [['secp256r1', 'prime256v1', 32], ['secp384r1', 'secp384r1', 48]] as const) {
      const drawn = draws(name, (p) => (share = p.groups[name]!.start().publicKey));
      expect(drawn.map((d) => d.length)).toEqual([size]);
      const node = createECDH(curve);
      node.setPrivateKey(drawn[0]!);
      expect(hex(share)).toBe(node.getPublicKey('hex'));
    }

    const client = draws('X25519MLKEM768', (p) => (share = p.groups.X25519MLKEM768!.start().publicKey));
    expect(client.map((d) => d.length)).toEqual([64, 32]);
    expect(hex(share.subarray(0, 1184))).toBe(hex(ml_kem768.keygen(client[0]!).publicKey));
    expect(hex(share.subarray(1184))).toBe(hex(nodeX25519PublicOf(client[1]!)));

    const clientShare = share;
    let serverShare: Uint8Array = new Uint8Array(0);
    const server = draws('X25519MLKEM768', (p) => (serverShare = p.groups.X25519MLKEM768!.accept(clientShare).publicKey));
    expect(server.map((d) => d.length)).toEqual([32, 32]);
    const encapsulated = ml_kem768.encapsulate(clientShare.subarray(0, 1184), server[0]!);
    expect(hex(serverShare.subarray(0, 1088))).toBe(hex(encapsulated.cipherText));
    expect(hex(serverShare.subarray(1088))).toBe(hex(nodeX25519PublicOf(server[1]!)));
  });

  it('an out-of-range NIST scalar is drawn again', () => {
    const seeded = seededRandom('retry');
    let calls = 0;
    const { random, draws } = recording((length) => (calls++ === 0 ? new Uint8Array(length).fill(0xff) : seeded(length)));
    const share = createPortableProvider({ random }).groups.secp256r1!.start().publicKey;
    expect(draws.map((d) => d.length)).toEqual([32, 32]);
    const node = createECDH('prime256v1');
    node.setPrivateKey(draws[1]!);
    expect(hex(share)).toBe(node.getPublicKey('hex'));
  });

  it('the same seed gives the same shares and secrets; another seed does not', () => {
    const run = (seed: string) => {
      const p = createPortableProvider({ random: seededRandom(seed) });
      const out: string[] = [];
      for (const name of ['x25519', 'secp256r1', 'secp384r1', 'X25519MLKEM768'] as const) {
        const client = p.groups[name]!.start();
        const server = p.groups[name]!.accept(client.publicKey);
        out.push(hex(client.publicKey), hex(server.publicKey), hex(client.complete(server.publicKey)));
        expect(hex(client.complete(server.publicKey))).toBe(hex(server.sharedSecret));
      }
      return out;
    };
    const first = run('seed one');
    expect(run('seed one')).toEqual(first);
    const other = run('seed two');
    first.forEach((value, index) => expect(other[index]).not.toBe(value));
  });
});

// --- no Node built-ins -----------------------------------------------------------------------------------------------

describe('portability', () => {
  const here = dirname(fileURLToPath(import.meta.url));
  const portableDir = resolve(here, '../src/crypto/portable');
  const builtins = new Set(builtinModules);

  function specifiers(source: string): string[] {
    const found: string[] = [];
    const patterns = [
      /\b(?:import|export)\s+(?:type\s+)?[^'";]*?\bfrom\s*['"]([^'"]+)['"]/g,
      /\bimport\s*['"]([^'"]+)['"]/g,
      /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
      /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
    ];
    for (const pattern of patterns) for (const match of source.matchAll(pattern)) found.push(match[1]!);
    return found;
  }

  it('nothing under src/crypto/portable, nor any source file it reaches, imports a Node built-in or uses Buffer', () => {
    const pending = readdirSync(portableDir).filter((f) => f.endsWith('.ts')).map((f) => join(portableDir, f));
    const seen = new Set<string>();
    const external = new Set<string>();
    while (pending.length > 0) {
      const file = pending.pop()!;
      if (seen.has(file)) continue;
      seen.add(file);
      const source = readFileSync(file, 'utf8');
      const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
      expect(code, `${file} uses Buffer`).not.toMatch(/\bBuffer\b/);
      for (const specifier of specifiers(code)) {
        if (specifier.startsWith('.')) {
          pending.push(resolve(dirname(file), specifier.replace(/\.js$/, '.ts')));
          continue;
        }
        external.add(specifier);
        expect(specifier.startsWith('node:') || builtins.has(specifier.split('/')[0]!), `${file} imports ${specifier}`).toBe(false);
      }
    }
    expect(seen.size).toBeGreaterThan(8);
    // Only the provider's declared dependencies: noble, forge's RSA modules, our errors package.
    for (const specifier of external) {
      expect(specifier).toMatch(/^(@noble\/(hashes|ciphers|curves|post-quantum)\/[\w-]+\.js|node-forge\/lib\/[\w]+\.js|@tlsbio\/errors)$/);
    }
  });
});
