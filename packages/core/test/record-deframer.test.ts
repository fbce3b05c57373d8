/**
 * RecordDeframer (RFC 8446 §5.1): records out of a byte stream in any chunking, header checks before the body
 * arrives, and views rather than copies where a record lies within one chunk.
 */
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, ProtocolError } from '@tlsbio/errors';
import { ContentType } from '../src/msgs/registry.js';
import {
  MAX_TLS12_CIPHERTEXT_LENGTH,
  MAX_TLS13_CIPHERTEXT_LENGTH,
  RecordDeframer,
  type RawRecord,
} from '../src/record/index.js';

function record(type: number, version: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(5 + body.length);
  out.set([type, version >> 8, version & 0xff, body.length >> 8, body.length & 0xff]);
  out.set(body, 5);
  return out;
}

function body(length: number, seed: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i * 31 + seed) & 0xff);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** A mix of records: empty, tiny, mid-sized, a full TLS 1.2 ciphertext, several types and versions. */
const RECORDS: Array<{ type: number; version: number; body: Uint8Array }> = [
  { type: ContentType.handshake, version: 0x0301, body: body(200, 1) },
  { type: ContentType.change_cipher_spec, version: 0x0303, body: Uint8Array.of(1) },
  { type: ContentType.application_data, version: 0x0303, body: new Uint8Array(0) },
  { type: ContentType.application_data, version: 0x0303, body: body(MAX_TLS12_CIPHERTEXT_LENGTH, 2) },
  { type: ContentType.alert, version: 0x0303, body: Uint8Array.of(2, 40) },
  { type: ContentType.application_data, version: 0x0303, body: body(3000, 3) },
  { type: ContentType.handshake, version: 0x0303, body: body(7, 4) },
];
const STREAM = concat(RECORDS.map((r) => record(r.type, r.version, r.body)));

function drain(deframer: RecordDeframer, into: RawRecord[]): void {
  for (let next = deframer.next(); next !== null; next = deframer.next()) into.push(next);
}

function expectRecords(got: RawRecord[]): void {
  expect(got.length).toBe(RECORDS.length);
  got.forEach((r, i) => {
    const want = RECORDS[i]!;
    expect(r.type).toBe(want.type);
    expect(r.version).toBe(want.version);
    expect(r.fragment.length).toBe(want.body.length);
    expect(Buffer.compare(Buffer.from(r.fragment), Buffer.from(want.body))).toBe(0);
  });
}

/** Feeds `stream` in chunks whose sizes come from `sizes` (cycled), draining after each feed. */
function feedInChunks(stream: Uint8Array, sizes: number[]): RawRecord[] {
  const deframer = new RecordDeframer();
  const got: RawRecord[] = [];
  let i = 0;
  for (let offset = 0; offset < stream.length; i++) {
    const size = sizes[i % sizes.length]!;
    deframer.feed(stream.subarray(offset, offset + size));
    offset += size;
    drain(deframer, got);
  }
  expect(deframer.buffered).toBe(0);
  expect(deframer.next()).toBeNull();
  return got;
}

function expectProtocolError(fn: () => unknown, reason: string, alert: string): void {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(ProtocolError.isInstance(caught), `expected ProtocolError ${reason}, got ${String(caught)}`).toBe(true);
  expect((caught as ProtocolError).reason).toBe(reason);
  expect((caught as ProtocolError).alert?.name).toBe(alert);
  expect((caught as ProtocolError).fault).toBe('remote');
}

describe('RecordDeframer', () => {
  it('splits one coalesced chunk into records, handing out views of it', () => {
    const deframer = new RecordDeframer();
    deframer.feed(STREAM);
    expect(deframer.buffered).toBe(STREAM.length);
    const got: RawRecord[] = [];
    drain(deframer, got);
    expectRecords(got);
    for (const r of got) expect(r.fragment.buffer).toBe(STREAM.buffer); // views, not copies
    expect(deframer.buffered).toBe(0);
  });

  it('reassembles records fed one byte at a time', () => {
    expectRecords(feedInChunks(STREAM, [1]));
  });

  it('reassembles records from irregular chunks, small and large', () => {
    expectRecords(feedInChunks(STREAM, [3, 700, 1, 5, 4096, 2, 257, 256, 16000, 9]));
    expectRecords(feedInChunks(STREAM, [5]));
    expectRecords(feedInChunks(STREAM, [4, 6]));
    expectRecords(feedInChunks(STREAM, [255, 1, 300, 256]));
  });

  it('does not keep a chunk object per byte when fed a trickle', () => {
    // A peer sending one byte per segment: the deframer coalesces small chunks, and the record still comes out.
    const stream = record(ContentType.application_data, 0x0303, body(10000, 9));
    const deframer = new RecordDeframer();
    for (let i = 0; i < stream.length - 1; i++) deframer.feed(stream.subarray(i, i + 1));
    expect(deframer.next()).toBeNull();
    expect(deframer.buffered).toBe(stream.length - 1);
    deframer.feed(stream.subarray(stream.length - 1));
    const got = deframer.next();
    expect(got?.fragment.length).toBe(10000);
    expect(Buffer.compare(Buffer.from(got!.fragment), Buffer.from(body(10000, 9)))).toBe(0);
  });

  it('keeps views handed out earlier intact while later bytes arrive', () => {
    const a = record(ContentType.handshake, 0x0303, body(10, 1));
    const b = record(ContentType.handshake, 0x0303, body(10, 2));
    const deframer = new RecordDeframer();
    for (const byte of a) deframer.feed(Uint8Array.of(byte));
    const first = deframer.next()!;
    for (const byte of b) deframer.feed(Uint8Array.of(byte));
    const second = deframer.next()!;
    expect(Array.from(first.fragment)).toEqual(Array.from(body(10, 1)));
    expect(Array.from(second.fragment)).toEqual(Array.from(body(10, 2)));
  });

  it('returns null until the header and then the whole body are in', () => {
    const deframer = new RecordDeframer();
    const bytes = record(ContentType.handshake, 0x0303, body(10, 1));
    deframer.feed(bytes.subarray(0, 4));
    expect(deframer.next()).toBeNull();
    deframer.feed(bytes.subarray(4, 14));
    expect(deframer.next()).toBeNull();
    expect(deframer.buffered).toBe(14);
    deframer.feed(bytes.subarray(14));
    expect(deframer.next()?.fragment.length).toBe(10);
  });

  it('refuses an oversized record from its header alone, before the body arrives', () => {
    const deframer = new RecordDeframer();
    deframer.feed(Uint8Array.of(0x17, 0x03, 0x03, 0x4e, 0x20)); // 20000 bytes announced
    expectProtocolError(() => deframer.next(), 'RECORD_OVERFLOW', 'record_overflow');
    // The error sticks: the stream cannot be resynchronised.
    expectProtocolError(() => deframer.next(), 'RECORD_OVERFLOW', 'record_overflow');
  });

  it('refuses an oversized header delivered one byte at a time, on its fifth byte', () => {
    const deframer = new RecordDeframer();
    const header = [0x17, 0x03, 0x03, 0x4e, 0x20];
    for (const byte of header.slice(0, 4)) {
      deframer.feed(Uint8Array.of(byte));
      expect(deframer.next()).toBeNull();
    }
    deframer.feed(Uint8Array.of(header[4]!));
    expectProtocolError(() => deframer.next(), 'RECORD_OVERFLOW', 'record_overflow');
  });

  it('accepts exactly the limit, and enforces a lowered limit (TLS 1.3) on the record in progress', () => {
    const atLimit = new RecordDeframer();
    const length = MAX_TLS12_CIPHERTEXT_LENGTH;
    atLimit.feed(Uint8Array.of(0x17, 0x03, 0x03, length >> 8, length & 0xff));
    expect(atLimit.next()).toBeNull(); // waiting for the body, no error
    atLimit.maxFragmentLength = MAX_TLS13_CIPHERTEXT_LENGTH;
    expectProtocolError(() => atLimit.next(), 'RECORD_OVERFLOW', 'record_overflow');

    const tls13 = new RecordDeframer({ maxFragmentLength: MAX_TLS13_CIPHERTEXT_LENGTH });
    expect(tls13.maxFragmentLength).toBe(MAX_TLS13_CIPHERTEXT_LENGTH);
    const ok = MAX_TLS13_CIPHERTEXT_LENGTH;
    tls13.feed(Uint8Array.of(0x17, 0x03, 0x03, ok >> 8, ok & 0xff));
    tls13.feed(new Uint8Array(ok));
    expect(tls13.next()?.fragment.length).toBe(ok);
    tls13.feed(Uint8Array.of(0x17, 0x03, 0x03, (ok + 1) >> 8, (ok + 1) & 0xff));
    expectProtocolError(() => tls13.next(), 'RECORD_OVERFLOW', 'record_overflow');
  });

  it('reports bytes that are not TLS as WRONG_VERSION_NUMBER (an HTTP request on a TLS port)', () => {
    const deframer = new RecordDeframer();
    deframer.feed(new TextEncoder().encode('GET / HTTP/1.1\r\nHost: example.com\r\n\r\n'));
    expectProtocolError(() => deframer.next(), 'WRONG_VERSION_NUMBER', 'protocol_version');
    // Version 2.0 or 4.x with a valid type: still not TLS.
    for (const major of [2, 4, 0]) {
      const other = new RecordDeframer();
      other.feed(Uint8Array.of(0x16, major, 0x01, 0x00, 0x01, 0x01));
      expectProtocolError(() => other.next(), 'WRONG_VERSION_NUMBER', 'protocol_version');
    }
  });

  it('accepts any 3.x legacy_record_version (RFC 8446 §5.1 ignores it)', () => {
    for (const minor of [0, 1, 3, 4, 0xff]) {
      const deframer = new RecordDeframer();
      deframer.feed(Uint8Array.of(0x16, 0x03, minor, 0x00, 0x01, 0x01));
      expect(deframer.next()?.version).toBe(0x0300 | minor);
    }
  });

  it('refuses unknown content types with unexpected_message', () => {
    for (const type of [0, 19, 24, 0x80, 0xff]) {
      const deframer = new RecordDeframer();
      deframer.feed(Uint8Array.of(type, 0x03, 0x03, 0x00, 0x01, 0x00));
      expectProtocolError(() => deframer.next(), 'UNEXPECTED_RECORD', 'unexpected_message');
    }
  });

  it('validates its arguments', () => {
    expect(new RecordDeframer().maxFragmentLength).toBe(MAX_TLS12_CIPHERTEXT_LENGTH);
    expect(() => new RecordDeframer({ maxFragmentLength: -1 })).toThrow(InvalidArgumentError);
    expect(() => new RecordDeframer({ maxFragmentLength: 0x10000 })).toThrow(InvalidArgumentError);
    const deframer = new RecordDeframer();
    expect(() => (deframer.maxFragmentLength = 1.5)).toThrow(InvalidArgumentError);
    expect(() => deframer.feed('bytes' as unknown as Uint8Array)).toThrow(InvalidArgumentError);
    deframer.feed(new Uint8Array(0));
    expect(deframer.buffered).toBe(0);
  });
});
