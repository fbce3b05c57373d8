import { InvalidArgumentError } from '@tlsbio/errors';
import { describe, expect, it } from 'vitest';
import { DerReader, TagClass, UniversalTag, decodeDer, decodeInteger } from '../src/asn1/der.js';
import {
  derBitString,
  derBoolean,
  derContextTag,
  derElement,
  derInteger,
  derNull,
  derOctetString,
  derOid,
  derSequence,
} from '../src/asn1/der-writer.js';

const hex = (text: string): Uint8Array =>
  Uint8Array.from(text.replace(/\s+/g, '').match(/../g) ?? [], (pair) => parseInt(pair, 16));
const toHex = (bytes: Uint8Array): string => Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');

/** Runs `body` and returns the InvalidArgumentError it throws (failing the test if it throws anything else). */
function failure(body: () => unknown): InvalidArgumentError {
  try {
    body();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidArgumentError);
    return error as InvalidArgumentError;
  }
  throw new Error('expected an InvalidArgumentError');
}

function expectBadDer(bytes: Uint8Array, body: (reader: DerReader) => unknown, message?: RegExp): void {
  const error = failure(() => decodeDer(bytes, 'input', body));
  expect(error.reason).toBe('BAD_DER');
  expect(error.argument).toBe('input');
  expect(error.message).toMatch(/^input: /);
  if (message) expect(error.message).toMatch(message);
}

const anything = (reader: DerReader) => reader.read();

describe('DER lengths and tags', () => {
  it('reads short and long definite lengths', () => {
    const short = decodeDer(hex('04 03 010203'), 'x', (r) => r.octetString('o'));
    expect(toHex(short)).toBe('010203');
    const content = new Uint8Array(200).fill(7);
    const long = decodeDer(Uint8Array.from([0x04, 0x81, 200, ...content]), 'x', (r) => r.octetString('o'));
    expect(long).toEqual(content);
    const longer = new Uint8Array(300).fill(9);
    const two = decodeDer(Uint8Array.from([0x04, 0x82, 0x01, 0x2c, ...longer]), 'x', (r) => r.octetString('o'));
    expect(two).toEqual(longer);
  });

  it('rejects non-minimal lengths', () => {
    expectBadDer(hex('04 81 03 010203'), anything, /non-minimal length/); // long form for 3
    expectBadDer(Uint8Array.from([0x04, 0x82, 0x00, 0x80, ...new Uint8Array(128)]), anything, /non-minimal length/);
  });

  it('rejects indefinite lengths and end-of-contents markers (BER)', () => {
    expectBadDer(hex('30 80 0500 0000'), anything, /indefinite/);
    expectBadDer(hex('00 00'), anything, /end-of-contents/);
  });

  it('rejects the reserved length octet and lengths past the input', () => {
    expectBadDer(hex('04 ff 00'), anything, /length too large/);
    expectBadDer(hex('04 05 0102'), anything, /truncated/);
    expectBadDer(hex('04 82 01'), anything, /truncated length/);
    expectBadDer(hex('04'), anything, /missing length/);
    expectBadDer(new Uint8Array(0), anything, /truncated/);
  });

  it('rejects trailing bytes, at the top and inside a SEQUENCE', () => {
    expectBadDer(hex('05 00 00'), (r) => r.null('n'), /unexpected byte/);
    expectBadDer(hex('30 04 0500 0500'), (r) => r.sequence('s', (s) => s.null('n')), /after s/);
  });

  it('reads high tag numbers and rejects non-minimal ones', () => {
    const element = decodeDer(hex('9f 81 00 01 2a'), 'x', anything); // [128] primitive
    expect(element.tagClass).toBe(TagClass.contextSpecific);
    expect(element.tagNumber).toBe(128);
    expect(toHex(element.value)).toBe('2a');
    expectBadDer(hex('9f 80 81 00 00'), anything, /non-minimal tag/);
    expectBadDer(hex('9f 1e 00'), anything, /below 31/);
    expectBadDer(hex('9f 81'), anything, /truncated tag/);
    expectBadDer(hex('9f ff ff ff ff 01 00'), anything, /tag number too large/);
  });

  it('requires the DER form of universal types', () => {
    expectBadDer(hex('24 03 040100'), anything, /OCTET STRING must be primitive/); // constructed OCTET STRING (BER)
    expectBadDer(hex('10 00'), anything, /SEQUENCE must be constructed/);
  });

  it('reports the offset and a wrong tag by name', () => {
    const message = /expected INTEGER \(version\), found OCTET STRING \(DER offset 2\)/;
    expectBadDer(hex('30 03 04 01 00'), (r) => r.sequence('s', (s) => s.integer('version')), message);
  });
});

describe('DER INTEGER', () => {
  it('reads minimal encodings and their unsigned values', () => {
    expect(decodeDer(hex('02 01 00'), 'x', (r) => r.smallInteger('i'))).toBe(0);
    expect(decodeDer(hex('02 02 00 80'), 'x', (r) => r.smallInteger('i'))).toBe(128);
    expect(decodeDer(hex('02 03 01 00 01'), 'x', (r) => r.smallInteger('i'))).toBe(65537);
    expect(toHex(decodeDer(hex('02 03 00 ff 01'), 'x', (r) => r.unsignedInteger('i')))).toBe('ff01');
    expect(toHex(decodeDer(hex('02 01 80'), 'x', (r) => r.integer('i')))).toBe('80'); // -128, two's complement
  });

  it('rejects non-minimal, empty and (where unsigned) negative integers', () => {
    expectBadDer(hex('02 02 00 7f'), (r) => r.integer('i'), /non-minimal INTEGER/);
    expectBadDer(hex('02 02 ff 80'), (r) => r.integer('i'), /non-minimal INTEGER/);
    expectBadDer(hex('02 00'), (r) => r.integer('i'), /empty/);
    expectBadDer(hex('02 01 ff'), (r) => r.unsignedInteger('i'), /negative/);
    expectBadDer(hex('02 07 01 00 00 00 00 00 00'), (r) => r.smallInteger('i'), /too large/);
  });

  it('writes minimal integers', () => {
    expect(toHex(derInteger(0))).toBe('020100');
    expect(toHex(derInteger(127))).toBe('02017f');
    expect(toHex(derInteger(128))).toBe('02020080');
    expect(toHex(derInteger(65537))).toBe('0203010001');
    expect(toHex(derInteger(hex('00 00 ff 01')))).toBe('020300ff01');
    expect(toHex(derInteger(new Uint8Array(0)))).toBe('020100');
    expect(() => derInteger(-1)).toThrow(InvalidArgumentError);
  });

  it('round-trips random magnitudes through writer and reader', () => {
    let seed = 12345;
    const next = () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
    for (let i = 0; i < 200; i++) {
      const magnitude = Uint8Array.from({ length: 1 + (i % 40) }, next);
      const expected = magnitude.subarray(magnitude.findIndex((b) => b !== 0) >>> 0);
      const back = decodeDer(derInteger(magnitude), 'x', (r) => r.unsignedInteger('i'));
      expect(toHex(back)).toBe(magnitude.every((b) => b === 0) ? '' : toHex(expected));
    }
  });
});

describe('DER OBJECT IDENTIFIER', () => {
  it('decodes known encodings', () => {
    expect(decodeDer(hex('06 09 2a864886f70d010101'), 'x', (r) => r.oid('o'))).toBe('1.2.840.113549.1.1.1');
    expect(decodeDer(hex('06 03 2b6570'), 'x', (r) => r.oid('o'))).toBe('1.3.101.112');
    expect(decodeDer(hex('06 03 883703'), 'x', (r) => r.oid('o'))).toBe('2.999.3'); // X.690 §8.19.5 example
    expect(decodeDer(hex('06 01 00'), 'x', (r) => r.oid('o'))).toBe('0.0');
  });

  it('round-trips through the writer, including arcs beyond 2^53', () => {
    const oids = [
      '1.2.840.10045.3.1.7',
      '1.3.132.0.34',
      '2.5.29.17',
      '0.39',
      '1.39.4294967296',
      '2.25.329800735698586629295641978511506172918',
      '2.100000000000000000.1',
    ];
    for (const oid of oids) expect(decodeDer(derOid(oid), 'x', (r) => r.oid('o'))).toBe(oid);
    expect(toHex(derOid('2.999.3'))).toBe('0603883703');
  });

  it('rejects empty, truncated and non-minimal sub-identifiers', () => {
    expectBadDer(hex('06 00'), (r) => r.oid('o'), /empty/);
    expectBadDer(hex('06 02 2a 86'), (r) => r.oid('o'), /truncated sub-identifier/);
    expectBadDer(hex('06 03 2a 80 01'), (r) => r.oid('o'), /non-minimal sub-identifier/);
  });

  it('refuses to write malformed dotted strings', () => {
    for (const bad of ['1', '3.1', '1.40', '1.2.', '1.02', 'a.b']) {
      expect(() => derOid(bad)).toThrow(InvalidArgumentError);
    }
  });
});

describe('DER BIT STRING, OCTET STRING, NULL, BOOLEAN', () => {
  it('reads bit strings with and without unused bits', () => {
    expect(decodeDer(hex('03 03 00 abcd'), 'x', (r) => r.bitStringBytes('b'))).toEqual(hex('abcd'));
    const bits = decodeDer(hex('03 02 04 f0'), 'x', (r) => r.bitString('b'));
    expect(bits.unusedBits).toBe(4);
    expect(bits.bytes).toEqual(hex('f0'));
    expect(decodeDer(hex('03 01 00'), 'x', (r) => r.bitString('b')).bytes.length).toBe(0);
  });

  it('rejects malformed bit strings', () => {
    expectBadDer(hex('03 00'), (r) => r.bitString('b'), /unused-bits octet/);
    expectBadDer(hex('03 02 08 00'), (r) => r.bitString('b'), /8 unused bits/);
    expectBadDer(hex('03 01 03'), (r) => r.bitString('b'), /empty/);
    expectBadDer(hex('03 02 04 f8'), (r) => r.bitString('b'), /non-zero padding/); // X.690 §11.2.1
    expectBadDer(hex('03 02 04 f0'), (r) => r.bitStringBytes('b'), /whole number of bytes/);
  });

  it('reads BOOLEAN only as 0x00 or 0xFF', () => {
    expect(decodeDer(hex('01 01 ff'), 'x', (r) => r.boolean('b'))).toBe(true);
    expect(decodeDer(hex('01 01 00'), 'x', (r) => r.boolean('b'))).toBe(false);
    expectBadDer(hex('01 01 01'), (r) => r.boolean('b'), /0x00 or 0xFF/);
    expectBadDer(hex('01 02 0000'), (r) => r.boolean('b'), /0x00 or 0xFF/);
    expectBadDer(hex('01 00'), (r) => r.boolean('b'), /0x00 or 0xFF/);
  });

  it('reads NULL only when empty', () => {
    expect(() => decodeDer(hex('05 00'), 'x', (r) => r.null('n'))).not.toThrow();
    expectBadDer(hex('05 01 00'), (r) => r.null('n'), /must be empty/);
  });

  it('writes each type as DER', () => {
    expect(toHex(derNull())).toBe('0500');
    expect(toHex(derBoolean(true))).toBe('0101ff');
    expect(toHex(derBoolean(false))).toBe('010100');
    expect(toHex(derOctetString(hex('0102')))).toBe('04020102');
    expect(toHex(derBitString(hex('abcd')))).toBe('030300abcd');
    expect(toHex(derBitString(hex('ff'), 4))).toBe('030204f0'); // padding bits cleared
    expect(() => derBitString(new Uint8Array(0), 1)).toThrow(InvalidArgumentError);
    const octets = (length: number) =>
      toHex(derElement(TagClass.universal, false, UniversalTag.OCTET_STRING, new Uint8Array(length)));
    expect(octets(200).slice(0, 6)).toBe('0481c8');
    expect(octets(256).slice(0, 8)).toBe('04820100');
  });
});

describe('DER SEQUENCE, SET and context tags', () => {
  it('reads nested structures and checks each level for leftovers', () => {
    const der = derSequence(derInteger(1), derSequence(derOid('1.3.101.112')), derOctetString(hex('aa')));
    const result = decodeDer(der, 'x', (r) =>
      r.sequence('outer', (s) => ({
        version: s.smallInteger('version'),
        oid: s.sequence('alg', (a) => a.oid('algorithm')),
        key: s.octetString('key'),
      })),
    );
    expect(result).toEqual({ version: 1, oid: '1.3.101.112', key: hex('aa') });
    expect(decodeDer(hex('31 03 020105'), 'x', (r) => r.set('s', (s) => s.smallInteger('i')))).toBe(5);
  });

  it('reads optional explicit and implicit context tags', () => {
    const der = derSequence(
      derContextTag(0, derOid('1.2.840.10045.3.1.7')),
      derContextTag(1, hex('00 04'), { implicit: true }),
      derInteger(7),
    );
    expect(toHex(der)).toBe('3013a00a06082a8648ce3d030107810200040201' + '07');
    const result = decodeDer(der, 'x', (r) =>
      r.sequence('s', (s) => {
        const curve = s.explicit(0, 'params', (p) => p.oid('curve'));
        const absent = s.explicit(2, 'absent', (p) => p.read());
        const implicit = s.implicit(1, 'key');
        const missing = s.implicit(3, 'missing');
        return { curve, absent, implicit, missing, last: s.smallInteger('last') };
      }),
    );
    expect(result.curve).toBe('1.2.840.10045.3.1.7');
    expect(result.absent).toBeUndefined();
    expect(result.missing).toBeUndefined();
    expect(result.implicit?.value).toEqual(hex('0004'));
    expect(result.last).toBe(7);
  });

  it('decodes an implicitly tagged INTEGER with the shared value decoders', () => {
    const element = decodeDer(derContextTag(2, hex('00ff'), { implicit: true }), 'x', (r) => r.implicit(2, 'i'));
    expect(element && toHex(decodeInteger(element, 'x'))).toBe('00ff');
    const bad = decodeDer(derContextTag(2, hex('007f'), { implicit: true }), 'x', (r) => r.implicit(2, 'i'));
    expect(() => decodeInteger(bad!, 'x')).toThrow(/non-minimal/);
  });

  it('rejects a primitive explicit tag and an explicit tag wrapping two elements', () => {
    const readExplicit = (r: DerReader) => r.sequence('s', (s) => s.explicit(0, 'p', (p) => p.null('n')));
    expectBadDer(hex('30 03 80 01 00'), readExplicit, /must be constructed/);
    expectBadDer(hex('30 06 a0 04 0500 0500'), readExplicit, /after p/);
  });

  it('keeps the whole encoding of an element, for signatures', () => {
    const inner = derSequence(derInteger(3));
    const element = decodeDer(derSequence(inner, derNull()), 'x', (r) =>
      r.sequence('s', (s) => {
        const first = s.read();
        s.null('n');
        return first;
      }),
    );
    expect(element.encoded).toEqual(inner);
  });

  it('fails cleanly when a child reader is given a range outside the input', () => {
    expect(() => new DerReader(new Uint8Array(2), 'x', 1, 5)).toThrow(InvalidArgumentError);
  });
});
