/**
 * Python's `ssl.SSLSocket.getpeercert()` dictionary for a certificate, built as CPython's `_decode_certificate`
 * builds it from OpenSSL (Modules/_ssl.c), so code ported from Python reads the same values. Python's tuples are
 * arrays here.
 *
 * Differences, all for inputs OpenSSL would print differently or refuse: name values of a non-string type are `#`
 * and their DER in hex (Python raises); otherName, x400Address and ediPartyName print as OpenSSL 3.0 prints types it
 * has no printer for (`('othername', '<unsupported>')`), also for the few otherName types OpenSSL 3.0 does print.
 */
import { DerReader } from '../asn1/der.js';
import { isTLSError } from '@tlsbio/errors';
import type { Certificate } from './certificate.js';
import { readGeneralName, readGeneralNameList, readGeneralNames, type GeneralName, type X509Name } from './names.js';
import { AccessMethodOid, ExtensionOid } from './oids.js';

/** A distinguished name as Python prints it: RDNs, each an array of `[attribute name, value]` pairs. */
export type PeerCertificateName = ReadonlyArray<ReadonlyArray<readonly [string, string]>>;

/** One subjectAltName entry: `['DNS', 'example.com']`, `['IP Address', '127.0.0.1']`, `['DirName', name]`… */
export type PeerCertificateAltName = readonly [string, string] | readonly ['DirName', PeerCertificateName];

/** The dictionary `getpeercert()` returns, key for key, in Python's order. */
export interface PeerCertificateDict {
  readonly subject: PeerCertificateName;
  readonly issuer: PeerCertificateName;
  /** 1, 2 or 3. */
  readonly version: number;
  /** Upper-case hex of the serial number, two digits per byte (`'0A1B'`). */
  readonly serialNumber: string;
  /** `'Jan  5 09:34:43 2018 GMT'`, as OpenSSL's ASN1_TIME_print writes it. */
  readonly notBefore: string;
  readonly notAfter: string;
  /** Present when the certificate has a subjectAltName extension. */
  readonly subjectAltName?: readonly PeerCertificateAltName[];
  /** The OCSP responder URIs of the authority information access extension, when there are any. */
  readonly OCSP?: readonly string[];
  /** The caIssuers URIs of the authority information access extension, when there are any. */
  readonly caIssuers?: readonly string[];
  /** The full-name URIs of the CRL distribution points extension, when there are any. */
  readonly crlDistributionPoints?: readonly string[];
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

// OpenSSL's ASN1_TIME_print: "%s %2d %02d:%02d:%02d %d GMT".
function formatTime(date: Date): string {
  const two = (value: number): string => String(value).padStart(2, '0');
  return (
    `${MONTHS[date.getUTCMonth()]} ${String(date.getUTCDate()).padStart(2, ' ')} ` +
    `${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())} ${date.getUTCFullYear()} GMT`
  );
}

// OpenSSL's i2a_ASN1_INTEGER writes two upper-case digits per byte ("00" for zero) and a backslash-newline after
// every 35 bytes; CPython reads that back with one BIO_gets, which stops at the first newline. So a serial number
// longer than 35 bytes (RFC 5280 §4.1.2.2 allows 20) comes out as its first 35 bytes and a backslash-newline.
function formatSerial(magnitude: Uint8Array): string {
  if (magnitude.length === 0) return '00';
  let out = '';
  for (const byte of magnitude.subarray(0, 35)) out += byte.toString(16).toUpperCase().padStart(2, '0');
  return magnitude.length > 35 ? `${out}\\\n` : out;
}

function nameTuple(name: X509Name): PeerCertificateName {
  return name.attributes.map((rdn) => rdn.map((attribute) => [attribute.name, attribute.value] as const));
}

// CPython's _get_peer_alt_names: IPv6 as eight "%X" groups, uncompressed.
function formatIp(bytes: Uint8Array): string {
  if (bytes.length === 4) return Array.from(bytes).join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2)
    groups.push((((bytes[i] as number) << 8) | (bytes[i + 1] as number)).toString(16).toUpperCase());
  return groups.join(':');
}

function altName(name: GeneralName): PeerCertificateAltName {
  switch (name.type) {
    case 'dNSName':
      return ['DNS', name.value];
    case 'iPAddress':
      return ['IP Address', formatIp(name.bytes)];
    case 'rfc822Name':
      return ['email', name.value];
    case 'uniformResourceIdentifier':
      return ['URI', name.value];
    case 'directoryName':
      return ['DirName', nameTuple(name.name)];
    case 'registeredID':
      return ['Registered ID', name.oid];
    case 'otherName':
      return ['othername', '<unsupported>'];
    case 'x400Address':
      return ['X400Name', '<unsupported>'];
    case 'ediPartyName':
      return ['EdiPartyName', '<unsupported>'];
  }
}

function extensionValue(cert: Certificate, oid: string): Uint8Array | undefined {
  return cert.extensions.find((extension) => extension.oid === oid)?.value;
}

// Like OpenSSL's X509_get_ext_d2i, which Python calls: an extension that does not decode is treated as absent.
function tolerant<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch (error) {
    if (isTLSError(error)) return undefined;
    throw error;
  }
}

// RFC 5280 §4.2.2.1: AuthorityInfoAccessSyntax ::= SEQUENCE SIZE (1..MAX) OF AccessDescription
//   AccessDescription ::= SEQUENCE { accessMethod OBJECT IDENTIFIER, accessLocation GeneralName }
function accessUris(value: Uint8Array, method: string): string[] {
  const reader = new DerReader(value, 'authorityInfoAccess');
  const uris: string[] = [];
  reader.sequence('AuthorityInfoAccessSyntax', (list) => {
    while (!list.done) {
      list.sequence('AccessDescription', (description) => {
        const accessMethod = description.oid('accessMethod');
        const location = readGeneralName(description, 'accessLocation');
        if (accessMethod === method && location.type === 'uniformResourceIdentifier') uris.push(location.value);
      });
    }
  });
  reader.end();
  return uris;
}

// RFC 5280 §4.2.1.13: CRLDistributionPoints ::= SEQUENCE SIZE (1..MAX) OF DistributionPoint
//   DistributionPoint ::= SEQUENCE { distributionPoint [0] DistributionPointName OPTIONAL, reasons [1] OPTIONAL,
//   cRLIssuer [2] OPTIONAL };  DistributionPointName ::= CHOICE { fullName [0] GeneralNames, … [1] }
function crlUris(value: Uint8Array): string[] {
  const reader = new DerReader(value, 'crlDistributionPoints');
  const uris: string[] = [];
  reader.sequence('CRLDistributionPoints', (list) => {
    while (!list.done) {
      list.sequence('DistributionPoint', (point) => {
        point.explicit(0, 'distributionPoint', (name) => {
          const fullName = name.implicit(0, 'fullName');
          if (fullName === undefined) {
            name.read('nameRelativeToCRLIssuer');
            return;
          }
          const names = name.contents(fullName);
          for (const general of readGeneralNameList(names, 'fullName')) {
            if (general.type === 'uniformResourceIdentifier') uris.push(general.value);
          }
          names.end('fullName');
        });
        point.implicit(1, 'reasons');
        point.implicit(2, 'cRLIssuer');
      });
    }
  });
  reader.end();
  return uris;
}

/**
 * Python's `getpeercert()` dictionary for `cert`: subject and issuer as tuples of RDN tuples
 * (`[[['commonName', 'x']], …]`), version, serialNumber (upper-case hex), notBefore/notAfter
 * (`'Jan  5 09:34:43 2018 GMT'`), and, when the extensions are present, subjectAltName, OCSP, caIssuers and
 * crlDistributionPoints. Never throws for a parsed certificate: an information extension that does not decode is
 * left out, as Python leaves it out.
 * @example
 * certificateToDict(cert).subjectAltName; // [['DNS', 'localhost'], ['IP Address', '0:0:0:0:0:0:0:1']]
 */
export function certificateToDict(cert: Certificate): PeerCertificateDict {
  const dict: {
    -readonly [K in keyof PeerCertificateDict]: PeerCertificateDict[K];
  } = {
    subject: nameTuple(cert.subject),
    issuer: nameTuple(cert.issuer),
    version: cert.version,
    serialNumber: formatSerial(cert.serialNumber),
    notBefore: formatTime(cert.notBefore),
    notAfter: formatTime(cert.notAfter),
  };
  const san = extensionValue(cert, ExtensionOid.subjectAltName);
  if (san !== undefined) {
    const names = tolerant(() => {
      const reader = new DerReader(san, 'subjectAltName');
      const list = readGeneralNames(reader, 'subjectAltName');
      reader.end();
      return list;
    });
    if (names !== undefined) dict.subjectAltName = names.map(altName);
  }
  const aia = extensionValue(cert, ExtensionOid.authorityInfoAccess);
  if (aia !== undefined) {
    const ocsp = tolerant(() => accessUris(aia, AccessMethodOid.ocsp));
    if (ocsp !== undefined && ocsp.length > 0) dict.OCSP = ocsp;
    const caIssuers = tolerant(() => accessUris(aia, AccessMethodOid.caIssuers));
    if (caIssuers !== undefined && caIssuers.length > 0) dict.caIssuers = caIssuers;
  }
  const crl = extensionValue(cert, ExtensionOid.crlDistributionPoints);
  if (crl !== undefined) {
    const uris = tolerant(() => crlUris(crl));
    if (uris !== undefined && uris.length > 0) dict.crlDistributionPoints = uris;
  }
  return dict;
}
