// Behaviour of the node:crypto provider, cross-checked against node:crypto's own one-shot functions.
// (Published vectors run against both providers in their own suite.)
import {
  createCipheriv,
  createECDH,
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  randomBytes as nodeRandomBytes,
  sign as nodeSign,
  verify as nodeVerify,
  constants,
  type KeyObject,
} from 'node:crypto';
import { InvalidArgumentError, ProtocolError } from '@tlsbio/errors';
import { beforeAll, describe, expect, it } from 'vitest';
import { createNodeProvider, nodeProvider } from '../src/node/crypto/index.js';
import type {
  CryptoProvider,
  GroupName,
  HashName,
  PrivateKey,
  PublicKey,
  RandomSource,
  SignatureSchemeName,
} from '../src/crypto/provider.js';

const provider = nodeProvider;

/** A reproducible random source: SHA-256 of (seed, counter) blocks. */
function seededRandom(seed: string): RandomSource {
  let counter = 0;
  return (length) => {
    const out = new Uint8Array(length);
    for (let offset = 0; offset < length; offset += 32) {
      const block = createHash('sha256').update(`${seed}/${counter++}`).digest();
      out.set(block.subarray(0, Math.min(32, length - offset)), offset);
    }
    return out;
  };
}

/** Replays copies of the given arrays in order (the provider may wipe what it draws), then fails loudly. */
function scriptedRandom(...draws: Uint8Array[]): RandomSource {
  return (length) => {
    const next = draws.shift();
    if (next === undefined || next.length !== length) throw new Error(`unexpected random draw of ${length} bytes`);
    return new Uint8Array(next); // a copy (Buffer.slice would share memory)
  };
}

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

function expectInvalidShare(fn: () => unknown): void {
  const error = caught(fn);
  expect(error).toBeInstanceOf(ProtocolError);
  expect((error as ProtocolError).reason).toBe('INVALID_KEY_SHARE');
  expect((error as ProtocolError).fault).toBe('remote');
  expect((error as ProtocolError).alert?.name).toBe('illegal_parameter');
}

function expectArgumentError(fn: () => unknown, argument: string, reason: string): InvalidArgumentError {
  const error = caught(fn);
  expect(error).toBeInstanceOf(InvalidArgumentError);
  expect((error as InvalidArgumentError).argument).toBe(argument);
  expect((error as InvalidArgumentError).reason).toBe(reason);
  return error as InvalidArgumentError;
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
/** Random bytes as a plain Uint8Array: a Buffer's slice() shares memory, which would quietly weaken the tamper tests. */
const randomBytes = (length: number) => new Uint8Array(nodeRandomBytes(length));

describe('node provider: hashes', () => {
  const cases: [HashName, number, number][] = [
    ['sha256', 32, 64],
    ['sha384', 48, 128],
    ['sha512', 64, 128],
  ];

  it.each(cases)('%s one-shot digest matches createHash', (name, outputLength, blockLength) => {
    const hash = provider.hashes[name]!;
    expect(hash.outputLength).toBe(outputLength);
    expect(hash.blockLength).toBe(blockLength);
    for (const size of [0, 1, 55, 56, 64, 111, 112, 128, 1000]) {
      const data = randomBytes(size);
      const digest = hash.digest(data);
      expect(digest.constructor).toBe(Uint8Array);
      expect(hex(digest)).toBe(createHash(name).update(data).digest('hex'));
    }
  });

  it.each(cases)('%s running hash forks mid-stream without disturbing the original', (name) => {
    const [a, b, c] = [randomBytes(70), randomBytes(130), randomBytes(5)];
    const running = provider.hashes[name]!.create();
    running.update(a);
    const fork = running.fork();
    const early = running.fork().digest(); // reading the transcript mid-handshake
    running.update(b);
    fork.update(c);
    expect(hex(early)).toBe(createHash(name).update(a).digest('hex'));
    expect(hex(running.digest())).toBe(createHash(name).update(a).update(b).digest('hex'));
    expect(hex(fork.digest())).toBe(createHash(name).update(a).update(c).digest('hex'));
  });

  it.each(cases)('%s HMAC matches createHmac for short, block-sized and long keys', (name) => {
    const hash = provider.hashes[name]!;
    for (const keySize of [0, 16, hash.blockLength, hash.blockLength + 1, 300]) {
      const key = randomBytes(keySize);
      const data = randomBytes(77);
      expect(hex(hash.hmac(key, data))).toBe(createHmac(name, key).update(data).digest('hex'));
    }
  });

  it.each(cases)('%s HMAC matches createHmac for messages around and past its 1 KiB scratch buffer', (name) => {
    const hash = provider.hashes[name]!;
    const key = randomBytes(hash.outputLength);
    for (const size of [0, 1024 - hash.blockLength - 1, 1024 - hash.blockLength, 1024 - hash.blockLength + 1, 5000, 3]) {
      const data = randomBytes(size);
      expect(hex(hash.hmac(key, data))).toBe(createHmac(name, key).update(data).digest('hex'));
    }
  });
});

describe('node provider: random bytes', () => {
  it('hands out fresh arrays of the asked length that later draws and pool refills leave alone', () => {
    const drawn: [Uint8Array, string][] = [];
    // 3,000 draws of up to 100 bytes cross many 4 KiB pool refills and the size above which the pool is bypassed.
    for (let i = 0; i < 3000; i++) {
      const length = (i * 7) % 101;
      const bytes = provider.randomBytes(length);
      expect(bytes.constructor).toBe(Uint8Array);
      expect(bytes.length).toBe(length);
      expect(bytes.byteLength).toBe(bytes.buffer.byteLength); // its own buffer, not a view into a shared pool
      drawn.push([bytes, hex(bytes)]);
    }
    for (const [bytes, copy] of drawn) expect(hex(bytes)).toBe(copy);
    const long = drawn.filter(([bytes]) => bytes.length >= 16).map(([, copy]) => copy);
    expect(new Set(long).size).toBe(long.length);
  });
});

describe('node provider: AEAD', () => {
  const cases = [
    ['aes_128_gcm', 'aes-128-gcm', 16],
    ['aes_256_gcm', 'aes-256-gcm', 32],
    ['chacha20_poly1305', 'chacha20-poly1305', 32],
  ] as const;

  it.each(cases)('%s seals as createCipheriv does, and opens its own output', (name, openSsl, keyLength) => {
    const aead = provider.aeads[name]!;
    expect([aead.keyLength, aead.nonceLength, aead.tagLength]).toEqual([keyLength, 12, 16]);
    const key = randomBytes(keyLength);
    const sealer = aead.importKey(key);
    for (const size of [0, 1, 15, 16, 17, 16384]) {
      const nonce = randomBytes(12);
      const aad = randomBytes(size % 2 === 0 ? 13 : 0); // TLS 1.3 AAD is 5 bytes; also try none at all
      const plaintext = randomBytes(size);
      const sealed = sealer.seal(nonce, plaintext, aad);
      expect(sealed.constructor).toBe(Uint8Array);
      expect(sealed.length).toBe(size + 16);

      const reference = createCipheriv(openSsl as 'aes-128-gcm', key, nonce, { authTagLength: 16 });
      reference.setAAD(aad);
      const expected = Buffer.concat([reference.update(plaintext), reference.final(), reference.getAuthTag()]);
      expect(hex(sealed)).toBe(expected.toString('hex'));

      const opened = aead.importKey(key).open(nonce, sealed, aad);
      expect(opened).not.toBeNull();
      expect(opened!.constructor).toBe(Uint8Array);
      expect(hex(opened!)).toBe(hex(plaintext));
    }
  });

  it.each(cases)('%s open returns null for any tampering, and for input shorter than a tag', (name, _openSsl, keyLength) => {
    const aead = provider.aeads[name]!;
    const key = aead.importKey(randomBytes(keyLength));
    const nonce = randomBytes(12);
    const aad = Uint8Array.of(23, 3, 3, 0, 40);
    const sealed = key.seal(nonce, randomBytes(24), aad);
    const flip = (bytes: Uint8Array, index: number) => {
      const copy = Uint8Array.from(bytes);
      copy[index]! ^= 0x01;
      return copy;
    };
    expect(key.open(nonce, sealed, aad)).not.toBeNull();
    expect(key.open(nonce, flip(sealed, 0), aad)).toBeNull(); // ciphertext
    expect(key.open(nonce, flip(sealed, sealed.length - 1), aad)).toBeNull(); // tag
    expect(key.open(nonce, flip(sealed, 30), aad)).toBeNull(); // tag start
    expect(key.open(nonce, sealed, flip(aad, 4))).toBeNull();
    expect(key.open(flip(nonce, 11), sealed, aad)).toBeNull();
    expect(key.open(nonce, sealed.subarray(0, sealed.length - 1), aad)).toBeNull();
    expect(aead.importKey(randomBytes(keyLength)).open(nonce, sealed, aad)).toBeNull(); // another key
    expect(key.open(nonce, new Uint8Array(15), aad)).toBeNull();
    expect(key.open(nonce, new Uint8Array(0), aad)).toBeNull();
    // An empty plaintext seals to a bare tag, which must still authenticate.
    const bare = key.seal(nonce, new Uint8Array(0), aad);
    expect(key.open(nonce, bare, aad)).toEqual(new Uint8Array(0));
    expect(key.open(nonce, flip(bare, 0), aad)).toBeNull();
  });

  it.each(cases)('%s rejects wrong key and nonce lengths with typed errors', (name, _openSsl, keyLength) => {
    const aead = provider.aeads[name]!;
    for (const size of [0, keyLength - 1, keyLength + 1, 24]) {
      if (size === keyLength) continue;
      expectArgumentError(() => aead.importKey(new Uint8Array(size)), 'key', 'BAD_KEY_LENGTH');
    }
    expectArgumentError(() => aead.importKey('k'.repeat(keyLength) as unknown as Uint8Array), 'key', 'BAD_KEY_LENGTH');
    const key = aead.importKey(new Uint8Array(keyLength));
    expectArgumentError(() => key.seal(new Uint8Array(8), new Uint8Array(1), new Uint8Array(0)), 'nonce', 'BAD_NONCE_LENGTH');
    expectArgumentError(() => key.open(new Uint8Array(16), new Uint8Array(32), new Uint8Array(0)), 'nonce', 'BAD_NONCE_LENGTH');
  });
});

describe('node provider: key exchange', () => {
  const shapes: [GroupName, number, number, number, number][] = [
    // group, id, client share, server share, secret
    ['x25519', 0x001d, 32, 32, 32],
    ['secp256r1', 0x0017, 65, 65, 32],
    ['secp384r1', 0x0018, 97, 97, 48],
    ['X25519MLKEM768', 0x11ec, 1216, 1120, 64],
  ];

  it.each(shapes)('%s: client and server agree', (name, id, clientLength, serverLength, secretLength) => {
    const group = provider.groups[name]!;
    expect(group.name).toBe(name);
    expect(group.id).toBe(id);
    const client = group.start();
    expect(client.group).toBe(name);
    expect(client.publicKey.length).toBe(clientLength);
    const server = group.accept(client.publicKey);
    expect(server.publicKey.length).toBe(serverLength);
    expect(server.sharedSecret.length).toBe(secretLength);
    expect(hex(client.complete(server.publicKey))).toBe(hex(server.sharedSecret));
    // Fresh randomness: another exchange gives another secret.
    expect(hex(group.accept(group.start().publicKey).sharedSecret)).not.toBe(hex(server.sharedSecret));
  });

  it('x25519 agrees with node:crypto diffieHellman on keys node generated', () => {
    const spkiPrefix = Buffer.from('302a300506032b656e032100', 'hex');
    const toKey = (raw: Uint8Array) => createPublicKey({ key: Buffer.concat([spkiPrefix, raw]), format: 'der', type: 'spki' });
    const rawOf = (key: KeyObject) => key.export({ format: 'der', type: 'spki' }).subarray(12);
    const peer = generateKeyPairSync('x25519');
    const client = provider.groups.x25519!.start();
    const expected = diffieHellman({ privateKey: peer.privateKey, publicKey: toKey(client.publicKey) });
    expect(hex(client.complete(rawOf(peer.publicKey)))).toBe(expected.toString('hex'));
    const server = provider.groups.x25519!.accept(rawOf(peer.publicKey));
    expect(hex(server.sharedSecret)).toBe(
      diffieHellman({ privateKey: peer.privateKey, publicKey: toKey(server.publicKey) }).toString('hex'),
    );
  });

  it.each([
    ['secp256r1', 'prime256v1'],
    ['secp384r1', 'secp384r1'],
  ] as const)('%s agrees with createECDH', (name, openSsl) => {
    const peer = createECDH(openSsl);
    peer.generateKeys();
    const client = provider.groups[name]!.start();
    expect(hex(client.complete(peer.getPublicKey()))).toBe(peer.computeSecret(client.publicKey).toString('hex'));
  });

  it('x25519 derives the public key node:crypto derives from the same private bytes', () => {
    const secret = randomBytes(32);
    const group = createNodeProvider({ random: scriptedRandom(secret) }).groups.x25519!;
    const pkcs8 = Buffer.concat([Buffer.from('302e020100300506032b656e04220420', 'hex'), secret]);
    const expected = createPublicKey(createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }))
      .export({ format: 'der', type: 'spki' })
      .subarray(12);
    expect(hex(group.start().publicKey)).toBe(expected.toString('hex'));
  });

  it('secp256r1 uses the random bytes as its scalar, redrawing zero and scalars >= n', () => {
    const order = Buffer.from('ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551', 'hex');
    const good = randomBytes(32);
    good[0] = 0x7f;
    const random = scriptedRandom(new Uint8Array(32), new Uint8Array(order), new Uint8Array(32).fill(0xff), good);
    const share = createNodeProvider({ random }).groups.secp256r1!.start().publicKey;
    const reference = createECDH('prime256v1');
    reference.setPrivateKey(good);
    expect(hex(share)).toBe(reference.getPublicKey().toString('hex'));
  });

  it('a broken random source that never yields a valid scalar is an error, not a hang', () => {
    const zeros = createNodeProvider({ random: (length) => new Uint8Array(length) });
    expectArgumentError(() => zeros.groups.secp256r1!.start(), 'random', 'INVALID_ARGUMENT');
    expectArgumentError(() => zeros.groups.secp384r1!.accept(provider.groups.secp384r1!.start().publicKey), 'random', 'INVALID_ARGUMENT');
  });

  describe('rejects bad peer shares with INVALID_KEY_SHARE', () => {
    it.each(shapes)('%s: wrong lengths', (name, _id, clientLength, serverLength) => {
      const group = provider.groups[name]!;
      for (const delta of [-1, 1]) {
        expectInvalidShare(() => group.accept(new Uint8Array(clientLength + delta)));
        expectInvalidShare(() => group.start().complete(new Uint8Array(serverLength + delta)));
      }
      expectInvalidShare(() => group.accept(new Uint8Array(0)));
      expectInvalidShare(() => group.start().complete(new Uint8Array(0)));
    });

    it('x25519: low-order points that give an all-zero secret', () => {
      const group = provider.groups.x25519!;
      const zero = new Uint8Array(32);
      const one = Uint8Array.of(1, ...new Uint8Array(31));
      for (const point of [zero, one]) {
        expectInvalidShare(() => group.accept(point));
        expectInvalidShare(() => group.start().complete(point));
      }
    });

    it.each([
      ['secp256r1', 32],
      ['secp384r1', 48],
    ] as const)('%s: off-curve, compressed and infinity encodings', (name, size) => {
      const group = provider.groups[name]!;
      const valid = group.start().publicKey;
      const offCurve = valid.slice();
      offCurve[offCurve.length - 1]! ^= 0x01; // same X, wrong Y
      const compressedPrefix = valid.slice();
      compressedPrefix[0] = 0x02;
      const compressed = valid.slice(0, 1 + size);
      compressed[0] = 0x02 | (valid[valid.length - 1]! & 1);
      const infinity = new Uint8Array(1 + 2 * size);
      infinity[0] = 0x04;
      for (const share of [offCurve, compressedPrefix, compressed, infinity, Uint8Array.of(0)]) {
        expectInvalidShare(() => group.accept(share));
        expectInvalidShare(() => group.start().complete(share));
      }
      expect(group.accept(valid).sharedSecret.length).toBe(size); // the untouched share is fine
    });

    it('X25519MLKEM768: truncated shares, a bad encapsulation key and a zero X25519 half', () => {
      const group = provider.groups.X25519MLKEM768!;
      const client = group.start();
      const server = group.accept(client.publicKey);
      expectInvalidShare(() => group.accept(client.publicKey.subarray(0, 1184))); // X25519 half missing
      expectInvalidShare(() => group.accept(client.publicKey.subarray(0, 32)));
      expectInvalidShare(() => client.complete(server.publicKey.subarray(0, 1088)));
      expectInvalidShare(() => group.start().complete(server.publicKey.subarray(32)));

      // FIPS 203 §7.2: a 12-bit coefficient of 4095 (>= q = 3329) fails the modulus check.
      const badModulus = client.publicKey.slice();
      badModulus[0] = 0xff;
      badModulus[1]! |= 0x0f;
      expectInvalidShare(() => group.accept(badModulus));

      const zeroClient = client.publicKey.slice();
      zeroClient.fill(0, 1184);
      expectInvalidShare(() => group.accept(zeroClient));
      const zeroServer = server.publicKey.slice();
      zeroServer.fill(0, 1088);
      expectInvalidShare(() => group.start().complete(zeroServer));
    });
  });

  describe('injected randomness makes key shares reproducible', () => {
    const reproducible: GroupName[] = ['x25519', 'secp256r1', 'secp384r1', 'X25519MLKEM768'];

    it.each(reproducible)('%s: same seed, same shares; other seed, other shares', (name) => {
      const a = createNodeProvider({ random: seededRandom('one') }).groups[name]!;
      const b = createNodeProvider({ random: seededRandom('one') }).groups[name]!;
      const c = createNodeProvider({ random: seededRandom('two') }).groups[name]!;
      const [shareA, shareB, shareC] = [a.start().publicKey, b.start().publicKey, c.start().publicKey];
      expect(hex(shareA)).toBe(hex(shareB));
      expect(hex(shareA)).not.toBe(hex(shareC));
      // The second draw differs from the first, and is reproduced too.
      const [nextA, nextB] = [a.start().publicKey, b.start().publicKey];
      expect(hex(nextA)).toBe(hex(nextB));
      expect(hex(nextA)).not.toBe(hex(shareA));
      // The server side too: same answer, same secret.
      const answerA = a.accept(shareC);
      const answerB = b.accept(shareC);
      expect(hex(answerA.publicKey)).toBe(hex(answerB.publicKey));
      expect(hex(answerA.sharedSecret)).toBe(hex(answerB.sharedSecret));
    });

    it('randomBytes is the injected source', () => {
      const seeded = createNodeProvider({ random: seededRandom('r') });
      expect(hex(seeded.randomBytes(40))).toBe(hex(seededRandom('r')(40)));
      const system = provider.randomBytes(32);
      expect(system.constructor).toBe(Uint8Array);
      expect(system.length).toBe(32);
      expect(hex(system)).not.toBe(hex(provider.randomBytes(32)));
    });
  });
});

describe('node provider: keys and signatures', () => {
  interface Fixture {
    privatePem: string;
    publicPem: string;
    nodePrivate: KeyObject;
    nodePublic: KeyObject;
    privateKey: PrivateKey;
    publicKey: PublicKey;
  }
  const fixtures: Record<string, Fixture> = {};

  function fixture(label: string, pair: { privateKey: KeyObject; publicKey: KeyObject }, p: CryptoProvider = provider): Fixture {
    const privatePem = pair.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
    const publicPem = pair.publicKey.export({ format: 'pem', type: 'spki' }) as string;
    const made = {
      privatePem,
      publicPem,
      nodePrivate: pair.privateKey,
      nodePublic: pair.publicKey,
      privateKey: p.importPrivateKey(privatePem),
      publicKey: p.importPublicKey(publicPem),
    };
    fixtures[label] = made;
    return made;
  }

  beforeAll(() => {
    fixture('p256', generateKeyPairSync('ec', { namedCurve: 'P-256' }));
    fixture('p384', generateKeyPairSync('ec', { namedCurve: 'P-384' }));
    fixture('rsa', generateKeyPairSync('rsa', { modulusLength: 2048 }));
    fixture('rsa-pss', generateKeyPairSync('rsa-pss', { modulusLength: 2048 }));
    fixture('ed25519', generateKeyPairSync('ed25519'));
  });

  const schemes: [SignatureSchemeName, number, string][] = [
    ['ecdsa_secp256r1_sha256', 0x0403, 'p256'],
    ['ecdsa_secp384r1_sha384', 0x0503, 'p384'],
    ['rsa_pss_rsae_sha256', 0x0804, 'rsa'],
    ['rsa_pss_rsae_sha384', 0x0805, 'rsa'],
    ['rsa_pss_rsae_sha512', 0x0806, 'rsa'],
    ['rsa_pss_pss_sha256', 0x0809, 'rsa-pss'],
    ['rsa_pss_pss_sha384', 0x080a, 'rsa-pss'],
    ['rsa_pss_pss_sha512', 0x080b, 'rsa-pss'],
    ['rsa_pkcs1_sha256', 0x0401, 'rsa'],
    ['rsa_pkcs1_sha384', 0x0501, 'rsa'],
    ['rsa_pkcs1_sha512', 0x0601, 'rsa'],
    ['ed25519', 0x0807, 'ed25519'],
  ];

  /** node:crypto's one-shot arguments for a scheme, to cross-check against. */
  function reference(name: SignatureSchemeName): { hash: string | null; options: object } {
    if (name === 'ed25519') return { hash: null, options: {} };
    const hash = name.slice(-6);
    if (name.startsWith('ecdsa')) return { hash, options: { dsaEncoding: 'der' } };
    if (name.startsWith('rsa_pkcs1')) return { hash, options: { padding: constants.RSA_PKCS1_PADDING } };
    const saltLength = { sha256: 32, sha384: 48, sha512: 64 }[hash]!;
    return { hash, options: { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength } };
  }

  it.each(schemes)('%s: sign/verify round trip, cross-checked with node sign/verify', (name, id, label) => {
    const scheme = provider.signatures[name]!;
    expect(scheme.name).toBe(name);
    expect(scheme.id).toBe(id);
    const { privateKey, publicKey, nodePrivate, nodePublic } = fixtures[label]!;
    expect(scheme.supportsKey(privateKey)).toBe(true);
    expect(scheme.supportsKey(publicKey)).toBe(true);

    const message = randomBytes(130);
    const signature = scheme.sign(privateKey, message);
    expect(signature.constructor).toBe(Uint8Array);
    expect(scheme.verify(publicKey, message, signature)).toBe(true);
    expect(scheme.verify(privateKey.publicKey, message, signature)).toBe(true); // the half derived at import

    const { hash, options } = reference(name);
    expect(nodeVerify(hash, message, { key: nodePublic, ...options }, signature)).toBe(true);
    const theirs = nodeSign(hash, message, { key: nodePrivate, ...options });
    expect(scheme.verify(publicKey, message, theirs)).toBe(true);

    const tampered = message.slice();
    tampered[0]! ^= 0x80;
    expect(scheme.verify(publicKey, tampered, signature)).toBe(false);
    const badSignature = signature.slice();
    badSignature[badSignature.length - 1]! ^= 0x01;
    expect(scheme.verify(publicKey, message, badSignature)).toBe(false);
    for (const malformed of [new Uint8Array(0), signature.subarray(1), randomBytes(signature.length), randomBytes(600)]) {
      expect(scheme.verify(publicKey, message, malformed)).toBe(false);
    }
  });

  // OpenSSL checks the length for PKCS #1 v1.5 signatures itself; its PSS verification does not.
  it.each(['rsa_pss_rsae_sha256', 'rsa_pss_rsae_sha512'] as const)('%s: a signature one byte short of the modulus does not verify, though OpenSSL takes it (RFC 8017 §8.1.2 step 1)', (name) => {
    const scheme = provider.signatures[name]!;
    const { privateKey, publicKey, nodePublic } = fixtures.rsa!;
    const { hash, options } = reference(name);
    // A valid signature whose first byte is zero (about 1 in 200 with this modulus): dropped, OpenSSL still verifies it.
    let found: { message: Uint8Array; signature: Uint8Array } | undefined;
    for (let i = 0; i < 20_000 && found === undefined; i++) {
      const message = randomBytes(32);
      const signature = scheme.sign(privateKey, message);
      if (signature[0] === 0) found = { message, signature };
    }
    if (found === undefined) throw new Error('no signature with a leading zero byte in 20,000 tries');
    const short = found.signature.subarray(1);
    expect(nodeVerify(hash, found.message, { key: nodePublic, ...options }, short)).toBe(true);
    expect(scheme.verify(publicKey, found.message, found.signature)).toBe(true);
    expect(scheme.verify(publicKey, found.message, short)).toBe(false);
  });

  it('PSS verification insists on salt length = hash length', () => {
    const { publicKey, nodePrivate } = fixtures.rsa!;
    const message = randomBytes(50);
    const shortSalt = nodeSign('sha256', message, { key: nodePrivate, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 20 });
    expect(provider.signatures.rsa_pss_rsae_sha256!.verify(publicKey, message, shortSalt)).toBe(false);
  });

  it('supportsKey binds type, curve and RSA flavour', () => {
    const expectations: Record<SignatureSchemeName, string[]> = {
      ecdsa_secp256r1_sha256: ['p256'],
      ecdsa_secp384r1_sha384: ['p384'],
      rsa_pss_rsae_sha256: ['rsa'],
      rsa_pss_rsae_sha384: ['rsa'],
      rsa_pss_rsae_sha512: ['rsa'],
      rsa_pss_pss_sha256: ['rsa-pss'],
      rsa_pss_pss_sha384: ['rsa-pss'],
      rsa_pss_pss_sha512: ['rsa-pss'],
      rsa_pkcs1_sha256: ['rsa'],
      rsa_pkcs1_sha384: ['rsa'],
      rsa_pkcs1_sha512: ['rsa'],
      ed25519: ['ed25519'],
    };
    for (const [name, accepted] of Object.entries(expectations) as [SignatureSchemeName, string[]][]) {
      for (const [label, { privateKey, publicKey }] of Object.entries(fixtures)) {
        expect(provider.signatures[name]!.supportsKey(privateKey), `${name} / ${label}`).toBe(accepted.includes(label));
        expect(provider.signatures[name]!.supportsKey(publicKey), `${name} / ${label}`).toBe(accepted.includes(label));
      }
    }
  });

  it('a 1024-bit RSA key supports PSS with SHA-256 but not SHA-512 (salt would not fit)', () => {
    const small = fixture('rsa1024', generateKeyPairSync('rsa', { modulusLength: 1024 }));
    delete fixtures.rsa1024;
    expect(small.privateKey.bits).toBe(1024);
    expect(provider.signatures.rsa_pss_rsae_sha256!.supportsKey(small.privateKey)).toBe(true);
    expect(provider.signatures.rsa_pss_rsae_sha512!.supportsKey(small.privateKey)).toBe(false);
    expectArgumentError(() => provider.signatures.rsa_pss_rsae_sha512!.sign(small.privateKey, new Uint8Array(1)), 'key', 'KEY_MISMATCH');
  });

  it('sign with an unsuitable key is KEY_MISMATCH; verify with one is false', () => {
    const message = randomBytes(20);
    const mismatches: [SignatureSchemeName, string][] = [
      ['ecdsa_secp256r1_sha256', 'p384'],
      ['ecdsa_secp384r1_sha384', 'p256'],
      ['ecdsa_secp256r1_sha256', 'rsa'],
      ['rsa_pss_rsae_sha256', 'rsa-pss'],
      ['rsa_pss_pss_sha256', 'rsa'],
      ['rsa_pkcs1_sha256', 'ed25519'],
      ['ed25519', 'p256'],
    ];
    for (const [name, label] of mismatches) {
      const scheme = provider.signatures[name]!;
      const error = expectArgumentError(() => scheme.sign(fixtures[label]!.privateKey, message), 'key', 'KEY_MISMATCH');
      expect(error.message).toContain(name);
      expect(scheme.verify(fixtures[label]!.publicKey, message, new Uint8Array(64))).toBe(false);
    }
    // Signing needs the private half.
    expectArgumentError(
      () => provider.signatures.ed25519!.sign(fixtures.ed25519!.publicKey as unknown as PrivateKey, message),
      'key',
      'KEY_MISMATCH',
    );
  });

  it('keys from another provider (or look-alike objects): sign is KEY_MISMATCH, verify is false', () => {
    const real = fixtures.p256!;
    const scheme = provider.signatures.ecdsa_secp256r1_sha256!;
    const message = Uint8Array.of(1, 2, 3);
    const signature = scheme.sign(real.privateKey, message);
    const error = expectArgumentError(() => scheme.sign({ ...real.privateKey } as PrivateKey, message), 'key', 'KEY_MISMATCH');
    expect(error.message).toMatch(/provider/);
    expect(scheme.verify(real.publicKey, message, signature)).toBe(true);
    expect(scheme.verify({ ...real.publicKey }, message, signature)).toBe(false);
    expect(scheme.verify(real.privateKey as unknown as PublicKey, message, signature)).toBe(false);
    // Keys are shared between node provider instances.
    const other = createNodeProvider({ random: seededRandom('x') });
    const theirs = other.signatures.ecdsa_secp256r1_sha256!.sign(real.privateKey, message);
    expect(scheme.verify(real.publicKey, message, theirs)).toBe(true);
  });

  it('imported keys carry their facts and node-compatible SPKI', () => {
    const facts = (key: PrivateKey | PublicKey) => ({ kind: key.kind, type: key.type, curve: key.curve, bits: key.bits });
    expect(facts(fixtures.p256!.privateKey)).toEqual({ kind: 'private', type: 'ec', curve: 'P-256', bits: undefined });
    expect(facts(fixtures.p384!.publicKey)).toEqual({ kind: 'public', type: 'ec', curve: 'P-384', bits: undefined });
    expect(facts(fixtures.rsa!.privateKey)).toEqual({ kind: 'private', type: 'rsa', curve: undefined, bits: 2048 });
    expect(facts(fixtures['rsa-pss']!.publicKey)).toEqual({ kind: 'public', type: 'rsa-pss', curve: undefined, bits: 2048 });
    expect(facts(fixtures.ed25519!.privateKey)).toEqual({ kind: 'private', type: 'ed25519', curve: undefined, bits: undefined });
    for (const label of ['p256', 'p384', 'rsa', 'ed25519']) {
      const { privateKey, publicKey, nodePublic } = fixtures[label]!;
      const spki = nodePublic.export({ format: 'der', type: 'spki' }).toString('hex');
      expect(hex(publicKey.spki), label).toBe(spki);
      expect(hex(privateKey.publicKey.spki), label).toBe(spki); // derived from the private key
    }
  });

  it('imports DER, SEC1 and PKCS#1 encodings of the same keys', () => {
    const ec = fixtures.p256!;
    const sec1 = ec.nodePrivate.export({ format: 'der', type: 'sec1' });
    const pkcs8Der = ec.nodePrivate.export({ format: 'der', type: 'pkcs8' });
    const rsa = fixtures.rsa!;
    const pkcs1Pem = rsa.nodePrivate.export({ format: 'pem', type: 'pkcs1' }) as string;
    const pkcs1Public = rsa.nodePublic.export({ format: 'der', type: 'pkcs1' });
    const message = randomBytes(10);
    const checks: [SignatureSchemeName, PrivateKey, PublicKey][] = [
      ['ecdsa_secp256r1_sha256', provider.importPrivateKey(new Uint8Array(sec1)), ec.publicKey],
      ['ecdsa_secp256r1_sha256', provider.importPrivateKey(new Uint8Array(pkcs8Der)), ec.publicKey],
      ['rsa_pkcs1_sha256', provider.importPrivateKey(pkcs1Pem), provider.importPublicKey(new Uint8Array(pkcs1Public))],
    ];
    for (const [name, privateKey, publicKey] of checks) {
      const scheme = provider.signatures[name]!;
      expect(scheme.verify(publicKey, message, scheme.sign(privateKey, message))).toBe(true);
    }
  });

  it('an EC private key whose encoded public point belongs to another key is KEY_MISMATCH', () => {
    const sec1 = Buffer.from(fixtures.p256!.nodePrivate.export({ format: 'der', type: 'sec1' }));
    const otherPoint = createECDH('prime256v1');
    otherPoint.generateKeys();
    // SEC1 ECPrivateKey ends with [1] { BIT STRING { 0x00, point } }: the last 65 bytes are the point.
    otherPoint.getPublicKey().copy(sec1, sec1.length - 65);
    expectArgumentError(() => provider.importPrivateKey(new Uint8Array(sec1)), 'key', 'KEY_MISMATCH');
  });

  it('an EC public key off its curve is refused with a typed error', () => {
    const spki = Buffer.from(fixtures.p256!.nodePublic.export({ format: 'der', type: 'spki' }));
    spki[spki.length - 1]! ^= 0x01;
    expectArgumentError(() => provider.importPublicKey(new Uint8Array(spki)), 'key', 'BAD_DER');
  });

  it('malformed and unsupported keys are typed errors naming the argument', () => {
    expectArgumentError(() => provider.importPrivateKey('-----BEGIN PRIVATE KEY-----\nnot base64!\n-----END PRIVATE KEY-----\n'), 'key', 'BAD_PEM');
    expectArgumentError(() => provider.importPrivateKey(Uint8Array.of(0x30, 0x03, 0x02, 0x01)), 'key', 'BAD_DER');
    const x448 = generateKeyPairSync('x448').privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
    expectArgumentError(() => provider.importPrivateKey(x448), 'key', 'UNSUPPORTED_KEY_TYPE');
    const secp256k1 = generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).publicKey.export({ format: 'pem', type: 'spki' }) as string;
    expectArgumentError(() => provider.importPublicKey(secp256k1), 'key', 'UNSUPPORTED_KEY_TYPE');
  });
});
