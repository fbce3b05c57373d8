import { describe, expect, it } from 'vitest';
import { AlertDescription, InvalidArgumentError, ProtocolError } from '@tlsbio/errors';
import { ByteReader } from '../src/codec/reader.js';
import { ByteWriter } from '../src/codec/writer.js';

/** mulberry32: a small seeded generator, so every run exercises the same cases. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const int = (next: () => number, lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
const fromHex = (s: string) => new Uint8Array(s.match(/../g)?.map((x) => parseInt(x, 16)) ?? []);

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

function expectDecodeError(fn: () => unknown, messagePart?: string): ProtocolError {
  const error = thrown(fn);
  expect(error).toBeInstanceOf(ProtocolError);
  const e = error as ProtocolError;
  expect(e.reason).toBe('DECODE_ERROR');
  expect(e.fault).toBe('remote');
  expect(e.alert?.description).toBe(AlertDescription.decode_error);
  if (messagePart !== undefined) expect(e.message).toContain(messagePart);
  return e;
}

// A ClientHello-like sample with vectors of every prefix width, nested three deep.
interface Extension {
  type: number;
  data: Uint8Array;
}
interface Sample {
  version: number;
  random: Uint8Array;
  sessionId: Uint8Array;
  suites: number[];
  names: Uint8Array[]; // vector16 of vector8s inside an extension-like vector16
  extensions: Extension[];
  certificate: Uint8Array; // vector24
  ticketAge: number; // u32
  epoch: number; // u24
}

function encodeSample(s: Sample, w = new ByteWriter(16)): Uint8Array {
  w.u16(s.version, 'version');
  w.bytes(s.random, 'random');
  w.vector8((v) => v.bytes(s.sessionId), 'session_id');
  w.vector16((v) => s.suites.forEach((suite) => v.u16(suite)), 'cipher_suites');
  w.vector16((v) => {
    v.vector16((names) => s.names.forEach((name) => names.vector8((n) => n.bytes(name))));
    for (const ext of s.extensions) {
      v.u16(ext.type);
      v.vector16((d) => d.bytes(ext.data));
    }
  }, 'extensions');
  w.vector24((v) => v.bytes(s.certificate), 'certificate');
  w.u32(s.ticketAge);
  w.u24(s.epoch);
  return w.finish();
}

function decodeSample(bytes: Uint8Array): Sample {
  const r = new ByteReader(bytes, 'Sample');
  const version = r.u16('version');
  const random = r.bytes(32, 'random');
  const sessionId = r.vector8('session_id').rest();
  const suitesReader = r.vector16('cipher_suites');
  const suites: number[] = [];
  while (!suitesReader.atEnd) suites.push(suitesReader.u16('cipher_suite'));
  const exts = r.vector16('extensions');
  const namesReader = exts.vector16('names');
  const names: Uint8Array[] = [];
  while (!namesReader.atEnd) names.push(namesReader.vector8('name').rest());
  const extensions: Extension[] = [];
  while (!exts.atEnd) {
    const type = exts.u16('extension_type');
    const body = exts.vector16('extension_data');
    extensions.push({ type, data: body.rest() });
    body.expectEnd();
  }
  exts.expectEnd();
  const certificate = r.vector24('certificate').rest();
  const ticketAge = r.u32('ticket_age');
  const epoch = r.u24('epoch');
  r.expectEnd();
  return { version, random, sessionId, suites, names, extensions, certificate, ticketAge, epoch };
}

function randomBytes(next: () => number, length: number): Uint8Array {
  return new Uint8Array(length).map(() => int(next, 0, 255));
}

function randomSample(next: () => number): Sample {
  return {
    version: int(next, 0, 0xffff),
    random: randomBytes(next, 32),
    sessionId: randomBytes(next, int(next, 0, 32)),
    suites: Array.from({ length: int(next, 0, 5) }, () => int(next, 0, 0xffff)),
    names: Array.from({ length: int(next, 0, 3) }, () => randomBytes(next, int(next, 0, 12))),
    extensions: Array.from({ length: int(next, 0, 4) }, () => ({
      type: int(next, 0, 0xffff),
      data: randomBytes(next, int(next, 0, 20)),
    })),
    certificate: randomBytes(next, int(next, 0, 40)),
    ticketAge: int(next, 0, 0xffffffff),
    epoch: int(next, 0, 0xffffff),
  };
}

const fixedSample: Sample = {
  version: 0x0303,
  random: new Uint8Array(32).map((_, i) => i),
  sessionId: fromHex('aabbcc'),
  suites: [0x1301, 0x1302, 0x1303],
  names: [fromHex('01'), new Uint8Array(0)],
  extensions: [
    { type: 0x000a, data: fromHex('0004001d0017') },
    { type: 0x002b, data: new Uint8Array(0) },
  ],
  certificate: fromHex('3082'),
  ticketAge: 0xfedcba98,
  epoch: 0xabcdef,
};

describe('ByteWriter / ByteReader round trips', () => {
  it('encodes the fixed sample to the expected bytes', () => {
    const expected =
      '0303' +
      hex(fixedSample.random) +
      '03aabbcc' +
      '0006130113021303' +
      // extensions: names vector16 { vector8 01, vector8 empty }, then two extensions
      '0013' + '0003' + '0101' + '00' + '000a0006' + '0004001d0017' + '002b0000' +
      '0000023082' +
      'fedcba98' +
      'abcdef';
    expect(hex(encodeSample(fixedSample))).toBe(expected);
  });

  it('decodes what it encodes (fixed and seeded random samples)', () => {
    expect(decodeSample(encodeSample(fixedSample))).toEqual(fixedSample);
    const next = rng(1);
    for (let i = 0; i < 200; i++) {
      const sample = randomSample(next);
      expect(decodeSample(encodeSample(sample))).toEqual(sample);
    }
  });

  it('reads integers big-endian and unsigned at their maximum values', () => {
    const w = new ByteWriter();
    w.u8(0xff).u16(0xffff).u24(0xffffff).u32(0xffffffff).u32(0x80000000).u8(0);
    const r = new ByteReader(w.finish());
    expect(r.u8()).toBe(0xff);
    expect(r.u16()).toBe(0xffff);
    expect(r.u24()).toBe(0xffffff);
    expect(r.u32()).toBe(0xffffffff);
    expect(r.u32()).toBe(0x80000000);
    expect(r.u8()).toBe(0);
    expect(r.atEnd).toBe(true);
  });
});

describe('ByteReader bounds', () => {
  it('every truncation of the sample is a DECODE_ERROR', () => {
    const encoded = encodeSample(fixedSample);
    for (let cut = 0; cut < encoded.length; cut++) {
      expectDecodeError(() => decodeSample(encoded.subarray(0, cut)));
    }
  });

  it('trailing bytes after the sample are a DECODE_ERROR naming the reader', () => {
    const encoded = encodeSample(fixedSample);
    const longer = new Uint8Array(encoded.length + 1);
    longer.set(encoded);
    expectDecodeError(() => decodeSample(longer), 'Sample must be empty at end: 1 trailing byte');
  });

  it('a sub-reader cannot read past its body, and the parent resumes after it', () => {
    const r = new ByteReader(fromHex('02aabbcc'), 'Outer');
    const body = r.vector8('inner');
    expect(body.remaining).toBe(2);
    expect(body.label).toBe('Outer.inner');
    expectDecodeError(() => body.bytes(3), 'Outer.inner: truncated bytes (needs 3 byte(s), 2 remain)');
    expectDecodeError(() => body.u24());
    expect(body.u16()).toBe(0xaabb); // the failed reads consumed nothing
    expectDecodeError(() => body.u8('tail'), 'truncated tail');
    expect(r.u8()).toBe(0xcc);
    expect(r.atEnd).toBe(true);
  });

  it('reading past the end never yields undefined, for every width', () => {
    for (const read of [
      (r: ByteReader) => r.u8(),
      (r: ByteReader) => r.u16(),
      (r: ByteReader) => r.u24(),
      (r: ByteReader) => r.u32(),
      (r: ByteReader) => r.bytes(1),
      (r: ByteReader) => r.vector8(),
      (r: ByteReader) => r.vector16(),
      (r: ByteReader) => r.vector24(),
    ]) {
      expectDecodeError(() => read(new ByteReader(new Uint8Array(0))));
    }
    expectDecodeError(() => new ByteReader(fromHex('ff')).u16());
    expectDecodeError(() => new ByteReader(fromHex('ffff')).u24());
    expectDecodeError(() => new ByteReader(fromHex('ffffff')).u32());
  });

  it('a length prefix longer than the data names the vector', () => {
    expectDecodeError(() => new ByteReader(fromHex('0005aabb'), 'ClientHello').vector16('cipher_suites'),
      'ClientHello: truncated cipher_suites (needs 5 byte(s), 2 remain)');
    expectDecodeError(() => new ByteReader(fromHex('00'), 'ClientHello').vector16('cipher_suites'),
      'ClientHello: truncated cipher_suites length');
    expectDecodeError(() => new ByteReader(fromHex('000003aabb')).vector24());
  });

  it('bytes(n) and rest() return views of the input, not copies', () => {
    const input = fromHex('0102030405');
    const r = new ByteReader(input);
    r.u8();
    const two = r.bytes(2);
    const rest = r.rest();
    expect(two.buffer).toBe(input.buffer);
    expect(two.byteOffset).toBe(1);
    expect(rest).toEqual(fromHex('0405'));
    expect(rest.buffer).toBe(input.buffer);
    expect(r.atEnd).toBe(true);
    expect(r.position).toBe(5);
    expect(r.rest().length).toBe(0);
    expect(r.bytes(0).length).toBe(0);
  });

  it('expectEnd names what it was given', () => {
    const r = new ByteReader(fromHex('00'));
    expectDecodeError(() => r.expectEnd('ServerHello.extensions'), 'ServerHello.extensions must be empty at end');
    r.u8();
    expect(() => r.expectEnd()).not.toThrow();
  });

  it('a bad byte count is a local bug, not a decode error', () => {
    const r = new ByteReader(fromHex('0000'));
    for (const n of [-1, 1.5, Number.NaN]) {
      expect(thrown(() => r.bytes(n))).toBeInstanceOf(InvalidArgumentError);
    }
  });
});

describe('ByteReader under mutation (seeded property test)', () => {
  /** Only DECODE_ERROR may escape, and a successful decode must re-encode to exactly the input. */
  function check(input: Uint8Array): 'ok' | 'rejected' {
    let decoded: Sample;
    try {
      decoded = decodeSample(input);
    } catch (error) {
      expect(error).toBeInstanceOf(ProtocolError);
      expect((error as ProtocolError).reason).toBe('DECODE_ERROR');
      return 'rejected';
    }
    expect(hex(encodeSample(decoded))).toBe(hex(input));
    return 'ok';
  }

  function mutate(next: () => number, input: Uint8Array): Uint8Array {
    const out = Array.from(input);
    const edits = int(next, 1, 3);
    for (let i = 0; i < edits; i++) {
      const at = int(next, 0, Math.max(0, out.length - 1));
      switch (int(next, 0, 5)) {
        case 0: out[at] = int(next, 0, 255); break; // random byte
        case 1: out[at] = next() < 0.5 ? 0x00 : 0xff; break; // extreme length byte
        case 2: out.splice(at, 1); break; // delete
        case 3: out.splice(at, 0, int(next, 0, 255)); break; // insert
        case 4: out.length = at; break; // truncate
        default: out[at] = ((out[at] ?? 0) + (next() < 0.5 ? 1 : -1)) & 0xff; // off by one
      }
    }
    return new Uint8Array(out);
  }

  it('mutated and truncated samples only ever raise DECODE_ERROR', () => {
    const next = rng(2024);
    const outcomes = { ok: 0, rejected: 0 };
    for (let i = 0; i < 3000; i++) {
      const original = encodeSample(randomSample(next));
      outcomes[check(mutate(next, original))] += 1;
    }
    // Both paths are exercised: many mutations are caught, some (payload bytes) still decode.
    expect(outcomes.rejected).toBeGreaterThan(1000);
    expect(outcomes.ok).toBeGreaterThan(100);
  });

  it('arbitrary read sequences over random bytes only ever raise DECODE_ERROR', () => {
    const next = rng(7);
    let rejected = 0;
    for (let i = 0; i < 2000; i++) {
      const input = randomBytes(next, int(next, 0, 64));
      const readers = [new ByteReader(input, 'fuzz')];
      try {
        for (let op = 0; op < 30; op++) {
          const r = readers[int(next, 0, readers.length - 1)] as ByteReader;
          const before = r.remaining;
          switch (int(next, 0, 9)) {
            case 0: expect(r.u8()).toBeLessThanOrEqual(0xff); break;
            case 1: expect(r.u16()).toBeLessThanOrEqual(0xffff); break;
            case 2: expect(r.u24()).toBeLessThanOrEqual(0xffffff); break;
            case 3: expect(r.u32()).toBeGreaterThanOrEqual(0); break;
            case 4: expect(r.bytes(int(next, 0, 8)).length).toBeLessThanOrEqual(before); break;
            case 5: readers.push(r.vector8()); break;
            case 6: readers.push(r.vector16()); break;
            case 7: readers.push(r.vector24()); break;
            case 8: r.expectEnd(); break;
            default: r.rest();
          }
          expect(r.remaining).toBeGreaterThanOrEqual(0);
          expect(r.remaining).toBeLessThanOrEqual(before);
        }
      } catch (error) {
        if (!(error instanceof ProtocolError)) throw error;
        expect(error.reason).toBe('DECODE_ERROR');
        rejected += 1;
      }
    }
    expect(rejected).toBeGreaterThan(1000);
  });
});

describe('ByteWriter', () => {
  it('back-patches nested length prefixes of every width', () => {
    const w = new ByteWriter(1);
    w.vector24((a) => a.vector16((b) => b.vector8((c) => c.u8(0x42)).u16(0x0102)));
    expect(hex(w.finish())).toBe('000006' + '0004' + '0142' + '0102');
  });

  it('accepts a body of exactly the prefix maximum and rejects one byte more, rolling back', () => {
    const w = new ByteWriter();
    w.u8(0x99);
    w.vector8((v) => v.bytes(new Uint8Array(255)));
    expect(w.length).toBe(1 + 1 + 255);

    const error = thrown(() => w.vector8((v) => v.bytes(new Uint8Array(256)), 'session_id'));
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).reason).toBe('LENGTH_OVERFLOW');
    expect((error as InvalidArgumentError).argument).toBe('session_id');
    expect(w.length).toBe(257); // the failed vector left nothing behind

    w.u8(0x77);
    const out = w.finish();
    expect(out.length).toBe(258);
    expect(out[1]).toBe(255);
    expect(out[257]).toBe(0x77);
  });

  it('overflows a 16-bit and a 24-bit prefix at the right length', () => {
    const w = new ByteWriter();
    w.vector16((v) => v.bytes(new Uint8Array(0xffff)));
    expect(w.length).toBe(2 + 0xffff);
    expect((thrown(() => w.vector16((v) => v.bytes(new Uint8Array(0x10000)))) as InvalidArgumentError).reason).toBe(
      'LENGTH_OVERFLOW',
    );
    expect(w.length).toBe(2 + 0xffff);

    const big = new ByteWriter();
    expect((thrown(() => big.vector24((v) => v.bytes(new Uint8Array(0x1000000)))) as InvalidArgumentError).reason).toBe(
      'LENGTH_OVERFLOW',
    );
    expect(big.length).toBe(0);
  });

  it('an overflow detected in an inner vector leaves the outer one consistent', () => {
    const w = new ByteWriter();
    w.vector16((outer) => {
      outer.u8(1);
      expect(() => outer.vector8((inner) => inner.bytes(new Uint8Array(300)))).toThrow(InvalidArgumentError);
      outer.u8(2);
    });
    expect(hex(w.finish())).toBe('00020102');
  });

  it('an exception from the body callback rolls the vector back', () => {
    const w = new ByteWriter();
    w.u8(5);
    expect(() =>
      w.vector16((v) => {
        v.u16(0xbeef);
        throw new Error('callback failed');
      }),
    ).toThrow('callback failed');
    w.u8(6);
    expect(hex(w.finish())).toBe('0506');
  });

  it('rejects out-of-range integers as local errors', () => {
    const w = new ByteWriter();
    const cases: [(v: number) => unknown, number][] = [
      [(v) => w.u8(v), 0x100],
      [(v) => w.u16(v), 0x10000],
      [(v) => w.u24(v), 0x1000000],
      [(v) => w.u32(v), 0x100000000],
      [(v) => w.u8(v), -1],
      [(v) => w.u16(v), 1.5],
      [(v) => w.u32(v), Number.NaN],
    ];
    for (const [write, value] of cases) expect(thrown(() => write(value))).toBeInstanceOf(InvalidArgumentError);
    expect(thrown(() => w.bytes([1, 2] as unknown as Uint8Array))).toBeInstanceOf(InvalidArgumentError);
    expect(w.length).toBe(0);
  });

  it('grows from a tiny buffer through large and many small writes without losing bytes', () => {
    const next = rng(99);
    const w = new ByteWriter(0);
    const chunks: Uint8Array[] = [];
    let total = 0;
    while (total < 1 << 20) {
      const chunk = randomBytes(next, int(next, 0, 700));
      chunks.push(chunk);
      w.bytes(chunk);
      total += chunk.length;
    }
    const large = randomBytes(next, 3 << 20);
    w.bytes(large);
    const out = w.finish();
    expect(out.length).toBe(total + large.length);
    // Compared with Buffer.equals: vitest's element-wise toEqual takes seconds on megabytes.
    const expected = Buffer.concat([...chunks, large]);
    expect(Buffer.from(out.buffer, out.byteOffset, out.length).equals(expected)).toBe(true);
  });

  it('is retired by finish()', () => {
    const w = new ByteWriter();
    w.u8(1);
    expect(w.finish()).toEqual(new Uint8Array([1]));
    expect(thrown(() => w.finish())).toBeInstanceOf(InvalidArgumentError);
    expect(thrown(() => w.u8(2))).toBeInstanceOf(InvalidArgumentError);
  });

  it('rejects a bad initial capacity', () => {
    expect(thrown(() => new ByteWriter(-1))).toBeInstanceOf(InvalidArgumentError);
    expect(thrown(() => new ByteWriter(2.5))).toBeInstanceOf(InvalidArgumentError);
  });
});
