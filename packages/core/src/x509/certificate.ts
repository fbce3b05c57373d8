/**
 * The X.509 certificate parser (RFC 5280 §4.1), on the strict DER reader.
 *
 * Refused, beyond what the DER reader itself refuses (BER lengths, non-minimal integers, trailing bytes, …):
 * - an explicit `version` of v1 (DER omits DEFAULT values, X.690 §11.5), versions above v3;
 * - unique identifiers in a v1 certificate and extensions in a v1 or v2 one (RFC 5280 §4.1.2.8, §4.1.2.9);
 * - a `signatureAlgorithm` that differs from the TBSCertificate's `signature` field (RFC 5280 §4.1.1.2);
 * - a negative serial number (RFC 5280 §4.1.2.2 requires a positive one; the API exposes a magnitude);
 * - validity times in any form but `YYMMDDHHMMSSZ` / `YYYYMMDDHHMMSSZ` (RFC 5280 §4.1.2.5);
 * - an empty or duplicated extension, `critical FALSE` spelled out, and malformed instances of the extensions the
 *   engine reads (see `extensions.ts`); names whose strings are invalid for their type (see `names.ts`).
 * Kept, for the verifier to judge: unknown critical extensions (`unknownCriticalExtensions`), unknown signature and
 * key algorithms, serial numbers longer than 20 octets, pathLenConstraint without cA.
 */
import { InvalidArgumentError, ProtocolError } from '@tlsbio/errors';
import { DerReader, TagClass, UniversalTag, decodeBitString, type DerElement } from '../asn1/der.js';
import { decodePem } from '../asn1/pem.js';
import { equalBytes } from '../crypto/bytes.js';
import {
  readExtensions,
  type BasicConstraints,
  type Extension,
  type KeyUsage,
  type NameConstraints,
  type SubjectAltName,
} from './extensions.js';
import { readName, type GeneralName, type X509Name } from './names.js';
import { readTime } from './time.js';

/** A parsed certificate. Every byte array is a view into `der`, which is the parser's own copy of the input. */
export interface Certificate {
  /** The whole certificate. */
  readonly der: Uint8Array;
  /** The TBSCertificate, as the signature covers it. */
  readonly tbs: Uint8Array;
  /** 1, 2 or 3. */
  readonly version: number;
  /** Big-endian magnitude, without leading zero bytes (zero is the empty array). */
  readonly serialNumber: Uint8Array;
  /** The signature algorithm OID (the outer one, checked equal to the TBSCertificate's). */
  readonly signatureAlgorithm: string;
  /** The DER of the signature algorithm's parameters, when present (RSASSA-PSS; NULL for PKCS #1 v1.5). */
  readonly signatureParameters?: Uint8Array;
  /** The signature: PKCS #1 / PSS bytes, a DER Ecdsa-Sig-Value, or 64 Ed25519 bytes. */
  readonly signature: Uint8Array;
  readonly issuer: X509Name;
  readonly subject: X509Name;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** SubjectPublicKeyInfo DER, for `provider.importPublicKey`. */
  readonly spki: Uint8Array;
  /** The OID of the subject public key's algorithm (rsaEncryption, id-ecPublicKey, id-Ed25519…). */
  readonly publicKeyAlgorithm: string;
  /** Every extension, in order. */
  readonly extensions: ReadonlyArray<Extension>;
  /** OIDs of critical extensions this parser does not interpret (RFC 5280 §4.2: a verifier must refuse them). */
  readonly unknownCriticalExtensions: readonly string[];
  readonly subjectAltName?: SubjectAltName;
  /** Every subjectAltName entry, in order, of every type (name constraints apply to all of them). */
  readonly altNames?: readonly GeneralName[];
  readonly basicConstraints?: BasicConstraints;
  readonly keyUsage?: ReadonlySet<KeyUsage>;
  /** Key purpose OIDs (RFC 5280 §4.2.1.12). */
  readonly extendedKeyUsage?: readonly string[];
  readonly subjectKeyIdentifier?: Uint8Array;
  /** The keyIdentifier of the authority key identifier extension, when it has one. */
  readonly authorityKeyIdentifier?: Uint8Array;
  readonly nameConstraints?: NameConstraints;
}

/** An AlgorithmIdentifier (RFC 5280 §4.1.1.2): the OID and the DER of the parameters, if any. */
export interface AlgorithmIdentifier {
  readonly oid: string;
  readonly parameters?: Uint8Array;
  readonly encoded: Uint8Array;
}

/**
 * Reads an AlgorithmIdentifier: SEQUENCE { algorithm OBJECT IDENTIFIER, parameters ANY OPTIONAL }.
 * @throws InvalidArgumentError (`BAD_DER`).
 */
export function readAlgorithmIdentifier(reader: DerReader, what: string): AlgorithmIdentifier {
  const element = reader.expect(TagClass.universal, UniversalTag.SEQUENCE, what);
  const contents = reader.contents(element);
  const oid = contents.oid(`${what} algorithm`);
  const parameters = contents.done ? undefined : contents.read(`${what} parameters`).encoded;
  contents.end(what);
  return parameters === undefined ? { oid, encoded: element.encoded } : { oid, parameters, encoded: element.encoded };
}

const ARGUMENT = 'certificate';

/**
 * Parses one DER certificate (RFC 5280 §4.1). The input is copied: later changes to it do not affect the result.
 *
 * `origin` says whose input it is, and so which error a malformed certificate raises: `'peer'` (the peer's
 * Certificate message) gives `ProtocolError` `BAD_CERTIFICATE`, which sends a bad_certificate alert
 * (RFC 8446 §6.2); `'local'` (a file the application loads, the default) gives `InvalidArgumentError` `BAD_DER`.
 *
 * @throws ProtocolError (`BAD_CERTIFICATE`, alert bad_certificate) for a malformed peer certificate.
 * @throws InvalidArgumentError (`BAD_DER`) for a malformed local certificate, or when `der` is not a Uint8Array.
 * @example
 * const cert = parseCertificate(entry.certData, 'peer');
 * cert.subjectAltName?.dns; // ['localhost', 'tlsbio.test']
 */
export function parseCertificate(der: Uint8Array, origin: 'peer' | 'local' = 'local'): Certificate {
  if (!(der instanceof Uint8Array)) {
    throw new InvalidArgumentError(ARGUMENT, 'BAD_DER', 'a certificate must be given as a Uint8Array of DER');
  }
  try {
    return readCertificate(der.slice());
  } catch (error) {
    if (origin === 'peer' && InvalidArgumentError.isInstance(error)) {
      throw new ProtocolError('BAD_CERTIFICATE', `the peer's certificate is malformed: ${error.message}`, {
        cause: error,
        fault: 'remote',
      });
    }
    throw error;
  }
}

/**
 * Every `CERTIFICATE` block of a PEM text, parsed (origin `'local'`), in order. Other blocks (keys, parameters)
 * and text around the blocks are skipped; a text without any certificate gives an empty array.
 * @throws InvalidArgumentError (`BAD_PEM`) for malformed PEM, (`BAD_DER`) for a malformed certificate.
 * @example
 * const anchors = parseCertificatesPem(readFileSync('ca.pem', 'utf8'));
 */
export function parseCertificatesPem(pem: string): Certificate[] {
  if (typeof pem !== 'string') throw new InvalidArgumentError('pem', 'BAD_PEM', 'PEM input must be a string');
  return decodePem(pem, 'pem')
    .filter((block) => block.label === 'CERTIFICATE')
    .map((block) => parseCertificate(block.der, 'local'));
}

function readCertificate(bytes: Uint8Array): Certificate {
  const top = new DerReader(bytes, ARGUMENT);
  // RFC 5280 §4.1: Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue BIT STRING }
  const certificate = top.expect(TagClass.universal, UniversalTag.SEQUENCE, 'Certificate');
  top.end('the Certificate');
  const outer = top.contents(certificate);
  const tbsElement = outer.expect(TagClass.universal, UniversalTag.SEQUENCE, 'tbsCertificate');
  const signatureAlgorithm = readAlgorithmIdentifier(outer, 'signatureAlgorithm');
  const signature = outer.bitStringBytes('signatureValue');
  outer.end('the Certificate');

  const tbs = outer.contents(tbsElement);
  // RFC 5280 §4.1.2.1: version [0] EXPLICIT Version DEFAULT v1; v1 = 0, v2 = 1, v3 = 2.
  const versionAt = tbs.offset;
  const explicitVersion = tbs.explicit(0, 'version', (reader) => reader.smallInteger('version'));
  if (explicitVersion === 0) tbs.fail('version v1 is spelled out, which DER omits (X.690 §11.5)', versionAt);
  if (explicitVersion !== undefined && explicitVersion > 2) {
    tbs.fail(`unknown certificate version ${explicitVersion + 1}`, versionAt);
  }
  const version = explicitVersion === undefined ? 1 : explicitVersion + 1;

  // RFC 5280 §4.1.2.2: a positive INTEGER (we also take zero, which some CAs have issued).
  const serialNumber = tbs.unsignedInteger('serialNumber');

  // RFC 5280 §4.1.1.2: the outer signatureAlgorithm MUST be the same as the TBSCertificate's signature field.
  const innerAlgorithm = readAlgorithmIdentifier(tbs, 'signature');
  if (!equalBytes(innerAlgorithm.encoded, signatureAlgorithm.encoded)) {
    tbs.fail('signatureAlgorithm differs from the signature field of the TBSCertificate (RFC 5280 §4.1.1.2)');
  }

  const issuer = readName(tbs, 'issuer');
  // RFC 5280 §4.1.2.5: Validity ::= SEQUENCE { notBefore Time, notAfter Time }
  const { notBefore, notAfter } = tbs.sequence('validity', (validity) => ({
    notBefore: readTime(validity, 'notBefore'),
    notAfter: readTime(validity, 'notAfter'),
  }));
  const subject = readName(tbs, 'subject');

  // RFC 5280 §4.1.2.7: SubjectPublicKeyInfo ::= SEQUENCE { algorithm AlgorithmIdentifier, subjectPublicKey BIT STRING }
  // (the key itself is checked when a provider imports it).
  const spkiElement = tbs.expect(TagClass.universal, UniversalTag.SEQUENCE, 'subjectPublicKeyInfo');
  const spkiReader = tbs.contents(spkiElement);
  const publicKeyAlgorithm = readAlgorithmIdentifier(spkiReader, 'subjectPublicKeyInfo algorithm').oid;
  spkiReader.bitString('subjectPublicKey');
  spkiReader.end('subjectPublicKeyInfo');

  // RFC 5280 §4.1.2.8: issuerUniqueID [1] and subjectUniqueID [2] IMPLICIT BIT STRING, only in v2 and v3.
  for (const [tag, what] of [
    [1, 'issuerUniqueID'],
    [2, 'subjectUniqueID'],
  ] as const) {
    const element = tbs.implicit(tag, what);
    if (element === undefined) continue;
    if (version === 1) tbs.fail(`${what} in a version 1 certificate (RFC 5280 §4.1.2.8)`, element.offset);
    uniqueIdentifier(element);
  }

  // RFC 5280 §4.1.2.9: extensions [3] EXPLICIT Extensions, only in v3.
  const extensionsAt = tbs.offset;
  const parsedExtensions = tbs.explicit(3, 'extensions', (explicit) =>
    explicit.sequence('Extensions', (list) => readExtensions(list)),
  );
  if (parsedExtensions !== undefined && version !== 3) {
    tbs.fail(`extensions in a version ${version} certificate (RFC 5280 §4.1.2.9)`, extensionsAt);
  }
  tbs.end('the TBSCertificate');

  const result: Certificate = {
    der: bytes,
    tbs: tbsElement.encoded,
    version,
    serialNumber,
    signatureAlgorithm: signatureAlgorithm.oid,
    ...(signatureAlgorithm.parameters === undefined ? {} : { signatureParameters: signatureAlgorithm.parameters }),
    signature,
    issuer,
    subject,
    notBefore,
    notAfter,
    spki: spkiElement.encoded,
    publicKeyAlgorithm,
    extensions: parsedExtensions?.extensions ?? Object.freeze([]),
    unknownCriticalExtensions: parsedExtensions?.unknownCriticalExtensions ?? Object.freeze([]),
    ...optional('subjectAltName', parsedExtensions?.subjectAltName),
    ...optional('altNames', parsedExtensions?.altNames),
    ...optional('nameConstraints', parsedExtensions?.nameConstraints),
    ...optional('basicConstraints', parsedExtensions?.basicConstraints),
    ...optional('keyUsage', parsedExtensions?.keyUsage),
    ...optional('extendedKeyUsage', parsedExtensions?.extendedKeyUsage),
    ...optional('subjectKeyIdentifier', parsedExtensions?.subjectKeyIdentifier),
    ...optional('authorityKeyIdentifier', parsedExtensions?.authorityKeyIdentifier),
  };
  return Object.freeze(result);

  function uniqueIdentifier(element: DerElement): void {
    if (element.constructed) tbs.fail('a unique identifier must be primitive', element.offset);
    decodeBitString(element, ARGUMENT, 'unique identifier');
  }
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
