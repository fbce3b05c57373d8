/**
 * A strict DER reader (ITU-T X.690 §8 basic rules, narrowed by the §10/§11 distinguished rules).
 *
 * Strict on purpose: keys and certificates are signed or compared as bytes, so two encodings of one value must not
 * both be accepted. Rejected: indefinite lengths (BER), non-minimal lengths and tag numbers, constructed forms of
 * primitive types, non-minimal INTEGERs, BOOLEANs other than 0x00/0xFF, non-zero padding bits in BIT STRINGs, and
 * bytes left over after a structure ends.
 *
 * Every failure is an `InvalidArgumentError(argument, 'BAD_DER', …)`, where `argument` is the caller's parameter
 * name (e.g. `'key'`), so the message says which input was bad. No read goes past the bytes it was given.
 *
 * Not checked: the DER sort order of SET OF members (X.690 §11.6); callers that compare SETs must do it themselves.
 */
import { InvalidArgumentError } from '@tlsbio/errors';

/** The two bits of an identifier octet that give the tag's class (X.690 §8.1.2.2). */
export const TagClass = { universal: 0, application: 1, contextSpecific: 2, private: 3 } as const;
export type TagClass = (typeof TagClass)[keyof typeof TagClass];

/** Universal tag numbers (X.680 §8.4) that tlsbio reads. An open set: other numbers are carried. */
export const UniversalTag = {
  BOOLEAN: 1,
  INTEGER: 2,
  BIT_STRING: 3,
  OCTET_STRING: 4,
  NULL: 5,
  OBJECT_IDENTIFIER: 6,
  ENUMERATED: 10,
  UTF8String: 12,
  SEQUENCE: 16,
  SET: 17,
  PrintableString: 19,
  TeletexString: 20,
  IA5String: 22,
  UTCTime: 23,
  GeneralizedTime: 24,
  UniversalString: 28,
  BMPString: 30,
} as const;

const UNIVERSAL_NAMES: Record<number, string> = {
  1: 'BOOLEAN',
  2: 'INTEGER',
  3: 'BIT STRING',
  4: 'OCTET STRING',
  5: 'NULL',
  6: 'OBJECT IDENTIFIER',
  10: 'ENUMERATED',
  12: 'UTF8String',
  16: 'SEQUENCE',
  17: 'SET',
  19: 'PrintableString',
  20: 'TeletexString',
  22: 'IA5String',
  23: 'UTCTime',
  24: 'GeneralizedTime',
  28: 'UniversalString',
  30: 'BMPString',
};

/** One decoded TLV. `value` and `encoded` are views into the input, not copies. */
export interface DerElement {
  readonly tagClass: TagClass;
  readonly constructed: boolean;
  readonly tagNumber: number;
  /** The contents octets. */
  readonly value: Uint8Array;
  /** The whole encoding, identifier and length octets included (what a signature covers, e.g. TBSCertificate). */
  readonly encoded: Uint8Array;
  /** Offset of the identifier octet in the reader's input, for error messages. */
  readonly offset: number;
  /** Offset of the first contents octet in the reader's input. */
  readonly valueOffset: number;
}

/** A BIT STRING's contents: the bytes, and how many bits of the last byte are padding (always 0 for keys). */
export interface BitString {
  readonly unusedBits: number;
  readonly bytes: Uint8Array;
}

// Tag numbers and lengths above these are refused: nothing tlsbio reads needs more, and it keeps arithmetic exact.
const MAX_TAG_NUMBER_OCTETS = 4; // tag numbers below 2^28
const MAX_LENGTH_OCTETS = 4; // contents shorter than 4 GiB

/** Human name of a tag for messages: `SEQUENCE`, `[0]`, `[APPLICATION 3]`. */
export function tagName(tagClass: number, tagNumber: number): string {
  switch (tagClass) {
    case TagClass.universal:
      return UNIVERSAL_NAMES[tagNumber] ?? `UNIVERSAL ${tagNumber}`;
    case TagClass.contextSpecific:
      return `[${tagNumber}]`;
    case TagClass.application:
      return `[APPLICATION ${tagNumber}]`;
    default:
      return `[PRIVATE ${tagNumber}]`;
  }
}

/**
 * Reads DER elements one after another from `bytes[start, end)`. Sub-structures are read through child readers
 * over the same bytes, so offsets in messages are always relative to the outermost input.
 *
 * @example
 * const reader = new DerReader(der, 'key');
 * const version = reader.sequence('PrivateKeyInfo', (info) => info.smallInteger('version'));
 * reader.end('PrivateKeyInfo');
 */
export class DerReader {
  readonly #bytes: Uint8Array;
  readonly #end: number;
  #position: number;
  /** The caller's name for the input, carried into every error. */
  readonly argument: string;

  /**
   * @throws InvalidArgumentError (`BAD_DER`) if `start`/`end` do not describe a range inside `bytes`.
   */
  constructor(bytes: Uint8Array, argument = 'der', start = 0, end = bytes.length) {
    this.argument = argument;
    if (!(bytes instanceof Uint8Array)) {
      throw new InvalidArgumentError(argument, 'BAD_DER', 'DER input must be a Uint8Array');
    }
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > bytes.length || start > end) {
      throw new InvalidArgumentError(argument, 'BAD_DER', 'DER range is outside the input');
    }
    this.#bytes = bytes;
    this.#position = start;
    this.#end = end;
  }

  /** A reader over the contents of `element`, which must have come from this reader (or one of its children). */
  contents(element: DerElement): DerReader {
    return new DerReader(this.#bytes, this.argument, element.valueOffset, element.valueOffset + element.value.length);
  }

  /** True when every byte has been read. */
  get done(): boolean {
    return this.#position >= this.#end;
  }

  /** Offset of the next unread byte in the outermost input. */
  get offset(): number {
    return this.#position;
  }

  /** Throws `BAD_DER` with the reader's argument name. */
  fail(message: string, offset = this.#position): never {
    throw new InvalidArgumentError(this.argument, 'BAD_DER', `${message} (DER offset ${offset})`);
  }

  /**
   * Requires that nothing is left: DER structures have no trailing bytes.
   * @throws InvalidArgumentError (`BAD_DER`) naming `what` if bytes remain.
   */
  end(what = 'the DER input'): void {
    if (!this.done) this.fail(`${this.#end - this.#position} unexpected byte(s) after ${what}`);
  }

  /**
   * The next element without consuming it, or `undefined` at the end.
   * @throws InvalidArgumentError (`BAD_DER`) if its header is malformed or its contents are truncated.
   */
  peek(): DerElement | undefined {
    return this.done ? undefined : this.#header();
  }

  /** True if the next element has this class and number. Never throws on a malformed header: it just answers false. */
  nextIs(tagClass: TagClass, tagNumber: number): boolean {
    if (this.done) return false;
    try {
      const element = this.#header();
      return element.tagClass === tagClass && element.tagNumber === tagNumber;
    } catch {
      return false;
    }
  }

  /**
   * Reads the next element, whatever its tag.
   * @throws InvalidArgumentError (`BAD_DER`) at the end of input, or if the element is malformed.
   */
  read(what = 'an element'): DerElement {
    if (this.done) this.fail(`truncated: expected ${what}`);
    const element = this.#header();
    this.#position = element.valueOffset + element.value.length;
    return element;
  }

  /**
   * Reads the next element and requires its tag.
   * @throws InvalidArgumentError (`BAD_DER`) if it is missing or has another tag.
   */
  expect(tagClass: TagClass, tagNumber: number, what: string): DerElement {
    if (this.done) this.fail(`truncated: expected ${tagName(tagClass, tagNumber)} (${what})`);
    const element = this.#header();
    if (element.tagClass !== tagClass || element.tagNumber !== tagNumber) {
      this.fail(
        `expected ${tagName(tagClass, tagNumber)} (${what}), found ${tagName(element.tagClass, element.tagNumber)}`,
        element.offset,
      );
    }
    this.#position = element.valueOffset + element.value.length;
    return element;
  }

  /**
   * Reads a SEQUENCE and hands its contents to `body`; afterwards the contents must be fully consumed.
   * @throws InvalidArgumentError (`BAD_DER`) if the SEQUENCE is missing or malformed, or has trailing elements.
   */
  sequence<T>(what: string, body: (contents: DerReader) => T): T {
    return this.#enter(this.expect(TagClass.universal, UniversalTag.SEQUENCE, what), what, body);
  }

  /**
   * Reads a SET and hands its contents to `body`, like {@link sequence}.
   * @throws InvalidArgumentError (`BAD_DER`) if the SET is missing or malformed, or has trailing elements.
   */
  set<T>(what: string, body: (contents: DerReader) => T): T {
    return this.#enter(this.expect(TagClass.universal, UniversalTag.SET, what), what, body);
  }

  /**
   * An INTEGER's two's-complement contents, checked to be minimal (X.690 §8.3.2). A view, not a copy.
   * @throws InvalidArgumentError (`BAD_DER`) if missing or not minimally encoded.
   */
  integer(what: string): Uint8Array {
    return decodeInteger(this.expect(TagClass.universal, UniversalTag.INTEGER, what), this.argument, what);
  }

  /**
   * A non-negative INTEGER as big-endian magnitude without leading zero bytes (zero is the empty array). A view.
   * @throws InvalidArgumentError (`BAD_DER`) if missing, malformed or negative.
   */
  unsignedInteger(what: string): Uint8Array {
    const element = this.expect(TagClass.universal, UniversalTag.INTEGER, what);
    return toUnsigned(decodeInteger(element, this.argument, what), this.argument, what, element.offset);
  }

  /**
   * A small non-negative INTEGER (versions, counts) as a number.
   * @throws InvalidArgumentError (`BAD_DER`) if missing, malformed, negative or above 2^48.
   */
  smallInteger(what: string): number {
    const element = this.expect(TagClass.universal, UniversalTag.INTEGER, what);
    const magnitude = toUnsigned(decodeInteger(element, this.argument, what), this.argument, what, element.offset);
    if (magnitude.length > 6) this.fail(`${what} is too large`, element.offset);
    let value = 0;
    for (const byte of magnitude) value = value * 256 + byte;
    return value;
  }

  /**
   * An OBJECT IDENTIFIER in dotted form, e.g. `'1.2.840.10045.2.1'`.
   * @throws InvalidArgumentError (`BAD_DER`) if missing or malformed.
   */
  oid(what: string): string {
    return decodeOid(this.expect(TagClass.universal, UniversalTag.OBJECT_IDENTIFIER, what), this.argument, what);
  }

  /**
   * A BIT STRING's bytes and padding-bit count.
   * @throws InvalidArgumentError (`BAD_DER`) if missing or malformed.
   */
  bitString(what: string): BitString {
    return decodeBitString(this.expect(TagClass.universal, UniversalTag.BIT_STRING, what), this.argument, what);
  }

  /**
   * A BIT STRING that must be a whole number of bytes (keys, signatures). A view, not a copy.
   * @throws InvalidArgumentError (`BAD_DER`) if missing, malformed or not byte-aligned.
   */
  bitStringBytes(what: string): Uint8Array {
    const element = this.expect(TagClass.universal, UniversalTag.BIT_STRING, what);
    return bitStringBytes(element, this.argument, what);
  }

  /**
   * An OCTET STRING's contents. A view, not a copy.
   * @throws InvalidArgumentError (`BAD_DER`) if missing.
   */
  octetString(what: string): Uint8Array {
    return this.expect(TagClass.universal, UniversalTag.OCTET_STRING, what).value;
  }

  /**
   * A NULL.
   * @throws InvalidArgumentError (`BAD_DER`) if missing or not empty.
   */
  null(what: string): void {
    decodeNull(this.expect(TagClass.universal, UniversalTag.NULL, what), this.argument, what);
  }

  /**
   * A BOOLEAN; DER allows only 0x00 and 0xFF (X.690 §11.1).
   * @throws InvalidArgumentError (`BAD_DER`) if missing or not one of those two octets.
   */
  boolean(what: string): boolean {
    return decodeBoolean(this.expect(TagClass.universal, UniversalTag.BOOLEAN, what), this.argument, what);
  }

  /**
   * An optional `[tagNumber] EXPLICIT` field: if the next element is that context tag, `body` reads the single
   * element it wraps (X.690 §8.14.3) and its result is returned; otherwise nothing is consumed and the result is
   * `undefined`.
   * @throws InvalidArgumentError (`BAD_DER`) if the tag is primitive, or wraps other than exactly one element.
   */
  explicit<T>(tagNumber: number, what: string, body: (contents: DerReader) => T): T | undefined {
    if (!this.nextIs(TagClass.contextSpecific, tagNumber)) return undefined;
    const element = this.read(what);
    if (!element.constructed) this.fail(`[${tagNumber}] EXPLICIT (${what}) must be constructed`, element.offset);
    return this.#enter(element, what, body);
  }

  /**
   * An optional `[tagNumber] IMPLICIT` field: the element itself (decode its contents with {@link decodeInteger},
   * {@link decodeBitString}, … or {@link contents}), or `undefined` without consuming anything.
   * @throws InvalidArgumentError (`BAD_DER`) only if the next element's header is malformed.
   */
  implicit(tagNumber: number, what: string): DerElement | undefined {
    return this.nextIs(TagClass.contextSpecific, tagNumber) ? this.read(what) : undefined;
  }

  #enter<T>(element: DerElement, what: string, body: (contents: DerReader) => T): T {
    const contents = this.contents(element);
    const result = body(contents);
    contents.end(what);
    return result;
  }

  // Decodes the identifier and length octets at the current position (X.690 §8.1.2, §8.1.3) without moving.
  #header(): DerElement {
    const bytes = this.#bytes;
    const end = this.#end;
    const offset = this.#position;
    let position = offset;
    const identifier = bytes[position++] as number; // callers ensure position < end
    const tagClass = (identifier >> 6) as TagClass;
    const constructed = (identifier & 0x20) !== 0;
    let tagNumber = identifier & 0x1f;
    if (tagNumber === 0x1f) {
      // High tag number form, base 128 (X.690 §8.1.2.4): the first octet may not be a leading zero, and the form
      // is only for numbers from 31 up.
      tagNumber = 0;
      for (let count = 0; ; count++) {
        if (position >= end) this.fail('truncated tag number', offset);
        if (count === MAX_TAG_NUMBER_OCTETS) this.fail('tag number too large', offset);
        const octet = bytes[position++] as number;
        if (count === 0 && octet === 0x80) this.fail('non-minimal tag number', offset);
        tagNumber = tagNumber * 128 + (octet & 0x7f);
        if ((octet & 0x80) === 0) break;
      }
      if (tagNumber < 0x1f) this.fail('tag number below 31 in the long form', offset);
    }
    if (tagClass === TagClass.universal) checkUniversalForm(this, tagNumber, constructed, offset);

    if (position >= end) this.fail('truncated: missing length', offset);
    const first = bytes[position++] as number;
    let length: number;
    if (first < 0x80) {
      length = first;
    } else if (first === 0x80) {
      this.fail('indefinite length (BER) is not allowed in DER', offset); // X.690 §10.1
    } else {
      const count = first & 0x7f;
      if (count > MAX_LENGTH_OCTETS) this.fail('length too large', offset); // also rejects the reserved 0xff
      if (end - position < count) this.fail('truncated length', offset);
      if (bytes[position] === 0) this.fail('non-minimal length: leading zero', offset); // X.690 §10.1
      length = 0;
      for (let i = 0; i < count; i++) length = length * 256 + (bytes[position++] as number);
      if (length < 0x80) this.fail('non-minimal length: long form for a length below 128', offset); // X.690 §10.1
    }
    if (end - position < length) {
      this.fail(`truncated: ${tagName(tagClass, tagNumber)} needs ${length} bytes, ${end - position} remain`, offset);
    }
    return {
      tagClass,
      constructed,
      tagNumber,
      value: bytes.subarray(position, position + length),
      encoded: bytes.subarray(offset, position + length),
      offset,
      valueOffset: position,
    };
  }
}

// In DER, SEQUENCE and SET are constructed and every other universal type we could meet is primitive
// (X.690 §10.2 forbids the constructed string forms). Universal tag 0 is the BER end-of-contents marker.
function checkUniversalForm(reader: DerReader, tagNumber: number, constructed: boolean, offset: number): void {
  if (tagNumber === 0) reader.fail('end-of-contents marker (BER) is not allowed in DER', offset);
  const mustBeConstructed = tagNumber === UniversalTag.SEQUENCE || tagNumber === UniversalTag.SET;
  // EXTERNAL (8), EMBEDDED PDV (11) and CHARACTER STRING (29) are constructed types that DER also allows.
  const mayBeConstructed = mustBeConstructed || tagNumber === 8 || tagNumber === 11 || tagNumber === 29;
  if (mustBeConstructed && !constructed) reader.fail(`${tagName(0, tagNumber)} must be constructed`, offset);
  if (!mayBeConstructed && constructed) {
    reader.fail(`${tagName(0, tagNumber)} must be primitive in DER`, offset);
  }
}

function bad(argument: string, message: string, element: DerElement): never {
  throw new InvalidArgumentError(argument, 'BAD_DER', `${message} (DER offset ${element.offset})`);
}

/**
 * An INTEGER element's contents, checked non-empty and minimal: the first nine bits are neither all zero nor all
 * one (X.690 §8.3.2). Works on implicitly tagged integers too.
 * @throws InvalidArgumentError (`BAD_DER`) naming `argument`.
 */
export function decodeInteger(element: DerElement, argument: string, what = 'INTEGER'): Uint8Array {
  const value = element.value;
  if (element.constructed) bad(argument, `${what} must be primitive`, element);
  if (value.length === 0) bad(argument, `${what} is empty`, element);
  if (value.length > 1) {
    const first = value[0] as number;
    const second = value[1] as number;
    if ((first === 0x00 && second < 0x80) || (first === 0xff && second >= 0x80)) {
      bad(argument, `non-minimal INTEGER encoding of ${what}`, element);
    }
  }
  return value;
}

function toUnsigned(value: Uint8Array, argument: string, what: string, offset: number): Uint8Array {
  if ((value[0] as number) >= 0x80) {
    throw new InvalidArgumentError(argument, 'BAD_DER', `${what} must not be negative (DER offset ${offset})`);
  }
  // Minimal encoding leaves at most one leading zero, and only before a byte with its top bit set (or alone for 0).
  return value[0] === 0 ? value.subarray(1) : value;
}

/**
 * An OBJECT IDENTIFIER element's contents in dotted decimal (X.690 §8.19). Sub-identifiers are minimal base-128;
 * arcs beyond 2^53 are decoded exactly with BigInt.
 * @throws InvalidArgumentError (`BAD_DER`) naming `argument`.
 */
export function decodeOid(element: DerElement, argument: string, what = 'OBJECT IDENTIFIER'): string {
  const value = element.value;
  if (element.constructed) bad(argument, `${what} must be primitive`, element);
  if (value.length === 0) bad(argument, `${what} is empty`, element);
  const arcs: string[] = [];
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    const octet = value[i] as number;
    if (i === start && octet === 0x80) bad(argument, `non-minimal sub-identifier in ${what}`, element);
    if (octet & 0x80) {
      if (i === value.length - 1) bad(argument, `truncated sub-identifier in ${what}`, element);
      continue;
    }
    const arc = subIdentifier(value.subarray(start, i + 1));
    if (arcs.length === 0) {
      // The first sub-identifier packs two arcs: 40 * first + second, with first in 0..2 (X.690 §8.19.4).
      if (typeof arc === 'number') {
        const first = arc < 40 ? 0 : arc < 80 ? 1 : 2;
        arcs.push(String(first), String(arc - 40 * first));
      } else {
        arcs.push('2', String(arc - 80n));
      }
    } else {
      arcs.push(String(arc));
    }
    start = i + 1;
  }
  return arcs.join('.');
}

function subIdentifier(octets: Uint8Array): number | bigint {
  // Seven octets carry at most 49 bits: exact in a double. Longer ones go through BigInt.
  if (octets.length <= 7) {
    let arc = 0;
    for (const octet of octets) arc = arc * 128 + (octet & 0x7f);
    return arc;
  }
  let arc = 0n;
  for (const octet of octets) arc = (arc << 7n) | BigInt(octet & 0x7f);
  return arc;
}

/**
 * A BIT STRING element's contents (X.690 §8.6): the initial octet counts padding bits (0–7), which DER requires
 * to be zero (§11.2.1); an empty string has no padding.
 * @throws InvalidArgumentError (`BAD_DER`) naming `argument`.
 */
export function decodeBitString(element: DerElement, argument: string, what = 'BIT STRING'): BitString {
  const value = element.value;
  if (element.constructed) bad(argument, `${what} must be primitive in DER`, element);
  if (value.length === 0) bad(argument, `${what} has no unused-bits octet`, element);
  const unusedBits = value[0] as number;
  if (unusedBits > 7) bad(argument, `${what} claims ${unusedBits} unused bits`, element);
  if (value.length === 1 && unusedBits !== 0) bad(argument, `empty ${what} with unused bits`, element);
  const last = value[value.length - 1] as number;
  if (unusedBits !== 0 && (last & ((1 << unusedBits) - 1)) !== 0) {
    bad(argument, `${what} has non-zero padding bits`, element);
  }
  return { unusedBits, bytes: value.subarray(1) };
}

/**
 * A BIT STRING element that must hold whole bytes (keys, signatures); the bytes, as a view.
 * @throws InvalidArgumentError (`BAD_DER`) naming `argument`.
 */
export function bitStringBytes(element: DerElement, argument: string, what = 'BIT STRING'): Uint8Array {
  const bits = decodeBitString(element, argument, what);
  if (bits.unusedBits !== 0) bad(argument, `${what} is not a whole number of bytes`, element);
  return bits.bytes;
}

/**
 * A BOOLEAN element: one octet, 0x00 or 0xFF (X.690 §11.1).
 * @throws InvalidArgumentError (`BAD_DER`) naming `argument`.
 */
export function decodeBoolean(element: DerElement, argument: string, what = 'BOOLEAN'): boolean {
  const value = element.value;
  if (element.constructed || value.length !== 1 || (value[0] !== 0x00 && value[0] !== 0xff)) {
    bad(argument, `${what} must be a single 0x00 or 0xFF octet in DER`, element);
  }
  return value[0] === 0xff;
}

/**
 * A NULL element: no contents (X.690 §8.8).
 * @throws InvalidArgumentError (`BAD_DER`) naming `argument`.
 */
export function decodeNull(element: DerElement, argument: string, what = 'NULL'): void {
  if (element.constructed || element.value.length !== 0) bad(argument, `${what} must be empty`, element);
}

/**
 * Decodes a whole DER input with `body`, then requires that nothing follows.
 * @throws InvalidArgumentError (`BAD_DER`) naming `argument` for any malformation or trailing bytes.
 * @example
 * const oid = decodeDer(bytes, 'oid', (reader) => reader.oid('algorithm'));
 */
export function decodeDer<T>(bytes: Uint8Array, argument: string, body: (reader: DerReader) => T): T {
  const reader = new DerReader(bytes, argument);
  const result = body(reader);
  reader.end();
  return result;
}
