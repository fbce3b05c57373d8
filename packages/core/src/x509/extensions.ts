/**
 * Certificate extensions (RFC 5280 §4.2): the Extensions list itself, and the extensions the engine uses — subject
 * and authority key identifiers, key usage, subject alternative names, basic constraints and extended key usage.
 * A malformed instance of one of those makes the certificate malformed. Every other extension is kept as bytes;
 * the critical ones among them are listed so that a verifier can refuse them (RFC 5280 §4.2).
 */
import { DerReader, TagClass, UniversalTag, decodeBitString, decodeInteger, type DerElement } from '../asn1/der.js';
import { readGeneralName, readGeneralNameList, readGeneralNames, type GeneralName } from './names.js';
import { ExtensionOid, HANDLED_EXTENSIONS } from './oids.js';

/** One extension as it appears in the certificate: `value` is the DER inside extnValue's OCTET STRING. */
export interface Extension {
  readonly oid: string;
  readonly critical: boolean;
  readonly value: Uint8Array;
}

/** The key usage bits of RFC 5280 §4.2.1.3, in bit order (nonRepudiation is X.509's contentCommitment). */
export const KEY_USAGE_BITS = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
] as const;
export type KeyUsage = (typeof KEY_USAGE_BITS)[number];

/** The names of a subjectAltName extension that hostname and client checks use, by type. */
export interface SubjectAltName {
  /** dNSName entries, as written (IA5 text, wildcards included). */
  readonly dns: string[];
  /** iPAddress entries: 4 bytes (IPv4) or 16 (IPv6). */
  readonly ip: Uint8Array[];
  /** rfc822Name entries. */
  readonly email: string[];
  /** uniformResourceIdentifier entries. */
  readonly uri: string[];
}

export interface BasicConstraints {
  readonly ca: boolean;
  readonly pathLength?: number;
}

/**
 * One GeneralSubtree of a name constraint (RFC 5280 §4.2.1.10). An iPAddress base is 8 bytes (IPv4 address and
 * mask) or 32 (IPv6). `minimum`/`maximum` are kept when present so that the verifier can refuse them (the profile
 * says minimum MUST be zero and maximum absent; OpenSSL gives X509_V_ERR_SUBTREE_MINMAX).
 */
export interface GeneralSubtree {
  readonly base: GeneralName;
  readonly minimum?: number;
  readonly maximum?: number;
}

/** The name constraints extension (RFC 5280 §4.2.1.10). */
export interface NameConstraints {
  readonly permitted: readonly GeneralSubtree[];
  readonly excluded: readonly GeneralSubtree[];
}

/** What {@link readExtensions} found. */
export interface ParsedExtensions {
  readonly extensions: readonly Extension[];
  readonly unknownCriticalExtensions: readonly string[];
  readonly subjectAltName?: SubjectAltName;
  readonly altNames?: readonly GeneralName[];
  readonly basicConstraints?: BasicConstraints;
  readonly keyUsage?: ReadonlySet<KeyUsage>;
  readonly extendedKeyUsage?: readonly string[];
  readonly subjectKeyIdentifier?: Uint8Array;
  readonly authorityKeyIdentifier?: Uint8Array;
  readonly nameConstraints?: NameConstraints;
}

interface Mutable {
  subjectAltName?: SubjectAltName;
  altNames?: readonly GeneralName[];
  nameConstraints?: NameConstraints;
  basicConstraints?: BasicConstraints;
  keyUsage?: ReadonlySet<KeyUsage>;
  extendedKeyUsage?: readonly string[];
  subjectKeyIdentifier?: Uint8Array;
  authorityKeyIdentifier?: Uint8Array;
}

/**
 * Reads the contents of an Extensions SEQUENCE (RFC 5280 §4.1.2.9): at least one extension, no OID twice
 * (§4.2), `critical` absent rather than FALSE (DER omits DEFAULT values, X.690 §11.5).
 * @throws InvalidArgumentError (`BAD_DER`).
 */
export function readExtensions(reader: DerReader): ParsedExtensions {
  const extensions: Extension[] = [];
  const unknownCriticalExtensions: string[] = [];
  const parsed: Mutable = {};
  const seen = new Set<string>();
  // RFC 5280 §4.1: Extensions ::= SEQUENCE SIZE (1..MAX) OF Extension
  if (reader.done) reader.fail('the Extensions list is empty');
  while (!reader.done) {
    reader.sequence('Extension', (extension) => {
      const start = extension.offset;
      const oid = extension.oid('extnID');
      // RFC 5280 §4.2: "A certificate MUST NOT include more than one instance of a particular extension."
      if (seen.has(oid)) extension.fail(`extension ${oid} appears twice`, start);
      seen.add(oid);
      let critical = false;
      if (extension.nextIs(TagClass.universal, UniversalTag.BOOLEAN)) {
        const at = extension.offset;
        critical = extension.boolean('critical');
        if (!critical) extension.fail(`extension ${oid} encodes critical FALSE, which DER omits (X.690 §11.5)`, at);
      }
      const valueElement = extension.expect(TagClass.universal, UniversalTag.OCTET_STRING, 'extnValue');
      readKnownExtension(oid, extension, valueElement, parsed);
      if (critical && !HANDLED_EXTENSIONS.has(oid)) unknownCriticalExtensions.push(oid);
      extensions.push(Object.freeze({ oid, critical, value: valueElement.value }));
    });
  }
  return {
    extensions: Object.freeze(extensions),
    unknownCriticalExtensions: Object.freeze(unknownCriticalExtensions),
    ...parsed,
  };
}

function readKnownExtension(oid: string, outer: DerReader, valueElement: DerElement, parsed: Mutable): void {
  const reader = outer.contents(valueElement);
  switch (oid) {
    case ExtensionOid.subjectKeyIdentifier:
      // RFC 5280 §4.2.1.2: SubjectKeyIdentifier ::= KeyIdentifier (OCTET STRING)
      parsed.subjectKeyIdentifier = reader.octetString('SubjectKeyIdentifier');
      break;
    case ExtensionOid.authorityKeyIdentifier:
      parsed.authorityKeyIdentifier = readAuthorityKeyIdentifier(reader);
      break;
    case ExtensionOid.keyUsage:
      parsed.keyUsage = readKeyUsage(reader);
      break;
    case ExtensionOid.subjectAltName: {
      const names = Object.freeze(readGeneralNames(reader, 'subjectAltName'));
      parsed.altNames = names;
      parsed.subjectAltName = summarise(names);
      break;
    }
    case ExtensionOid.nameConstraints:
      parsed.nameConstraints = readNameConstraints(reader);
      break;
    case ExtensionOid.basicConstraints:
      parsed.basicConstraints = readBasicConstraints(reader);
      break;
    case ExtensionOid.extKeyUsage:
      parsed.extendedKeyUsage = reader.sequence('ExtKeyUsageSyntax', (list) => {
        const purposes: string[] = [];
        // RFC 5280 §4.2.1.12: ExtKeyUsageSyntax ::= SEQUENCE SIZE (1..MAX) OF KeyPurposeId
        if (list.done) list.fail('extendedKeyUsage is empty');
        while (!list.done) purposes.push(list.oid('KeyPurposeId'));
        return Object.freeze(purposes);
      });
      break;
    default:
      return; // kept as bytes
  }
  reader.end(`the ${oid} extension`);
}

// RFC 5280 §4.2.1.1: AuthorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0] KeyIdentifier OPTIONAL,
//   authorityCertIssuer [1] GeneralNames OPTIONAL, authorityCertSerialNumber [2] CertificateSerialNumber OPTIONAL }
function readAuthorityKeyIdentifier(reader: DerReader): Uint8Array | undefined {
  return reader.sequence('AuthorityKeyIdentifier', (aki) => {
    const keyIdentifier = aki.implicit(0, 'keyIdentifier');
    if (keyIdentifier !== undefined && keyIdentifier.constructed) aki.fail('keyIdentifier must be primitive');
    const issuer = aki.implicit(1, 'authorityCertIssuer');
    if (issuer !== undefined) {
      if (!issuer.constructed) aki.fail('authorityCertIssuer must be constructed', issuer.offset);
      const names = aki.contents(issuer);
      readGeneralNameList(names, 'authorityCertIssuer');
      names.end('authorityCertIssuer');
    }
    const serial = aki.implicit(2, 'authorityCertSerialNumber');
    if (serial !== undefined) decodeInteger(serial, aki.argument, 'authorityCertSerialNumber');
    // RFC 5280 §A.2: "authorityCertIssuer and authorityCertSerialNumber MUST both be present or both be absent"
    if ((issuer === undefined) !== (serial === undefined)) {
      aki.fail('authorityCertIssuer and authorityCertSerialNumber must be both present or both absent');
    }
    return keyIdentifier?.value;
  });
}

// RFC 5280 §4.2.1.3: KeyUsage ::= BIT STRING { digitalSignature (0), … decipherOnly (8) }
function readKeyUsage(reader: DerReader): ReadonlySet<KeyUsage> {
  const element = reader.expect(TagClass.universal, UniversalTag.BIT_STRING, 'KeyUsage');
  const { bytes } = decodeBitString(element, reader.argument, 'KeyUsage');
  // RFC 5280 §4.2.1.3: at least one bit set. (X.690 §11.2.2 has DER drop trailing zero bits of a named bit list;
  // that one rule is not enforced: two Trustwave roots in Mozilla's store, valid to 2042, encode keyCertSign and
  // cRLSign as 03 03 07 06 00, and OpenSSL, Go and NSS take them. The bits read the same either way, and the
  // padding bits must still be zero.)
  if (bytes.every((byte) => byte === 0)) reader.fail('KeyUsage has no bit set', element.offset);
  const usages = new Set<KeyUsage>();
  KEY_USAGE_BITS.forEach((usage, bit) => {
    if (((bytes[bit >> 3] ?? 0) & (0x80 >> (bit & 7))) !== 0) usages.add(usage);
  });
  return usages;
}

// RFC 5280 §4.2.1.9: BasicConstraints ::= SEQUENCE { cA BOOLEAN DEFAULT FALSE,
//   pathLenConstraint INTEGER (0..MAX) OPTIONAL }
function readBasicConstraints(reader: DerReader): BasicConstraints {
  return reader.sequence('BasicConstraints', (bc) => {
    let ca = false;
    if (bc.nextIs(TagClass.universal, UniversalTag.BOOLEAN)) {
      const at = bc.offset;
      ca = bc.boolean('cA');
      if (!ca) bc.fail('basicConstraints encodes cA FALSE, which DER omits (X.690 §11.5)', at);
    }
    if (bc.done) return Object.freeze({ ca });
    return Object.freeze({ ca, pathLength: bc.smallInteger('pathLenConstraint') });
  });
}

// RFC 5280 §4.2.1.10: NameConstraints ::= SEQUENCE { permittedSubtrees [0] GeneralSubtrees OPTIONAL,
//   excludedSubtrees [1] GeneralSubtrees OPTIONAL }; GeneralSubtrees ::= SEQUENCE SIZE (1..MAX) OF GeneralSubtree;
//   GeneralSubtree ::= SEQUENCE { base GeneralName, minimum [0] BaseDistance DEFAULT 0, maximum [1] BaseDistance OPTIONAL }
function readNameConstraints(reader: DerReader): NameConstraints {
  return reader.sequence('NameConstraints', (nc) => {
    const subtrees = (tag: number, what: string): GeneralSubtree[] => {
      const element = nc.implicit(tag, what);
      if (element === undefined) return [];
      if (!element.constructed) nc.fail(`${what} must be constructed`, element.offset);
      const list = nc.contents(element);
      const out: GeneralSubtree[] = [];
      if (list.done) list.fail(`${what} is empty`);
      while (!list.done) {
        out.push(
          list.sequence('GeneralSubtree', (subtree) => {
            // An iPAddress in a constraint is an address and its mask (§4.2.1.10): 8 or 32 bytes.
            const base = readGeneralName(subtree, 'GeneralSubtree base', [8, 32]);
            const distance = (t: number, name: string): number | undefined => {
              const field = subtree.implicit(t, name);
              if (field === undefined) return undefined;
              if (field.constructed) subtree.fail(`${name} must be primitive`, field.offset);
              const bytes = decodeInteger(field, subtree.argument, name);
              if (bytes.length > 4 || ((bytes[0] as number) & 0x80) !== 0) subtree.fail(`${name} out of range`, field.offset);
              return bytes.reduce((value, byte) => value * 256 + byte, 0);
            };
            const minimumAt = subtree.offset;
            const minimum = distance(0, 'minimum');
            if (minimum === 0) subtree.fail('minimum 0 is spelled out, which DER omits (X.690 §11.5)', minimumAt);
            const maximum = distance(1, 'maximum');
            return Object.freeze({
              base,
              ...(minimum === undefined ? {} : { minimum }),
              ...(maximum === undefined ? {} : { maximum }),
            });
          }),
        );
      }
      return out;
    };
    const permitted = subtrees(0, 'permittedSubtrees');
    const excluded = subtrees(1, 'excludedSubtrees');
    // RFC 5280 §4.2.1.10: "Conforming CAs MUST NOT issue certificates where name constraints is an empty sequence".
    if (permitted.length === 0 && excluded.length === 0) nc.fail('nameConstraints has no subtree');
    return Object.freeze({ permitted: Object.freeze(permitted), excluded: Object.freeze(excluded) });
  });
}

function summarise(names: readonly GeneralName[]): SubjectAltName {
  const san = { dns: [] as string[], ip: [] as Uint8Array[], email: [] as string[], uri: [] as string[] };
  for (const name of names) {
    if (name.type === 'dNSName') san.dns.push(name.value);
    else if (name.type === 'iPAddress') san.ip.push(name.bytes);
    else if (name.type === 'rfc822Name') san.email.push(name.value);
    else if (name.type === 'uniformResourceIdentifier') san.uri.push(name.value);
  }
  // Frozen like the rest of the certificate: trust anchors are shared by every connection of a context.
  return Object.freeze({
    dns: Object.freeze(san.dns) as string[],
    ip: Object.freeze(san.ip) as Uint8Array[],
    email: Object.freeze(san.email) as string[],
    uri: Object.freeze(san.uri) as string[],
  });
}
