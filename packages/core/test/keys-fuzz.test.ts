import { readFileSync } from 'node:fs';
import { InvalidArgumentError } from '@tlsbio/errors';
import { describe, expect, it } from 'vitest';
import { parsePrivateKey, parsePublicKey } from '../src/crypto/keys.js';

// A short, seeded, bounded mutation pass: malformed keys must only ever surface as InvalidArgumentError with one of
// the key-import reasons — never a TypeError, RangeError or an error from deep inside a parser.

const ALLOWED_REASONS = new Set(['BAD_DER', 'BAD_PEM', 'UNSUPPORTED_KEY_TYPE', 'KEY_MISMATCH']);
// A longer run: KEY_FUZZ_ROUNDS=10000 npx vitest run test/keys-fuzz
const ROUNDS_PER_INPUT = Number(process.env.KEY_FUZZ_ROUNDS ?? 250);

const fixtureUrl = (name: string) => new URL(`./fixtures/keys/${name}`, import.meta.url);
const read = (name: string): Uint8Array => new Uint8Array(readFileSync(fixtureUrl(name)));
const readText = (name: string): string => readFileSync(fixtureUrl(name), 'utf8');

// mulberry32: tiny, deterministic, good enough to pick mutations.
function generator(seed: number): (limit: number) => number {
  let state = seed >>> 0;
  return (limit) => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * limit);
  };
}

function mutate(input: Uint8Array, random: (limit: number) => number): Uint8Array {
  const out = Array.from(input);
  const position = random(out.length);
  switch (random(7)) {
    case 0: // flip one bit
      out[position] = (out[position] as number) ^ (1 << random(8));
      break;
    case 1: // replace a byte, favouring the values that matter to DER headers
      out[position] = [0x00, 0x7f, 0x80, 0x81, 0x82, 0xff, random(256)][random(7)] as number;
      break;
    case 2: // truncate
      out.length = position;
      break;
    case 3: // delete a byte
      out.splice(position, 1);
      break;
    case 4: // insert a byte
      out.splice(position, 0, random(256));
      break;
    case 5: // duplicate a slice
      out.splice(position, 0, ...out.slice(position, position + 1 + random(16)));
      break;
    default: // several bit flips at once
      for (let i = 0, count = 2 + random(4); i < count; i++) {
        const at = random(out.length);
        out[at] = (out[at] as number) ^ (1 << random(8));
      }
  }
  return Uint8Array.from(out);
}

interface Tally {
  parsed: number;
  reasons: Map<string, number>;
}

function attempt(parse: () => unknown, tally: Tally): void {
  try {
    parse();
    tally.parsed++;
  } catch (error) {
    if (!(error instanceof InvalidArgumentError) || !ALLOWED_REASONS.has(error.reason)) {
      throw new Error(`unexpected failure: ${String(error)}`, { cause: error });
    }
    tally.reasons.set(error.reason, (tally.reasons.get(error.reason) ?? 0) + 1);
  }
}

const PRIVATE_DER = [
  'rsa2048.pkcs8.der',
  'rsa2048.pkcs1.der',
  'ec-p256.pkcs8.der',
  'ec-p256.sec1.der',
  'ec-p384.pkcs8.der',
  'ec-p384.sec1.der',
  'ed25519.pkcs8.der',
  'unsupported-encrypted.pkcs8.der',
];
const PUBLIC_DER = ['rsa2048.spki.der', 'rsa2048.pkcs1-public.der', 'ec-p256.spki.der', 'ec-p384.spki.der'];
const PRIVATE_PEM = ['rsa-pss.pkcs8.pem', 'ec-p256.sec1.pem', 'ed25519.pkcs8.pem', 'unsupported-secp256k1.pkcs8.pem'];
const PUBLIC_PEM = ['ed25519.spki.pem', 'rsa2048.pkcs1-public.pem', 'unsupported-dsa.spki.pem'];

describe('key parsing under mutation', () => {
  it('every strict prefix and every one-byte extension of a DER key is rejected as BAD_DER', () => {
    for (const name of [...PRIVATE_DER, ...PUBLIC_DER]) {
      const der = read(name);
      const parse = PUBLIC_DER.includes(name) ? parsePublicKey : parsePrivateKey;
      for (let length = 1; length < der.length; length++) {
        expect(() => parse(der.subarray(0, length)), `${name} cut at ${length}`).toThrow(
          expect.objectContaining({ reason: 'BAD_DER' }),
        );
      }
      expect(() => parse(Uint8Array.from([...der, 0]))).toThrow(expect.objectContaining({ reason: 'BAD_DER' }));
    }
  });

  it('mutated DER only ever fails with a key-import InvalidArgumentError', () => {
    const random = generator(0x5eed);
    const tally: Tally = { parsed: 0, reasons: new Map() };
    for (const name of [...PRIVATE_DER, ...PUBLIC_DER]) {
      const der = read(name);
      const parse = PUBLIC_DER.includes(name) ? parsePublicKey : parsePrivateKey;
      for (let round = 0; round < ROUNDS_PER_INPUT; round++) attempt(() => parse(mutate(der, random)), tally);
    }
    // The pass is only meaningful if mutations reach the different layers of checks.
    expect(tally.reasons.get('BAD_DER') ?? 0).toBeGreaterThan(500);
    expect(tally.reasons.get('UNSUPPORTED_KEY_TYPE') ?? 0).toBeGreaterThan(0);
    expect(tally.reasons.get('BAD_PEM') ?? 0).toBeGreaterThan(0); // a first byte other than 0x30 means PEM
    expect(tally.reasons.get('KEY_MISMATCH') ?? 0).toBeGreaterThan(0);
  });

  it('mutated PEM only ever fails with a key-import InvalidArgumentError', () => {
    const random = generator(0xbee5);
    const tally: Tally = { parsed: 0, reasons: new Map() };
    for (const name of [...PRIVATE_PEM, ...PUBLIC_PEM]) {
      const pem = new TextEncoder().encode(readText(name));
      const parse = PUBLIC_PEM.includes(name) ? parsePublicKey : parsePrivateKey;
      for (let round = 0; round < ROUNDS_PER_INPUT; round++) {
        const mutated = mutate(pem, random);
        attempt(() => parse(mutated), tally);
        attempt(() => parse(String.fromCharCode(...mutated)), tally);
      }
    }
    expect(tally.reasons.get('BAD_PEM') ?? 0).toBeGreaterThan(500);
    expect(tally.reasons.get('BAD_DER') ?? 0).toBeGreaterThan(0);
    expect(tally.parsed).toBeGreaterThan(0); // e.g. mutations in the text after the END line
  });
});
