/**
 * Distinguished names (RFC 5280 §4.1.2.4), their string values, and general names (RFC 5280 §4.2.1.6).
 *
 * Strings are decoded by type as OpenSSL does it for `getpeercert()`: UTF8String as UTF-8, BMPString as UCS-2,
 * UniversalString as UCS-4, TeletexString as Latin-1 (what every CA that used it meant), and the ASCII types as
 * ASCII. Malformed strings (invalid UTF-8, odd-length BMPString, surrogates, non-ASCII bytes in an ASCII type) make
 * the certificate malformed: a name that cannot be read cannot be compared or matched.
 */
import { DerReader, TagClass, UniversalTag, decodeOid, type DerElement } from '../asn1/der.js';
import { equalBytes } from '../crypto/bytes.js';
import { attributeName } from './oids.js';

/** One attribute of a distinguished name: `{ oid: '2.5.4.3', name: 'commonName', value: 'example.com' }`. */
export interface X509Attribute {
  readonly oid: string;
  /** OpenSSL's long name for the type (`commonName`, `organizationName`…), or the dotted OID if it has none. */
  readonly name: string;
  /** The decoded string; a value that is not a string type is `#` and the hex of its DER (RFC 4514 §2.4). */
  readonly value: string;
}

/** A distinguished name: its DER (what chains compare) and its RDNs in order, each a set of attributes. */
export interface X509Name {
  readonly der: Uint8Array;
  readonly attributes: ReadonlyArray<ReadonlyArray<X509Attribute>>;
}

/** A general name (RFC 5280 §4.2.1.6), as the subjectAltName and CRL distribution point extensions carry them. */
export type GeneralName =
  | { readonly type: 'otherName'; readonly typeId: string; readonly value: Uint8Array }
  | { readonly type: 'rfc822Name'; readonly value: string }
  | { readonly type: 'dNSName'; readonly value: string }
  | { readonly type: 'x400Address'; readonly der: Uint8Array }
  | { readonly type: 'directoryName'; readonly name: X509Name }
  | { readonly type: 'ediPartyName'; readonly der: Uint8Array }
  | { readonly type: 'uniformResourceIdentifier'; readonly value: string }
  | { readonly type: 'iPAddress'; readonly bytes: Uint8Array }
  | { readonly type: 'registeredID'; readonly oid: string };

const HEX_BYTE: readonly string[] = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

/** Lower-case hex, for values that have no string form. */
export function toHex(bytes: Uint8Array): string {
  // Joined, not `+=` in a loop: that builds a rope of 2n pieces, ~54 KiB for a 1,000-byte input where a kept string
  // is not flattened, against 1.9 KiB joined (measured, Node 20); these strings live on in the context's caches.
  const parts = new Array<string>(bytes.length);
  for (let i = 0; i < bytes.length; i++) parts[i] = HEX_BYTE[bytes[i]!]!;
  return parts.join('');
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function ascii(reader: DerReader, element: DerElement, what: string, printableOnly: boolean): string {
  let text = '';
  for (const byte of element.value) {
    if (byte >= 0x80 || (printableOnly && (byte < 0x20 || byte === 0x7f))) {
      reader.fail(`${what} has a byte (0x${byte.toString(16)}) outside its character set`, element.offset);
    }
    text += String.fromCharCode(byte);
  }
  return text;
}

function codePoints(reader: DerReader, element: DerElement, what: string, width: 2 | 4): string {
  const value = element.value;
  if (value.length % width !== 0) reader.fail(`${what} is not a whole number of characters`, element.offset);
  let text = '';
  for (let i = 0; i < value.length; i += width) {
    let point = 0;
    for (let j = 0; j < width; j++) point = point * 256 + (value[i + j] as number);
    // BMPString is UCS-2 and UniversalString UCS-4: neither has surrogates (X.680 §41).
    if ((point >= 0xd800 && point <= 0xdfff) || point > 0x10ffff) {
      reader.fail(`${what} has an invalid character U+${point.toString(16)}`, element.offset);
    }
    text += String.fromCodePoint(point);
  }
  return text;
}

/**
 * The text of a string-typed element, or `undefined` if the element is not one of the string types.
 * @throws InvalidArgumentError (`BAD_DER`) for a string whose bytes are invalid for its type.
 */
export function decodeString(reader: DerReader, element: DerElement, what: string): string | undefined {
  if (element.tagClass !== TagClass.universal) return undefined;
  switch (element.tagNumber) {
    case UniversalTag.UTF8String:
      try {
        return utf8.decode(element.value);
      } catch {
        return reader.fail(`${what} is not valid UTF-8`, element.offset);
      }
    case UniversalTag.PrintableString:
    case 26: // VisibleString
      return ascii(reader, element, what, true);
    case 18: // NumericString
    case UniversalTag.IA5String:
      return ascii(reader, element, what, false);
    case UniversalTag.TeletexString: {
      // T.61 in name: in practice Latin-1, and OpenSSL converts it so, byte for character.
      let text = '';
      for (const byte of element.value) text += String.fromCharCode(byte);
      return text;
    }
    case UniversalTag.BMPString:
      return codePoints(reader, element, what, 2);
    case UniversalTag.UniversalString:
      return codePoints(reader, element, what, 4);
    default:
      return undefined;
  }
}

/**
 * An IA5String (or an implicitly tagged one, as in general names): ASCII only (X.680 §41.4).
 * @throws InvalidArgumentError (`BAD_DER`) for a byte above 0x7f, or a constructed element.
 */
export function decodeIa5(reader: DerReader, element: DerElement, what: string): string {
  if (element.constructed) reader.fail(`${what} must be primitive`, element.offset);
  return ascii(reader, element, what, false);
}

/**
 * Reads a Name (RFC 5280 §4.1.2.4): a SEQUENCE of RDNs, each a non-empty SET of AttributeTypeAndValue.
 * (The DER order of attributes inside a multi-valued RDN is not checked: the bytes are kept as sent.)
 * @throws InvalidArgumentError (`BAD_DER`) naming the reader's argument.
 */
export function readName(reader: DerReader, what: string): X509Name {
  const element = reader.expect(TagClass.universal, UniversalTag.SEQUENCE, what);
  const contents = reader.contents(element);
  const rdns: X509Attribute[][] = [];
  while (!contents.done) {
    rdns.push(
      contents.set(`a RelativeDistinguishedName of the ${what}`, (set) => {
        const attributes: X509Attribute[] = [];
        // RFC 5280 §4.1.2.4: RelativeDistinguishedName ::= SET SIZE (1..MAX) OF AttributeTypeAndValue
        if (set.done) set.fail(`empty RelativeDistinguishedName in the ${what}`);
        while (!set.done) {
          attributes.push(
            set.sequence('AttributeTypeAndValue', (pair) => {
              const oid = pair.oid('AttributeType');
              const name = attributeName(oid);
              const valueElement = pair.read(`the ${name} value`);
              const value = decodeString(pair, valueElement, `the ${name} value`) ?? `#${toHex(valueElement.encoded)}`;
              return Object.freeze({ oid, name, value });
            }),
          );
        }
        return Object.freeze(attributes) as X509Attribute[];
      }),
    );
  }
  return Object.freeze({ der: element.encoded, attributes: Object.freeze(rdns) });
}

// RFC 5280 §7.1 asks for the RFC 4518 string preparation when comparing names; this approximation (ASCII case
// folded, leading/trailing spaces dropped, inner runs of spaces collapsed) covers what CAs actually vary on.
const canonicalRdns = new WeakMap<X509Name, readonly string[]>();

/**
 * The RDNs of a name in a comparable form, one string per RDN (attributes sorted inside it): two names are the same
 * name when these are equal, and one is under another (a directoryName constraint, RFC 5280 §4.2.1.10) when its
 * list starts with the other's.
 */
export function rdnKeys(name: X509Name): readonly string[] {
  let keys = canonicalRdns.get(name);
  if (keys === undefined) {
    keys = name.attributes.map((rdn) =>
      JSON.stringify(
        rdn
          .map((attribute) => {
            const value = attribute.value.startsWith('#')
              ? attribute.value
              : attribute.value
                  .replace(/[A-Z]/g, (c) => c.toLowerCase())
                  .replace(/ +/g, ' ')
                  .trim();
            return `${attribute.oid}=${value}`;
          })
          .sort(),
      ),
    );
    canonicalRdns.set(name, keys);
  }
  return keys;
}

/** One string per name, equal for names that {@link namesEqual} finds equal: the key of an issuer index. */
export function nameKey(name: X509Name): string {
  return rdnKeys(name).join(',');
}

/** True when two names are the same name: byte-identical, or equal after RFC 5280 §7.1-style normalisation. */
export function namesEqual(a: X509Name, b: X509Name): boolean {
  return equalBytes(a.der, b.der) || nameKey(a) === nameKey(b);
}

/**
 * Reads one GeneralName (RFC 5280 §4.2.1.6; the module uses IMPLICIT tags, except that directoryName is a CHOICE
 * and so explicitly tagged). `ipLengths` are the iPAddress lengths allowed: 4 and 16 in alternative names.
 * @throws InvalidArgumentError (`BAD_DER`) for an unknown tag or malformed contents.
 */
export function readGeneralName(reader: DerReader, what: string, ipLengths: readonly number[] = [4, 16]): GeneralName {
  const element = reader.read(what);
  if (element.tagClass !== TagClass.contextSpecific) reader.fail(`${what} has a non-context tag`, element.offset);
  const needForm = (constructed: boolean): void => {
    if (element.constructed !== constructed) {
      reader.fail(
        `${what} [${element.tagNumber}] must be ${constructed ? 'constructed' : 'primitive'}`,
        element.offset,
      );
    }
  };
  switch (element.tagNumber) {
    case 0: {
      // otherName: SEQUENCE { type-id OBJECT IDENTIFIER, value [0] EXPLICIT ANY }
      needForm(true);
      const inner = reader.contents(element);
      const typeId = inner.oid('otherName type-id');
      const value = inner.explicit(0, 'otherName value', (explicit) => explicit.read('otherName value').encoded);
      if (value === undefined) return inner.fail('otherName without its [0] value');
      inner.end('otherName');
      return Object.freeze({ type: 'otherName', typeId, value });
    }
    case 1:
      return Object.freeze({ type: 'rfc822Name', value: decodeIa5(reader, element, 'rfc822Name') });
    case 2:
      return Object.freeze({ type: 'dNSName', value: decodeIa5(reader, element, 'dNSName') });
    case 3:
      needForm(true);
      return Object.freeze({ type: 'x400Address', der: element.value });
    case 4: {
      needForm(true);
      const inner = reader.contents(element);
      const name = readName(inner, 'directoryName');
      inner.end('directoryName');
      return Object.freeze({ type: 'directoryName', name });
    }
    case 5:
      needForm(true);
      return Object.freeze({ type: 'ediPartyName', der: element.value });
    case 6:
      return Object.freeze({ type: 'uniformResourceIdentifier', value: decodeIa5(reader, element, 'URI') });
    case 7:
      needForm(false);
      if (!ipLengths.includes(element.value.length)) {
        reader.fail(`iPAddress of ${element.value.length} bytes (expected ${ipLengths.join(' or ')})`, element.offset);
      }
      return Object.freeze({ type: 'iPAddress', bytes: element.value });
    case 8:
      return Object.freeze({ type: 'registeredID', oid: decodeOid(element, reader.argument, 'registeredID') });
    default:
      return reader.fail(`${what} has the unknown tag [${element.tagNumber}]`, element.offset);
  }
}

/**
 * Reads GeneralNames: SEQUENCE SIZE (1..MAX) OF GeneralName (RFC 5280 §4.2.1.6), from a reader positioned at the
 * SEQUENCE. (For an implicitly tagged GeneralNames, read the tag's contents with {@link readGeneralNameList}.)
 * @throws InvalidArgumentError (`BAD_DER`).
 */
export function readGeneralNames(reader: DerReader, what: string): GeneralName[] {
  return reader.sequence(what, (names) => readGeneralNameList(names, what));
}

/**
 * The GeneralName elements that fill `reader` (the contents of a GeneralNames), at least one.
 * @throws InvalidArgumentError (`BAD_DER`).
 */
export function readGeneralNameList(reader: DerReader, what: string): GeneralName[] {
  const names: GeneralName[] = [];
  if (reader.done) reader.fail(`${what} is empty`); // SIZE (1..MAX)
  while (!reader.done) names.push(readGeneralName(reader, `a name in ${what}`));
  return names;
}
