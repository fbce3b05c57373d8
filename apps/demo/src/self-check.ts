// The demo's self-check: known answers and round trips for each crypto provider, then each provider against the
// other. Every check returns a pass/fail with the reason, never throws, so one broken algorithm shows as one ✗ row
// instead of ending the demo.
import type { AeadName, CryptoProvider, GroupName, HashName } from '@tlsbio/core';
import { isTLSError } from '@tlsbio/errors';
import { equalBytes, fromHex, toHex, utf8, withFlippedBit } from './bytes.js';
import { DEMO_KEYS, SCHEME_KEYS, demoKeyPair } from './key-catalogue.js';

export type Outcome = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** One check, run once per column (a provider, or a direction between two providers). */
export interface CheckRow {
  readonly label: string;
  readonly outcomes: readonly Outcome[];
}

export interface CheckTable {
  readonly columns: readonly string[];
  readonly rows: readonly CheckRow[];
}

const AEADS: readonly AeadName[] = ['aes_128_gcm', 'aes_256_gcm', 'chacha20_poly1305'];
const GROUPS: readonly GroupName[] = ['x25519', 'secp256r1', 'secp384r1', 'X25519MLKEM768'];

/** FIPS 180-4 example "abc" (one block) digests, and RFC 4231 test case 2 (key "Jefe"). */
const KNOWN_ANSWERS: readonly { hash: HashName; title: string; abc: string; hmacCase2: string }[] = [
  {
    hash: 'sha256', title: 'SHA-256',
    abc: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    hmacCase2: '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
  },
  {
    hash: 'sha384', title: 'SHA-384',
    abc: 'cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7',
    hmacCase2: 'af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649',
  },
];

/** Shared-secret lengths (RFC 8446 §7.4; X25519MLKEM768 is 32 bytes of ML-KEM then 32 of X25519). */
const SECRET_LENGTHS: Record<GroupName, number> = { x25519: 32, secp256r1: 32, secp384r1: 48, X25519MLKEM768: 64 };

class CheckFailed extends Error {}

function expect(condition: boolean, reason: string): asserts condition {
  if (!condition) throw new CheckFailed(reason);
}

function need<T>(table: Readonly<Partial<Record<string, T>>>, name: string, what: string): T {
  const algorithm = table[name];
  expect(algorithm !== undefined, `no ${what} ${name}`);
  return algorithm;
}

function outcomeOf(check: () => void): Outcome {
  try {
    check();
    return { ok: true };
  } catch (error) {
    if (error instanceof CheckFailed) return { ok: false, reason: error.message };
    const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return { ok: false, reason: `threw ${text}` };
  }
}

function row(label: string, columns: readonly (() => void)[]): CheckRow {
  return { label, outcomes: columns.map(outcomeOf) };
}

// ---------------------------------------------------------------------------------------------------------------
// One provider

function checkHash(provider: CryptoProvider, known: (typeof KNOWN_ANSWERS)[number]): void {
  const hash = need(provider.hashes, known.hash, 'hash');
  expect(toHex(hash.digest(utf8('abc'))) === known.abc, 'one-shot digest of "abc" differs from FIPS 180-4');
  // The transcript reads the hash mid-stream: a fork must not disturb the running hash, nor the running hash the fork.
  const running = hash.create();
  running.update(utf8('a'));
  const fork = running.fork();
  running.update(utf8('bc'));
  fork.update(utf8('bc'));
  expect(toHex(running.digest()) === known.abc, 'running hash of "a" + "bc" differs from FIPS 180-4');
  expect(toHex(fork.digest()) === known.abc, 'forked hash differs from FIPS 180-4');
}

function checkHmac(provider: CryptoProvider, known: (typeof KNOWN_ANSWERS)[number]): void {
  const hash = need(provider.hashes, known.hash, 'hash');
  const mac = hash.hmac(utf8('Jefe'), utf8('what do ya want for nothing?'));
  expect(toHex(mac) === known.hmacCase2, 'HMAC differs from RFC 4231 test case 2');
}

function checkAead(provider: CryptoProvider, name: AeadName): void {
  const aead = need(provider.aeads, name, 'AEAD');
  const key = aead.importKey(provider.randomBytes(aead.keyLength));
  const nonce = provider.randomBytes(aead.nonceLength);
  const aad = fromHex('1703030123'); // a TLS 1.3 record header, the AAD of every protected record
  const plaintext = utf8('tlsbio demo: a record of application data');
  const sealed = key.seal(nonce, plaintext, aad);
  expect(sealed.length === plaintext.length + aead.tagLength, 'sealed length is not plaintext + tag');
  const opened = key.open(nonce, sealed, aad);
  expect(opened !== null && equalBytes(opened, plaintext), 'open did not return the plaintext');
  // Authentication failure must be the distinct `null` outcome for each part an attacker controls.
  expect(key.open(nonce, withFlippedBit(sealed, 0), aad) === null, 'a flipped ciphertext bit was not rejected');
  expect(key.open(nonce, withFlippedBit(sealed, -1), aad) === null, 'a flipped tag bit was not rejected');
  expect(key.open(nonce, sealed, withFlippedBit(aad, 4)) === null, 'a changed AAD was not rejected');
  expect(key.open(withFlippedBit(nonce, 0), sealed, aad) === null, 'a changed nonce was not rejected');
}

function checkGroup(provider: CryptoProvider, name: GroupName): void {
  const group = need(provider.groups, name, 'group');
  const client = group.start();
  const server = group.accept(client.publicKey);
  const secret = client.complete(server.publicKey);
  expect(equalBytes(secret, server.sharedSecret), 'client and server secrets differ');
  expect(secret.length === SECRET_LENGTHS[name], `secret is ${secret.length} bytes, not ${SECRET_LENGTHS[name]}`);
  // An all-zero share is the identity / an invalid point: accepting it would give a predictable secret
  // (RFC 8446 §7.4.2, RFC 7748 §6.1, RFC 8446 §4.2.8.2).
  const zeroShare = new Uint8Array(server.publicKey.length);
  let rejection: unknown;
  try {
    group.start().complete(zeroShare);
  } catch (error) {
    rejection = error;
  }
  expect(rejection !== undefined, 'an all-zero key share was accepted');
  expect(isTLSError(rejection) && rejection.reason === 'INVALID_KEY_SHARE', 'an all-zero share was not INVALID_KEY_SHARE');
}

function checkKeyImport(provider: CryptoProvider, key: (typeof DEMO_KEYS)[number]): void {
  const { privateKey, publicKey } = demoKeyPair(provider, key.name);
  expect(privateKey.kind === 'private' && publicKey.kind === 'public', 'wrong key kinds');
  for (const imported of [privateKey, publicKey]) {
    expect(imported.type === key.type, `${imported.kind} key type is ${imported.type}, not ${key.type}`);
    if (key.curve !== undefined) expect(imported.curve === key.curve, `${imported.kind} key curve is ${imported.curve}`);
    if (key.bits !== undefined) expect(imported.bits === key.bits, `${imported.kind} key is ${imported.bits} bits`);
  }
  expect(equalBytes(privateKey.publicKey.spki, publicKey.spki), "the private key's public half differs from the public key");
}

function checkSignature(provider: CryptoProvider, [schemeName, keyName]: (typeof SCHEME_KEYS)[number]): void {
  const scheme = need(provider.signatures, schemeName, 'signature scheme');
  const { privateKey, publicKey } = demoKeyPair(provider, keyName);
  expect(scheme.supportsKey(privateKey) && scheme.supportsKey(publicKey), `does not accept the ${keyName} key`);
  const message = utf8('tlsbio demo: the transcript a CertificateVerify signs');
  const signature = scheme.sign(privateKey, message);
  expect(scheme.verify(publicKey, message, signature), 'its own signature does not verify');
  expect(!scheme.verify(publicKey, withFlippedBit(message, 0), signature), 'verified a signature over another message');
  expect(!scheme.verify(publicKey, message, withFlippedBit(signature, -1)), 'verified a damaged signature');
}

/**
 * Known answers and round trips for every algorithm of the contract, one column per provider: hashes, HMAC, AEAD
 * (with tampering), key exchange per group (with a degenerate share), key import, sign/verify per scheme.
 */
export function selfCheck(providers: readonly CryptoProvider[]): CheckTable {
  const each = (check: (provider: CryptoProvider) => void) => providers.map((provider) => () => check(provider));
  const rows: CheckRow[] = [];
  for (const known of KNOWN_ANSWERS) {
    rows.push(row(`${known.title} "abc" = FIPS 180-4 (one-shot, running, fork)`, each((p) => checkHash(p, known))));
  }
  for (const known of KNOWN_ANSWERS) {
    rows.push(row(`HMAC-${known.title} = RFC 4231 case 2`, each((p) => checkHmac(p, known))));
  }
  for (const name of AEADS) {
    rows.push(row(`${name} seal/open, tampering rejected`, each((p) => checkAead(p, name))));
  }
  for (const name of GROUPS) {
    rows.push(row(`${name} exchange agrees, zero share rejected`, each((p) => checkGroup(p, name))));
  }
  for (const key of DEMO_KEYS) {
    rows.push(row(`import ${key.name} key (${key.formats})`, each((p) => checkKeyImport(p, key))));
  }
  for (const scheme of SCHEME_KEYS) {
    rows.push(row(`${scheme[0]} sign/verify, forgery rejected`, each((p) => checkSignature(p, scheme))));
  }
  return { columns: providers.map((provider) => provider.name), rows };
}

// ---------------------------------------------------------------------------------------------------------------
// One provider against another

function crossHash(from: CryptoProvider, to: CryptoProvider, name: HashName): void {
  const input = from.randomBytes(1000);
  const key = from.randomBytes(48);
  const a = need(from.hashes, name, 'hash');
  const b = need(to.hashes, name, 'hash');
  expect(equalBytes(a.digest(input), b.digest(input)), 'digests of the same random input differ');
  expect(equalBytes(a.hmac(key, input), b.hmac(key, input)), 'HMACs of the same random input differ');
}

function crossAead(from: CryptoProvider, to: CryptoProvider, name: AeadName): void {
  const sealer = need(from.aeads, name, 'AEAD');
  const opener = need(to.aeads, name, 'AEAD');
  const keyBytes = from.randomBytes(sealer.keyLength);
  const nonce = from.randomBytes(sealer.nonceLength);
  const aad = fromHex('1703030123');
  const plaintext = from.randomBytes(300);
  const sealed = sealer.importKey(keyBytes).seal(nonce, plaintext, aad);
  const opened = opener.importKey(keyBytes).open(nonce, sealed, aad);
  expect(opened !== null && equalBytes(opened, plaintext), `${to.name} could not open what ${from.name} sealed`);
}

function crossGroup(from: CryptoProvider, to: CryptoProvider, name: GroupName): void {
  const client = need(from.groups, name, 'group').start();
  const server = need(to.groups, name, 'group').accept(client.publicKey);
  expect(equalBytes(client.complete(server.publicKey), server.sharedSecret), 'client and server secrets differ');
}

function crossSignature(from: CryptoProvider, to: CryptoProvider, [schemeName, keyName]: (typeof SCHEME_KEYS)[number]): void {
  const signer = need(from.signatures, schemeName, 'signature scheme');
  const verifier = need(to.signatures, schemeName, 'signature scheme');
  const message = from.randomBytes(130);
  const signature = signer.sign(demoKeyPair(from, keyName).privateKey, message);
  expect(verifier.verify(demoKeyPair(to, keyName).publicKey, message, signature), `${to.name} rejected ${from.name}'s signature`);
}

/**
 * Each provider against the other, in both directions (columns `a → b` and `b → a`): same digests and HMACs, one
 * seals and the other opens, one is the client and the other the server of a key exchange, one signs and the other
 * verifies.
 */
export function crossCheck(a: CryptoProvider, b: CryptoProvider): CheckTable {
  const both = (check: (from: CryptoProvider, to: CryptoProvider) => void) => [() => check(a, b), () => check(b, a)];
  const rows: CheckRow[] = [];
  for (const known of KNOWN_ANSWERS) {
    rows.push(row(`${known.title} and HMAC of random input equal`, both((from, to) => crossHash(from, to, known.hash))));
  }
  for (const name of AEADS) {
    rows.push(row(`${name}: seal → open`, both((from, to) => crossAead(from, to, name))));
  }
  for (const name of GROUPS) {
    rows.push(row(`${name}: client ↔ server agree`, both((from, to) => crossGroup(from, to, name))));
  }
  for (const scheme of SCHEME_KEYS) {
    rows.push(row(`${scheme[0]}: sign → verify`, both((from, to) => crossSignature(from, to, scheme))));
  }
  return { columns: [`${a.name} → ${b.name}`, `${b.name} → ${a.name}`], rows };
}
