/**
 * Record protection: TLS 1.3 (RFC 8446 §5.2-§5.5) and TLS 1.2 AEAD (RFC 5246 §6.2.3.3, RFC 5288, RFC 7905) sealers and
 * openers, and the plaintext ones (RFC 8446 §5.1), against both crypto providers. The TLS 1.2 records are also built
 * independently with node:crypto, byte for byte, to check nonce and additional_data construction.
 * Known-answer tests from RFC 8448 are in record-rfc8448.test.ts.
 */
import { createCipheriv } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, ProtocolError } from '@tlsbio/errors';
import type { AeadAlgorithm, AeadName, CryptoProvider } from '../src/crypto/provider.js';
import { ContentType } from '../src/msgs/registry.js';
import { XorNonce, checkSequence, writeSequence } from '../src/record/common.js';
import {
  DEFAULT_GCM_RECORD_LIMIT,
  GCM_HARD_RECORD_LIMIT,
  MAX_PLAINTEXT_LENGTH,
  MAX_SEQUENCE,
  PlaintextOpener,
  PlaintextSealer,
  Tls12AeadOpener,
  Tls12AeadSealer,
  Tls13Opener,
  Tls13Sealer,
  MAX_RECORDS_PER_BATCH,
  sealRecords,
  type RawRecord,
  type RecordOpener,
  type RecordSealer,
} from '../src/record/index.js';
import { providers } from './helpers/providers.js';

const AEADS: readonly AeadName[] = ['aes_128_gcm', 'aes_256_gcm', 'chacha20_poly1305'];
const OPENSSL_NAMES: Record<AeadName, string> = {
  aes_128_gcm: 'aes-128-gcm',
  aes_256_gcm: 'aes-256-gcm',
  chacha20_poly1305: 'chacha20-poly1305',
};

/** Deterministic bytes: a simple LCG, so failures reproduce. */
function pseudoRandom(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out[i] = state >>> 24;
  }
  return out;
}

/** Splits a sealed record into the RawRecord the deframer would produce. */
function parse(record: Uint8Array): RawRecord {
  const length = (record[3]! << 8) | record[4]!;
  expect(record.length).toBe(5 + length);
  return { type: record[0]!, version: (record[1]! << 8) | record[2]!, fragment: record.subarray(5) };
}

function expectProtocolError(fn: () => unknown, reason: string, alert: string): ProtocolError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(ProtocolError.isInstance(caught), `expected ProtocolError ${reason}, got ${String(caught)}`).toBe(true);
  const error = caught as ProtocolError;
  expect(error.reason).toBe(reason);
  expect(error.alert?.name).toBe(alert);
  expect(error.fault).toBe('remote');
  return error;
}

function expectInvalidArgument(fn: () => unknown, argument: string): void {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(InvalidArgumentError.isInstance(caught), `expected InvalidArgumentError, got ${String(caught)}`).toBe(true);
  expect((caught as InvalidArgumentError).argument).toBe(argument);
}

interface Keys {
  aead: AeadAlgorithm;
  key: Uint8Array;
  iv13: Uint8Array;
  /** The TLS 1.2 write IV: 4-byte salt for GCM, 12 bytes for ChaCha20-Poly1305. */
  iv12: Uint8Array;
}

function keysFor(provider: CryptoProvider, name: AeadName, seed = 1): Keys {
  const aead = provider.aeads[name]!;
  const key = pseudoRandom(aead.keyLength, seed);
  const iv13 = pseudoRandom(12, seed + 100);
  const iv12 = name === 'chacha20_poly1305' ? iv13 : iv13.subarray(0, 4);
  return { aead, key, iv13, iv12 };
}

type Version = 'TLS 1.3' | 'TLS 1.2';

function pairFor(version: Version, k: Keys): { sealer: RecordSealer; opener: RecordOpener } {
  if (version === 'TLS 1.3') {
    return { sealer: new Tls13Sealer(k.aead.importKey(k.key), k.iv13, k.aead), opener: new Tls13Opener(k.aead.importKey(k.key), k.iv13, k.aead) };
  }
  return {
    sealer: new Tls12AeadSealer(k.aead.importKey(k.key), k.iv12, k.aead),
    opener: new Tls12AeadOpener(k.aead.importKey(k.key), k.iv12, k.aead),
  };
}

/** The TLS 1.3 nonce for `seq`, computed with BigInt as an independent reference (RFC 8446 §5.3). */
function referenceNonce(iv: Uint8Array, seq: bigint): Uint8Array {
  const nonce = Uint8Array.from(iv);
  for (let i = 0; i < 8; i++) nonce[11 - i]! ^= Number((seq >> BigInt(8 * i)) & 0xffn);
  return nonce;
}

/** Seals an arbitrary TLS 1.3 inner plaintext by hand, for records our sealer would refuse to make. */
function handSealed13(k: Keys, seq: number, inner: Uint8Array, outerType: number = ContentType.application_data): RawRecord {
  const length = inner.length + k.aead.tagLength;
  const header = Uint8Array.of(outerType, 3, 3, length >> 8, length & 0xff);
  const fragment = k.aead.importKey(k.key).seal(referenceNonce(k.iv13, BigInt(seq)), inner, header);
  return { type: outerType, version: 0x0303, fragment };
}

/** Seals a TLS 1.2 record by hand with node:crypto (RFC 5246 §6.2.3.3; RFC 5288 §3 or RFC 7905 §2 nonce). */
function handSealed12(k: Keys, seq: number, type: number, plaintext: Uint8Array, explicit?: Uint8Array, version = 0x0303): RawRecord {
  const gcm = k.aead.name !== 'chacha20_poly1305';
  const seqBytes = new Uint8Array(8);
  new DataView(seqBytes.buffer).setBigUint64(0, BigInt(seq));
  const explicitNonce = explicit ?? seqBytes;
  const nonce = gcm ? Uint8Array.from([...k.iv12, ...explicitNonce]) : referenceNonce(k.iv12, BigInt(seq));
  const aad = Uint8Array.from([...seqBytes, type, version >> 8, version & 0xff, plaintext.length >> 8, plaintext.length & 0xff]);
  const cipher = createCipheriv(OPENSSL_NAMES[k.aead.name] as 'aes-128-gcm', k.key, nonce, { authTagLength: 16 });
  cipher.setAAD(aad, { plaintextLength: plaintext.length });
  const body = Buffer.concat([gcm ? explicitNonce : new Uint8Array(0), cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  return { type, version, fragment: new Uint8Array(body) };
}

describe('sequence numbers and nonces (RFC 8446 §5.3)', () => {
  const iv = Uint8Array.from([0x5d, 0x31, 0x3e, 0xb2, 0x67, 0x12, 0x76, 0xee, 0x13, 0x00, 0x0b, 0x30]);
  const sequences = [0, 1, 255, 256, 0x7fffffff, 0x80000000, 0xffffffff, 2 ** 32, 2 ** 32 + 1, 2 ** 40 + 12345, 2 ** 52 + 7, MAX_SEQUENCE - 1];

  it.each(sequences)('XorNonce at %d equals iv XOR the 64-bit big-endian sequence number', (seq) => {
    const nonce = new XorNonce(iv);
    expect(Array.from(nonce.at(seq))).toEqual(Array.from(referenceNonce(iv, BigInt(seq))));
  });

  it('XorNonce reuses one array but recomputes it fully at each sequence number', () => {
    const nonce = new XorNonce(iv);
    const high = Array.from(nonce.at(2 ** 40 + 99));
    expect(Array.from(nonce.at(1))).toEqual(Array.from(referenceNonce(iv, 1n)));
    expect(high).toEqual(Array.from(referenceNonce(iv, BigInt(2 ** 40 + 99))));
  });

  it('XorNonces of different IVs share one scratch array and each recomputes all 12 bytes', () => {
    const other = Uint8Array.from(iv, (byte) => byte ^ 0xa5);
    const first = new XorNonce(iv);
    const second = new XorNonce(other);
    for (const seq of [7, 2 ** 33 + 5, 0]) {
      expect(Array.from(second.at(seq))).toEqual(Array.from(referenceNonce(other, BigInt(seq))));
      expect(Array.from(first.at(seq))).toEqual(Array.from(referenceNonce(iv, BigInt(seq))));
    }
  });

  it.each(sequences)('writeSequence(%d) writes a 64-bit big-endian integer', (seq) => {
    const out = new Uint8Array(10);
    writeSequence(out, 1, seq);
    expect(new DataView(out.buffer).getBigUint64(1)).toBe(BigInt(seq));
    expect(out[0]).toBe(0);
    expect(out[9]).toBe(0);
  });

  it('refuses to go past 2^53 - 1 (local fault)', () => {
    expect(() => checkSequence(MAX_SEQUENCE - 1, 'seal')).not.toThrow();
    let caught: unknown;
    try {
      checkSequence(MAX_SEQUENCE, 'seal');
    } catch (error) {
      caught = error;
    }
    expect(ProtocolError.isInstance(caught)).toBe(true);
    expect((caught as ProtocolError).reason).toBe('INTERNAL_ERROR');
    expect((caught as ProtocolError).fault).toBe('local');
  });
});

describe.each(providers)('record protection with the %s provider', (_name, createProvider) => {
  const provider = createProvider();

  describe.each(AEADS)('%s', (aeadName) => {
    describe.each<Version>(['TLS 1.3', 'TLS 1.2'])('%s', (version) => {
      it('round-trips records of every content type and size, in sequence', () => {
        const k = keysFor(provider, aeadName);
        const { sealer, opener } = pairFor(version, k);
        const cases: Array<[number, number]> = [
          [ContentType.application_data, 0],
          [ContentType.application_data, 1],
          [ContentType.handshake, 4],
          [ContentType.alert, 2],
          [ContentType.application_data, 1000],
          [ContentType.application_data, MAX_PLAINTEXT_LENGTH],
          [ContentType.handshake, MAX_PLAINTEXT_LENGTH],
        ];
        cases.forEach(([type, size], i) => {
          const data = pseudoRandom(size, i + 7);
          expect(sealer.sequence).toBe(i);
          const record = sealer.seal(type, data);
          expect(sealer.sequence).toBe(i + 1);
          const raw = parse(record);
          const overhead = version === 'TLS 1.3' ? 1 + 16 : aeadName === 'chacha20_poly1305' ? 16 : 8 + 16;
          expect(raw.fragment.length).toBe(size + overhead);
          expect(raw.version).toBe(0x0303);
          // TLS 1.3 hides the type behind application_data (RFC 8446 §5.2); TLS 1.2 shows it.
          expect(raw.type).toBe(version === 'TLS 1.3' ? ContentType.application_data : type);
          const opened = opener.open(raw);
          expect(opened.type).toBe(type);
          expect(Array.from(opened.fragment)).toEqual(Array.from(data));
          expect(opener.sequence).toBe(i + 1);
        });
      });

      it('does not encrypt two records alike: the nonce moves with the sequence number', () => {
        const k = keysFor(provider, aeadName);
        const { sealer } = pairFor(version, k);
        const data = pseudoRandom(64, 3);
        const first = sealer.seal(ContentType.application_data, data);
        const second = sealer.seal(ContentType.application_data, data);
        expect(Array.from(first)).not.toEqual(Array.from(second));
      });

      it('refuses a tampered record with bad_record_mac, without advancing the sequence number', () => {
        const k = keysFor(provider, aeadName);
        const { sealer, opener } = pairFor(version, k);
        const good = parse(sealer.seal(ContentType.application_data, pseudoRandom(100, 5)));
        for (const index of [0, 30, good.fragment.length - 1]) {
          const fragment = Uint8Array.from(good.fragment);
          fragment[index]! ^= 0x01;
          expectProtocolError(() => opener.open({ ...good, fragment }), 'BAD_RECORD_MAC', 'bad_record_mac');
          expect(opener.sequence).toBe(0);
        }
        // The header is authenticated too (additional_data).
        if (version === 'TLS 1.2') {
          expectProtocolError(() => opener.open({ ...good, type: ContentType.handshake }), 'BAD_RECORD_MAC', 'bad_record_mac');
        } else {
          expectProtocolError(() => opener.open({ ...good, version: 0x0301 }), 'BAD_RECORD_MAC', 'bad_record_mac');
        }
        // A failed record leaves the opener usable: the genuine one still opens (trial decryption, RFC 8446 §4.2.10).
        expect(opener.open(good).type).toBe(ContentType.application_data);
        expect(opener.sequence).toBe(1);
      });

      it('refuses records out of order and records under another key', () => {
        const k = keysFor(provider, aeadName);
        const { sealer, opener } = pairFor(version, k);
        sealer.seal(ContentType.application_data, pseudoRandom(10, 1));
        const second = parse(sealer.seal(ContentType.application_data, pseudoRandom(10, 2)));
        // Record 1 at sequence number 0: the nonce differs (TLS 1.3, ChaCha20-Poly1305) or, for TLS 1.2 GCM whose
        // explicit nonce travels with the record, the sequence number in additional_data does.
        expectProtocolError(() => opener.open(second), 'BAD_RECORD_MAC', 'bad_record_mac');
        const other = pairFor(version, keysFor(provider, aeadName, 99));
        const foreign = parse(other.sealer.seal(ContentType.application_data, pseudoRandom(10, 1)));
        expectProtocolError(() => opener.open(foreign), 'BAD_RECORD_MAC', 'bad_record_mac');
      });

      it('refuses records too short to hold a tag', () => {
        const k = keysFor(provider, aeadName);
        const { opener } = pairFor(version, k);
        for (const length of [0, 1, 15]) {
          const type = version === 'TLS 1.3' ? ContentType.application_data : ContentType.handshake;
          expectProtocolError(() => opener.open({ type, version: 0x0303, fragment: new Uint8Array(length) }), 'BAD_RECORD_MAC', 'bad_record_mac');
        }
      });

      it('checks seal arguments: fragment size, empty handshake or alert, content type', () => {
        const { sealer } = pairFor(version, keysFor(provider, aeadName));
        expectInvalidArgument(() => sealer.seal(ContentType.application_data, new Uint8Array(MAX_PLAINTEXT_LENGTH + 1)), 'fragment');
        expectInvalidArgument(() => sealer.seal(ContentType.handshake, new Uint8Array(0)), 'fragment');
        expectInvalidArgument(() => sealer.seal(ContentType.alert, new Uint8Array(0)), 'fragment');
        expectInvalidArgument(() => sealer.seal(0, new Uint8Array(1)), 'type');
        expectInvalidArgument(() => sealer.seal(256, new Uint8Array(1)), 'type');
        expect(sealer.sequence).toBe(0);
      });

      it('sealInto writes the record seal() would, at any offset of an array holding anything, and checks the room', () => {
        const k = keysFor(provider, aeadName);
        const a = pairFor(version, k);
        const b = pairFor(version, k);
        for (const size of [0, 1, 700, MAX_PLAINTEXT_LENGTH]) {
          const data = pseudoRandom(size, size + 1);
          const expected = a.sealer.seal(ContentType.application_data, data);
          expect(expected.length).toBe(b.sealer.overhead + size);
          const out = new Uint8Array(expected.length + 40).fill(0xa5);
          expect(b.sealer.sealInto(ContentType.application_data, data, out, 17)).toBe(expected.length);
          expect(Array.from(out.subarray(17, 17 + expected.length))).toEqual(Array.from(expected));
          expect(out[16]).toBe(0xa5); // nothing written outside the record
          expect(out[17 + expected.length]).toBe(0xa5);
        }
        const tight = new Uint8Array(b.sealer.overhead + 9);
        expectInvalidArgument(() => b.sealer.sealInto(ContentType.application_data, new Uint8Array(10), tight, 0), 'out');
        expectInvalidArgument(() => b.sealer.sealInto(ContentType.application_data, new Uint8Array(9), tight, 1), 'out');
        expect(b.sealer.sequence).toBe(4); // a refused record uses no sequence number
      });

      it('sealRecords seals a batch back to back in one array, within the space given, that opens record by record', () => {
        const k = keysFor(provider, aeadName);
        const { sealer, opener } = pairFor(version, k);
        const overhead = sealer.overhead;
        const data = pseudoRandom(3 * MAX_PLAINTEXT_LENGTH - 100, 11);
        // Room for two full records and 50 bytes of a third: the third is cut to fit.
        const space = 2 * (MAX_PLAINTEXT_LENGTH + overhead) + overhead + 50;
        const batch = sealRecords(sealer, ContentType.application_data, data, space);
        expect(batch.consumed).toBe(2 * MAX_PLAINTEXT_LENGTH + 50);
        expect(batch.records.length).toBe(space);
        expect(sealer.sequence).toBe(3);
        const opened: number[] = [];
        for (let offset = 0; offset < batch.records.length; ) {
          const length = 5 + ((batch.records[offset + 3]! << 8) | batch.records[offset + 4]!);
          opened.push(...opener.open(parse(batch.records.subarray(offset, offset + length))).fragment);
          offset += length;
        }
        expect(Uint8Array.from(opened)).toEqual(data.subarray(0, batch.consumed));
        // The rest, with no bound: one short record. No room for even one byte: nothing sealed.
        const rest = sealRecords(sealer, ContentType.application_data, data.subarray(batch.consumed), Infinity);
        expect(rest.consumed).toBe(data.length - batch.consumed);
        expect(rest.records.length).toBe(rest.consumed + overhead);
        expect(sealRecords(sealer, ContentType.application_data, data, overhead)).toEqual({ records: new Uint8Array(0), consumed: 0 });
        expect(sealer.sequence).toBe(4);
        expectInvalidArgument(() => sealRecords(sealer, ContentType.application_data, data, Infinity, 0), 'maxFragment');
      });

      it('sealRecords puts at most MAX_RECORDS_PER_BATCH records in one array and honours a smaller fragment size', () => {
        const { sealer } = pairFor(version, keysFor(provider, aeadName));
        const data = pseudoRandom(100 * 64, 12);
        const batch = sealRecords(sealer, ContentType.application_data, data, Infinity, 64);
        expect(batch.consumed).toBe(MAX_RECORDS_PER_BATCH * 64);
        expect(batch.records.length).toBe(MAX_RECORDS_PER_BATCH * (64 + sealer.overhead));
      });

      it("seals in place exactly as the provider's seal does (the path every record takes)", () => {
        const k = keysFor(provider, aeadName);
        const key = k.aead.importKey(k.key);
        const nonce = pseudoRandom(12, 9);
        const aad = pseudoRandom(13, 10);
        for (const size of [1, 500, MAX_PLAINTEXT_LENGTH]) {
          const data = pseudoRandom(size, size);
          const buffer = new Uint8Array(5 + size + 16);
          buffer.set(data, 5);
          key.sealInPlace(nonce, buffer, 5, size, aad);
          expect(Array.from(buffer.subarray(5))).toEqual(Array.from(key.seal(nonce, data, aad)));
          expect(Array.from(key.open(nonce, buffer.subarray(5), aad) ?? [])).toEqual(Array.from(data));
        }
      });
    });

    describe('TLS 1.3 specifics', () => {
      it('adds padding on seal and strips it on open (RFC 8446 §5.4)', () => {
        const k = keysFor(provider, aeadName);
        const { sealer, opener } = pairFor('TLS 1.3', k);
        const data = pseudoRandom(50, 1);
        const raw = parse(sealer.seal(ContentType.handshake, data, 200));
        expect(raw.fragment.length).toBe(50 + 1 + 200 + 16);
        const opened = opener.open(raw);
        expect(opened.type).toBe(ContentType.handshake);
        expect(Array.from(opened.fragment)).toEqual(Array.from(data));
        // Padding up to the full 2^14 + 1 inner plaintext, and an application_data record of padding only.
        const full = parse(sealer.seal(ContentType.application_data, data, MAX_PLAINTEXT_LENGTH - 50));
        expect(full.fragment.length).toBe(MAX_PLAINTEXT_LENGTH + 1 + 16);
        expect(opener.open(full).fragment.length).toBe(50);
        const onlyPadding = opener.open(parse(sealer.seal(ContentType.application_data, new Uint8Array(0), 1000)));
        expect(onlyPadding.type).toBe(ContentType.application_data);
        expect(onlyPadding.fragment.length).toBe(0);
      });

      it('keeps zero bytes at the end of the content: only bytes after the type byte are padding', () => {
        const k = keysFor(provider, aeadName);
        const { sealer, opener } = pairFor('TLS 1.3', k);
        const data = Uint8Array.of(1, 2, 0, 0, 0);
        const opened = opener.open(parse(sealer.seal(ContentType.application_data, data, 7)));
        expect(Array.from(opened.fragment)).toEqual([1, 2, 0, 0, 0]);
      });

      it('refuses padding that would take the inner plaintext past 2^14 + 1', () => {
        const { sealer } = pairFor('TLS 1.3', keysFor(provider, aeadName));
        expectInvalidArgument(() => sealer.seal(ContentType.application_data, new Uint8Array(100), MAX_PLAINTEXT_LENGTH - 99), 'padding');
        expectInvalidArgument(() => sealer.seal(ContentType.application_data, new Uint8Array(1), -1), 'padding');
        expectInvalidArgument(() => sealer.seal(ContentType.application_data, new Uint8Array(1), 1.5), 'padding');
      });

      it('rejects an inner plaintext of only zeros (RFC 8446 §5.4)', () => {
        const k = keysFor(provider, aeadName);
        const opener = new Tls13Opener(k.aead.importKey(k.key), k.iv13, k.aead);
        expectProtocolError(() => opener.open(handSealed13(k, 0, new Uint8Array(20))), 'BAD_RECORD_TYPE', 'unexpected_message');
        const empty = new Tls13Opener(k.aead.importKey(k.key), k.iv13, k.aead);
        expectProtocolError(() => empty.open(handSealed13(k, 0, new Uint8Array(0))), 'BAD_RECORD_TYPE', 'unexpected_message');
      });

      it('rejects a protected change_cipher_spec and unknown inner types (RFC 8446 §5)', () => {
        const k = keysFor(provider, aeadName);
        const open = (inner: Uint8Array): void => void new Tls13Opener(k.aead.importKey(k.key), k.iv13, k.aead).open(handSealed13(k, 0, inner));
        expectProtocolError(() => open(Uint8Array.of(1, ContentType.change_cipher_spec)), 'UNEXPECTED_CCS_MESSAGE', 'unexpected_message');
        expectProtocolError(() => open(Uint8Array.of(1, 2, 3, 0x18, 0, 0)), 'BAD_RECORD_TYPE', 'unexpected_message');
        expectProtocolError(() => open(Uint8Array.of(0xff)), 'BAD_RECORD_TYPE', 'unexpected_message');
      });

      it('rejects empty handshake and alert content, even padded (RFC 8446 §5.1)', () => {
        const k = keysFor(provider, aeadName);
        const open = (inner: Uint8Array): void => void new Tls13Opener(k.aead.importKey(k.key), k.iv13, k.aead).open(handSealed13(k, 0, inner));
        expectProtocolError(() => open(Uint8Array.of(ContentType.handshake)), 'UNEXPECTED_MESSAGE', 'unexpected_message');
        expectProtocolError(() => open(Uint8Array.of(ContentType.handshake, 0, 0, 0)), 'UNEXPECTED_MESSAGE', 'unexpected_message');
        expectProtocolError(() => open(Uint8Array.of(ContentType.alert, 0)), 'UNEXPECTED_MESSAGE', 'unexpected_message');
        // Empty application data is allowed (RFC 8446 §5.1).
        const opened = new Tls13Opener(k.aead.importKey(k.key), k.iv13, k.aead).open(handSealed13(k, 0, Uint8Array.of(ContentType.application_data)));
        expect(opened.fragment.length).toBe(0);
      });

      it('rejects an inner plaintext over 2^14 + 1 bytes with record_overflow, before decrypting', () => {
        const k = keysFor(provider, aeadName);
        const opener = new Tls13Opener(k.aead.importKey(k.key), k.iv13, k.aead);
        const inner = new Uint8Array(MAX_PLAINTEXT_LENGTH + 2);
        inner[MAX_PLAINTEXT_LENGTH] = ContentType.application_data; // a type byte then one byte of padding: still too long
        expectProtocolError(() => opener.open(handSealed13(k, 0, inner)), 'RECORD_OVERFLOW', 'record_overflow');
        // Garbage of that size too: the length alone decides, no AEAD work is spent.
        expectProtocolError(
          () => opener.open({ type: ContentType.application_data, version: 0x0303, fragment: new Uint8Array(MAX_PLAINTEXT_LENGTH + 2 + 16) }),
          'RECORD_OVERFLOW',
          'record_overflow',
        );
        // Exactly 2^14 + 1 is fine.
        const max = new Uint8Array(MAX_PLAINTEXT_LENGTH + 1);
        max[MAX_PLAINTEXT_LENGTH] = ContentType.application_data;
        expect(opener.open(handSealed13(k, 0, max)).fragment.length).toBe(MAX_PLAINTEXT_LENGTH);
      });

      it('applies a lowered maxPlaintextLength (record_size_limit, RFC 8449)', () => {
        const k = keysFor(provider, aeadName);
        const { sealer, opener } = pairFor('TLS 1.3', k);
        (opener as Tls13Opener).maxPlaintextLength = 100;
        expect(opener.open(parse(sealer.seal(ContentType.application_data, new Uint8Array(100)))).fragment.length).toBe(100);
        expectProtocolError(() => opener.open(parse(sealer.seal(ContentType.application_data, new Uint8Array(101)))), 'RECORD_OVERFLOW', 'record_overflow');
        expectInvalidArgument(() => ((opener as Tls13Opener).maxPlaintextLength = MAX_PLAINTEXT_LENGTH + 1), 'maxPlaintextLength');
      });

      it('rejects protected records whose outer type is not application_data (RFC 8446 §5.2)', () => {
        const k = keysFor(provider, aeadName);
        const { sealer, opener } = pairFor('TLS 1.3', k);
        const raw = parse(sealer.seal(ContentType.handshake, pseudoRandom(10, 1)));
        for (const type of [ContentType.handshake, ContentType.alert, ContentType.change_cipher_spec]) {
          expectProtocolError(() => opener.open({ ...raw, type }), 'UNEXPECTED_RECORD', 'unexpected_message');
        }
        expect(opener.open(raw).type).toBe(ContentType.handshake);
      });

      it('asks for a KeyUpdate at the record limit (RFC 8446 §5.5)', () => {
        const k = keysFor(provider, aeadName);
        const sealer = new Tls13Sealer(k.aead.importKey(k.key), k.iv13, k.aead, { recordLimit: 3 });
        for (let i = 0; i < 3; i++) {
          expect(sealer.needsKeyUpdate).toBe(false);
          sealer.seal(ContentType.application_data, new Uint8Array(1));
        }
        expect(sealer.needsKeyUpdate).toBe(true);
        // Sealing goes on (the KeyUpdate itself needs this key); the engine acts on the flag.
        sealer.seal(ContentType.handshake, Uint8Array.of(24, 0, 0, 1, 0));
        expect(sealer.sequence).toBe(4);
      });

      it('sealRecords stops after the record that reaches the key limit, so the KeyUpdate can go first', () => {
        const k = keysFor(provider, aeadName);
        const sealer = new Tls13Sealer(k.aead.importKey(k.key), k.iv13, k.aead, { recordLimit: 3 });
        const batch = sealRecords(sealer, ContentType.application_data, new Uint8Array(10 * 100), Infinity, 100);
        expect(batch.consumed).toBe(300);
        expect(batch.records.length).toBe(3 * (100 + sealer.overhead));
        expect(sealer.needsKeyUpdate).toBe(true);
      });

      it('sealInto zeroes the padding even in an array that held other bytes (RFC 8446 §5.4)', () => {
        const k = keysFor(provider, aeadName);
        const sealer = new Tls13Sealer(k.aead.importKey(k.key), k.iv13, k.aead);
        const opener = new Tls13Opener(k.aead.importKey(k.key), k.iv13, k.aead);
        const out = new Uint8Array(sealer.overhead + 10 + 32).fill(0xff);
        expect(sealer.sealInto(ContentType.handshake, pseudoRandom(10, 4), out, 0, 32)).toBe(out.length);
        const opened = opener.open(parse(out));
        expect(opened.type).toBe(ContentType.handshake);
        expect(Array.from(opened.fragment)).toEqual(Array.from(pseudoRandom(10, 4)));
      });

      it('has the RFC 8446 §5.5 default limit for its AEAD', () => {
        const k = keysFor(provider, aeadName);
        const sealer = new Tls13Sealer(k.aead.importKey(k.key), k.iv13, k.aead);
        expect(sealer.needsKeyUpdate).toBe(false);
        const gcm = aeadName !== 'chacha20_poly1305';
        const hard = gcm ? GCM_HARD_RECORD_LIMIT : MAX_SEQUENCE;
        expect(() => new Tls13Sealer(k.aead.importKey(k.key), k.iv13, k.aead, { recordLimit: hard })).not.toThrow();
        if (gcm) {
          expect(DEFAULT_GCM_RECORD_LIMIT).toBeLessThan(GCM_HARD_RECORD_LIMIT);
          expect(GCM_HARD_RECORD_LIMIT).toBe(23726566); // floor(2^24.5)
          expectInvalidArgument(() => new Tls13Sealer(k.aead.importKey(k.key), k.iv13, k.aead, { recordLimit: hard + 1 }), 'recordLimit');
        }
        expectInvalidArgument(() => new Tls13Sealer(k.aead.importKey(k.key), k.iv13, k.aead, { recordLimit: 0 }), 'recordLimit');
      });

      it('refuses an IV that is not 12 bytes', () => {
        const k = keysFor(provider, aeadName);
        expectInvalidArgument(() => new Tls13Sealer(k.aead.importKey(k.key), new Uint8Array(11), k.aead), 'iv');
        expectInvalidArgument(() => new Tls13Opener(k.aead.importKey(k.key), new Uint8Array(4), k.aead), 'iv');
      });

      it('copies the IV: wiping the caller\'s array afterwards changes nothing', () => {
        const k = keysFor(provider, aeadName);
        const iv = Uint8Array.from(k.iv13);
        const sealer = new Tls13Sealer(k.aead.importKey(k.key), iv, k.aead);
        iv.fill(0);
        const opener = new Tls13Opener(k.aead.importKey(k.key), k.iv13, k.aead);
        expect(opener.open(parse(sealer.seal(ContentType.application_data, Uint8Array.of(9)))).fragment[0]).toBe(9);
      });
    });

    describe('TLS 1.2 specifics', () => {
      it('matches an independent node:crypto construction byte for byte (nonce and additional_data)', () => {
        const k = keysFor(provider, aeadName);
        const sealer = new Tls12AeadSealer(k.aead.importKey(k.key), k.iv12, k.aead);
        const items: Array<[number, Uint8Array]> = [
          [ContentType.handshake, pseudoRandom(16, 1)],
          [ContentType.application_data, pseudoRandom(1000, 2)],
          [ContentType.alert, Uint8Array.of(1, 0)],
          [ContentType.application_data, new Uint8Array(0)],
        ];
        items.forEach(([type, data], seq) => {
          const ours = parse(sealer.seal(type, data));
          const reference = handSealed12(k, seq, type, data);
          expect(ours.type).toBe(type);
          expect(Array.from(ours.fragment)).toEqual(Array.from(reference.fragment));
        });
      });

      it('carries the sequence number as GCM explicit nonce (RFC 5288 §3); ChaCha20-Poly1305 has none (RFC 7905)', () => {
        const k = keysFor(provider, aeadName);
        const sealer = new Tls12AeadSealer(k.aead.importKey(k.key), k.iv12, k.aead);
        sealer.seal(ContentType.application_data, new Uint8Array(1));
        const second = parse(sealer.seal(ContentType.application_data, new Uint8Array(1)));
        if (aeadName === 'chacha20_poly1305') {
          expect(second.fragment.length).toBe(1 + 16);
        } else {
          expect(Array.from(second.fragment.subarray(0, 8))).toEqual([0, 0, 0, 0, 0, 0, 0, 1]);
        }
      });

      it('opens a peer\'s records whatever explicit nonce it chose (RFC 5288 §3)', () => {
        if (aeadName === 'chacha20_poly1305') return; // no explicit nonce; covered by the node:crypto cross-check
        const k = keysFor(provider, aeadName);
        const opener = new Tls12AeadOpener(k.aead.importKey(k.key), k.iv12, k.aead);
        const explicit = pseudoRandom(8, 77);
        const data = pseudoRandom(300, 4);
        const opened = opener.open(handSealed12(k, 0, ContentType.application_data, data, explicit));
        expect(Array.from(opened.fragment)).toEqual(Array.from(data));
      });

      it('refuses a record version other than the negotiated one', () => {
        const k = keysFor(provider, aeadName);
        const opener = new Tls12AeadOpener(k.aead.importKey(k.key), k.iv12, k.aead);
        const record = handSealed12(k, 0, ContentType.application_data, pseudoRandom(10, 1), undefined, 0x0301);
        expectProtocolError(() => opener.open(record), 'WRONG_VERSION_NUMBER', 'protocol_version');
        expect(opener.sequence).toBe(0);
      });

      it('refuses a protected change_cipher_spec (it would mean renegotiation)', () => {
        const k = keysFor(provider, aeadName);
        const opener = new Tls12AeadOpener(k.aead.importKey(k.key), k.iv12, k.aead);
        const record = handSealed12(k, 0, ContentType.change_cipher_spec, Uint8Array.of(1));
        expectProtocolError(() => opener.open(record), 'UNEXPECTED_CCS_MESSAGE', 'unexpected_message');
      });

      it('refuses plaintext over 2^14 with record_overflow, and a lowered limit too', () => {
        const k = keysFor(provider, aeadName);
        const opener = new Tls12AeadOpener(k.aead.importKey(k.key), k.iv12, k.aead);
        const big = handSealed12(k, 0, ContentType.application_data, new Uint8Array(MAX_PLAINTEXT_LENGTH + 1));
        expectProtocolError(() => opener.open(big), 'RECORD_OVERFLOW', 'record_overflow');
        const max = handSealed12(k, 0, ContentType.application_data, new Uint8Array(MAX_PLAINTEXT_LENGTH));
        expect(opener.open(max).fragment.length).toBe(MAX_PLAINTEXT_LENGTH);
        opener.maxPlaintextLength = 512;
        expectProtocolError(() => opener.open(handSealed12(k, 1, ContentType.application_data, new Uint8Array(513))), 'RECORD_OVERFLOW', 'record_overflow');
      });

      it('refuses empty handshake and alert records (RFC 5246 §6.2.1)', () => {
        const k = keysFor(provider, aeadName);
        for (const type of [ContentType.handshake, ContentType.alert]) {
          const opener = new Tls12AeadOpener(k.aead.importKey(k.key), k.iv12, k.aead);
          expectProtocolError(() => opener.open(handSealed12(k, 0, type, new Uint8Array(0))), 'UNEXPECTED_MESSAGE', 'unexpected_message');
        }
      });

      it('has no padding and never asks for a KeyUpdate', () => {
        const k = keysFor(provider, aeadName);
        const sealer = new Tls12AeadSealer(k.aead.importKey(k.key), k.iv12, k.aead);
        expectInvalidArgument(() => sealer.seal(ContentType.application_data, new Uint8Array(1), 5), 'padding');
        sealer.seal(ContentType.application_data, new Uint8Array(1), 0);
        expect(sealer.needsKeyUpdate).toBe(false);
      });

      it('writes the version it is given, and checks the IV length per AEAD', () => {
        const k = keysFor(provider, aeadName);
        const sealer = new Tls12AeadSealer(k.aead.importKey(k.key), k.iv12, k.aead, 0x0303);
        expect(parse(sealer.seal(ContentType.application_data, new Uint8Array(1))).version).toBe(0x0303);
        const wrong = aeadName === 'chacha20_poly1305' ? new Uint8Array(4) : new Uint8Array(12);
        expectInvalidArgument(() => new Tls12AeadSealer(k.aead.importKey(k.key), wrong, k.aead), 'iv');
        expectInvalidArgument(() => new Tls12AeadOpener(k.aead.importKey(k.key), wrong, k.aead), 'iv');
        expectInvalidArgument(() => new Tls12AeadSealer(k.aead.importKey(k.key), k.iv12, k.aead, 0x10000), 'version');
      });
    });
  });
});

describe('plaintext records (RFC 8446 §5.1)', () => {
  it('frames fragments with the legacy_record_version, which can change', () => {
    const sealer = new PlaintextSealer({ legacyRecordVersion: 0x0301 });
    expect(Array.from(sealer.seal(ContentType.handshake, Uint8Array.of(1, 2, 3)))).toEqual([22, 3, 1, 0, 3, 1, 2, 3]);
    sealer.legacyRecordVersion = 0x0303;
    expect(Array.from(sealer.seal(ContentType.alert, Uint8Array.of(2, 40)))).toEqual([21, 3, 3, 0, 2, 2, 40]);
    expect(sealer.sequence).toBe(2);
    expect(sealer.needsKeyUpdate).toBe(false);
    expect(new PlaintextSealer().legacyRecordVersion).toBe(0x0303);
    expectInvalidArgument(() => (sealer.legacyRecordVersion = -1), 'legacyRecordVersion');
    expectInvalidArgument(() => new PlaintextSealer({ legacyRecordVersion: 0x10000 }), 'legacyRecordVersion');
  });

  it('seals a full 2^14 fragment and refuses more, padding, and empty handshake fragments', () => {
    const sealer = new PlaintextSealer();
    expect(sealer.seal(ContentType.handshake, new Uint8Array(MAX_PLAINTEXT_LENGTH)).length).toBe(MAX_PLAINTEXT_LENGTH + 5);
    expectInvalidArgument(() => sealer.seal(ContentType.handshake, new Uint8Array(MAX_PLAINTEXT_LENGTH + 1)), 'fragment');
    expectInvalidArgument(() => sealer.seal(ContentType.handshake, new Uint8Array(1), 1), 'padding');
    expectInvalidArgument(() => sealer.seal(ContentType.handshake, new Uint8Array(0)), 'fragment');
  });

  it('sealInto frames at an offset, exactly as seal does', () => {
    const sealer = new PlaintextSealer();
    const expected = new PlaintextSealer().seal(ContentType.handshake, Uint8Array.of(1, 2, 3));
    const out = new Uint8Array(20).fill(9);
    expect(sealer.overhead).toBe(5);
    expect(sealer.sealInto(ContentType.handshake, Uint8Array.of(1, 2, 3), out, 4)).toBe(8);
    expect(Array.from(out.subarray(4, 12))).toEqual(Array.from(expected));
    expect(out[12]).toBe(9);
  });

  it('opens records as views and counts them', () => {
    const opener = new PlaintextOpener();
    const fragment = Uint8Array.of(1, 0, 0, 0);
    const opened = opener.open({ type: ContentType.handshake, version: 0x0301, fragment });
    expect(opened.type).toBe(ContentType.handshake);
    expect(opened.fragment).toBe(fragment);
    expect(opener.sequence).toBe(1);
    // An empty change_cipher_spec is the engine's to judge (BAD_CHANGE_CIPHER_SPEC), not the record layer's.
    expect(opener.open({ type: ContentType.change_cipher_spec, version: 0x0303, fragment: new Uint8Array(0) }).fragment.length).toBe(0);
  });

  it('refuses unprotected application data', () => {
    expectProtocolError(
      () => new PlaintextOpener().open({ type: ContentType.application_data, version: 0x0303, fragment: Uint8Array.of(1) }),
      'UNEXPECTED_RECORD',
      'unexpected_message',
    );
  });

  it('refuses a fragment over 2^14 (or the lowered limit) with record_overflow', () => {
    const opener = new PlaintextOpener();
    expect(opener.open({ type: ContentType.handshake, version: 0x0303, fragment: new Uint8Array(MAX_PLAINTEXT_LENGTH) }).fragment.length).toBe(MAX_PLAINTEXT_LENGTH);
    expectProtocolError(
      () => opener.open({ type: ContentType.handshake, version: 0x0303, fragment: new Uint8Array(MAX_PLAINTEXT_LENGTH + 1) }),
      'RECORD_OVERFLOW',
      'record_overflow',
    );
    opener.maxPlaintextLength = 10;
    expectProtocolError(() => opener.open({ type: ContentType.handshake, version: 0x0303, fragment: new Uint8Array(11) }), 'RECORD_OVERFLOW', 'record_overflow');
  });

  it('refuses zero-length handshake and alert fragments (RFC 8446 §5.1)', () => {
    for (const type of [ContentType.handshake, ContentType.alert]) {
      expectProtocolError(
        () => new PlaintextOpener().open({ type, version: 0x0303, fragment: new Uint8Array(0) }),
        'UNEXPECTED_MESSAGE',
        'unexpected_message',
      );
    }
  });
});
