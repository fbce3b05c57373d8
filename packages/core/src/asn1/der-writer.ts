/**
 * A minimal DER writer: just enough to build SubjectPublicKeyInfo and similar small structures. Each function
 * returns one complete TLV; compose them by nesting calls. Output is always DER (minimal lengths and integers).
 */
import { InvalidArgumentError } from '@tlsbio/errors';
import { TagClass, UniversalTag } from './der.js';

/**
 * One TLV with a low tag number (below 31, which covers every universal type and the context tags keys use).
 * @throws InvalidArgumentError (`INVALID_ARGUMENT`) for a tag number outside 0..30.
 */
export function derElement(
  tagClass: TagClass,
  constructed: boolean,
  tagNumber: number,
  contents: Uint8Array,
): Uint8Array {
  if (!Number.isInteger(tagNumber) || tagNumber < 0 || tagNumber > 30) {
    throw new InvalidArgumentError('tagNumber', 'INVALID_ARGUMENT', 'must be an integer from 0 to 30');
  }
  const length = contents.length;
  // X.690 §10.1: the short form below 128, otherwise the fewest length octets.
  const lengthOctets: number[] = [];
  if (length < 0x80) {
    lengthOctets.push(length);
  } else {
    for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) lengthOctets.unshift(rest % 256);
    lengthOctets.unshift(0x80 | lengthOctets.length);
  }
  const out = new Uint8Array(1 + lengthOctets.length + length);
  out[0] = (tagClass << 6) | (constructed ? 0x20 : 0) | tagNumber;
  out.set(lengthOctets, 1);
  out.set(contents, 1 + lengthOctets.length);
  return out;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const part of parts) total += part.length;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** A SEQUENCE of already-encoded elements. */
export function derSequence(...elements: Uint8Array[]): Uint8Array {
  return derElement(TagClass.universal, true, UniversalTag.SEQUENCE, concat(elements));
}

/**
 * A non-negative INTEGER from a big-endian magnitude (leading zeros allowed, and dropped) or a safe integer.
 * A zero byte is prefixed when the top bit is set, so the value stays positive (X.690 §8.3).
 * @throws InvalidArgumentError (`INVALID_ARGUMENT`) for a negative or non-integer number.
 */
export function derInteger(value: Uint8Array | number): Uint8Array {
  let magnitude: Uint8Array;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new InvalidArgumentError('value', 'INVALID_ARGUMENT', 'must be a non-negative safe integer');
    }
    const octets: number[] = [];
    for (let rest = value; rest > 0; rest = Math.floor(rest / 256)) octets.unshift(rest % 256);
    magnitude = Uint8Array.from(octets);
  } else {
    let start = 0;
    while (start < value.length && value[start] === 0) start++;
    magnitude = value.subarray(start);
  }
  const needsZero = magnitude.length === 0 || (magnitude[0] as number) >= 0x80;
  const contents = new Uint8Array(magnitude.length + (needsZero ? 1 : 0));
  contents.set(magnitude, needsZero ? 1 : 0);
  return derElement(TagClass.universal, false, UniversalTag.INTEGER, contents);
}

/**
 * An OBJECT IDENTIFIER from dotted decimal, e.g. `'1.3.101.112'` (X.690 §8.19).
 * @throws InvalidArgumentError (`INVALID_ARGUMENT`) for a malformed dotted string.
 */
export function derOid(dotted: string): Uint8Array {
  const parts = dotted.split('.');
  if (parts.length < 2 || parts.some((part) => !/^(0|[1-9][0-9]*)$/.test(part))) {
    throw new InvalidArgumentError('oid', 'INVALID_ARGUMENT', `not a dotted OID: ${dotted}`);
  }
  const arcs = parts.map((part) => BigInt(part));
  const [first, second] = arcs as [bigint, bigint];
  if (first > 2n || (first < 2n && second >= 40n)) {
    throw new InvalidArgumentError('oid', 'INVALID_ARGUMENT', `invalid first arcs in ${dotted}`);
  }
  const octets: number[] = [];
  for (const arc of [first * 40n + second, ...arcs.slice(2)]) {
    const group: number[] = [Number(arc & 0x7fn)];
    for (let rest = arc >> 7n; rest > 0n; rest >>= 7n) group.unshift(Number(rest & 0x7fn) | 0x80);
    octets.push(...group);
  }
  return derElement(TagClass.universal, false, UniversalTag.OBJECT_IDENTIFIER, Uint8Array.from(octets));
}

/**
 * A BIT STRING of whole bytes, or with `unusedBits` (0–7) padding bits at the end of the last byte.
 * @throws InvalidArgumentError (`INVALID_ARGUMENT`) for an invalid `unusedBits`.
 */
export function derBitString(bytes: Uint8Array, unusedBits = 0): Uint8Array {
  if (!Number.isInteger(unusedBits) || unusedBits < 0 || unusedBits > 7 || (bytes.length === 0 && unusedBits !== 0)) {
    throw new InvalidArgumentError('unusedBits', 'INVALID_ARGUMENT', 'must be 0 to 7, and 0 for an empty string');
  }
  const contents = new Uint8Array(bytes.length + 1);
  contents[0] = unusedBits;
  contents.set(bytes, 1);
  // DER requires the padding bits to be zero (X.690 §11.2.1).
  if (unusedBits !== 0) contents[bytes.length] = (contents[bytes.length] as number) & ~((1 << unusedBits) - 1);
  return derElement(TagClass.universal, false, UniversalTag.BIT_STRING, contents);
}

/** An OCTET STRING. */
export function derOctetString(bytes: Uint8Array): Uint8Array {
  return derElement(TagClass.universal, false, UniversalTag.OCTET_STRING, bytes);
}

/** A NULL. */
export function derNull(): Uint8Array {
  return derElement(TagClass.universal, false, UniversalTag.NULL, new Uint8Array(0));
}

/** A BOOLEAN, as DER spells it: 0xFF or 0x00. */
export function derBoolean(value: boolean): Uint8Array {
  return derElement(TagClass.universal, false, UniversalTag.BOOLEAN, Uint8Array.of(value ? 0xff : 0x00));
}

/**
 * A context-specific tag `[tagNumber]`. EXPLICIT (the default): `content` is one complete element, wrapped in a
 * constructed tag. IMPLICIT: `content` is the contents octets of the replaced type, and `constructed` must match
 * that type (false for INTEGER, BIT STRING…, true for SEQUENCE, SET).
 * @throws InvalidArgumentError (`INVALID_ARGUMENT`) for a tag number outside 0..30.
 */
export function derContextTag(
  tagNumber: number,
  content: Uint8Array,
  mode: { implicit: boolean; constructed?: boolean } = { implicit: false },
): Uint8Array {
  const constructed = mode.implicit ? (mode.constructed ?? false) : true;
  return derElement(TagClass.contextSpecific, constructed, tagNumber, content);
}
