/**
 * Object identifiers the certificate parser and the path validator read, beyond the key algorithms in
 * `asn1/oids.ts`: signature algorithms, hashes, extensions, extended key usages, access methods, and the attribute
 * types of distinguished names with the names OpenSSL (and so Python's `ssl`) gives them.
 */

/** Signature algorithms (RFC 4055, RFC 5758, RFC 8410, RFC 3279). */
export const SignatureOid = {
  md2WithRSAEncryption: '1.2.840.113549.1.1.2',
  md5WithRSAEncryption: '1.2.840.113549.1.1.4',
  sha1WithRSAEncryption: '1.2.840.113549.1.1.5',
  rsassaPss: '1.2.840.113549.1.1.10',
  sha256WithRSAEncryption: '1.2.840.113549.1.1.11',
  sha384WithRSAEncryption: '1.2.840.113549.1.1.12',
  sha512WithRSAEncryption: '1.2.840.113549.1.1.13',
  sha224WithRSAEncryption: '1.2.840.113549.1.1.14',
  ecdsaWithSHA1: '1.2.840.10045.4.1',
  ecdsaWithSHA224: '1.2.840.10045.4.3.1',
  ecdsaWithSHA256: '1.2.840.10045.4.3.2',
  ecdsaWithSHA384: '1.2.840.10045.4.3.3',
  ecdsaWithSHA512: '1.2.840.10045.4.3.4',
  dsaWithSHA1: '1.2.840.10040.4.3',
  ed25519: '1.3.101.112',
  ed448: '1.3.101.113',
} as const;

/**
 * Signature algorithms whose digest is broken (MD2, MD5, SHA-1). OpenSSL refuses them at security level 2 and up
 * (Python's default) with `X509_V_ERR_CA_MD_TOO_WEAK`; so do we, at every level.
 */
export const WEAK_SIGNATURE_OIDS: ReadonlySet<string> = new Set([
  SignatureOid.md2WithRSAEncryption,
  SignatureOid.md5WithRSAEncryption,
  SignatureOid.sha1WithRSAEncryption,
  SignatureOid.ecdsaWithSHA1,
  SignatureOid.dsaWithSHA1,
]);

/** Hash algorithms (RFC 5754 §2, RFC 3279 §2.1) and id-mgf1 (RFC 8017 §A.2.1). */
export const HashOid = {
  sha1: '1.3.14.3.2.26',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
  mgf1: '1.2.840.113549.1.1.8',
} as const;

/** Certificate extensions (RFC 5280 §4.2). */
export const ExtensionOid = {
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  issuerAltName: '2.5.29.18',
  basicConstraints: '2.5.29.19',
  nameConstraints: '2.5.29.30',
  crlDistributionPoints: '2.5.29.31',
  certificatePolicies: '2.5.29.32',
  policyMappings: '2.5.29.33',
  authorityKeyIdentifier: '2.5.29.35',
  policyConstraints: '2.5.29.36',
  extKeyUsage: '2.5.29.37',
  inhibitAnyPolicy: '2.5.29.54',
  authorityInfoAccess: '1.3.6.1.5.5.7.1.1',
} as const;

/**
 * The extensions this module understands and the path validator enforces. Any other extension marked critical is
 * listed in `Certificate.unknownCriticalExtensions` (RFC 5280 §4.2: a certificate with a critical extension the
 * verifier does not process MUST be rejected). The policy extensions are deliberately absent: the
 * validator does no policy processing, so a critical one stops verification rather than being silently ignored.
 */
export const HANDLED_EXTENSIONS: ReadonlySet<string> = new Set([
  ExtensionOid.subjectKeyIdentifier,
  ExtensionOid.keyUsage,
  ExtensionOid.subjectAltName,
  ExtensionOid.basicConstraints,
  ExtensionOid.authorityKeyIdentifier,
  ExtensionOid.extKeyUsage,
  ExtensionOid.nameConstraints,
]);

/** Extended key usage purposes (RFC 5280 §4.2.1.12). */
export const ExtendedKeyUsageOid = {
  anyExtendedKeyUsage: '2.5.29.37.0',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  codeSigning: '1.3.6.1.5.5.7.3.3',
  emailProtection: '1.3.6.1.5.5.7.3.4',
  timeStamping: '1.3.6.1.5.5.7.3.8',
  ocspSigning: '1.3.6.1.5.5.7.3.9',
} as const;

/** Access methods of the authority information access extension (RFC 5280 §4.2.2.1). */
export const AccessMethodOid = {
  ocsp: '1.3.6.1.5.5.7.48.1',
  caIssuers: '1.3.6.1.5.5.7.48.2',
} as const;

/**
 * Attribute types of distinguished names, by OID, with OpenSSL's long names: the names Python's
 * `getpeercert()` prints (it asks `OBJ_obj2txt` for a name, which gives the long name). An OID not listed here is
 * printed in dotted form, as Python prints it.
 */
export const ATTRIBUTE_NAMES: Readonly<Record<string, string>> = {
  '2.5.4.3': 'commonName',
  '2.5.4.4': 'surname',
  '2.5.4.5': 'serialNumber',
  '2.5.4.6': 'countryName',
  '2.5.4.7': 'localityName',
  '2.5.4.8': 'stateOrProvinceName',
  '2.5.4.9': 'streetAddress',
  '2.5.4.10': 'organizationName',
  '2.5.4.11': 'organizationalUnitName',
  '2.5.4.12': 'title',
  '2.5.4.13': 'description',
  '2.5.4.14': 'searchGuide',
  '2.5.4.15': 'businessCategory',
  '2.5.4.16': 'postalAddress',
  '2.5.4.17': 'postalCode',
  '2.5.4.18': 'postOfficeBox',
  '2.5.4.19': 'physicalDeliveryOfficeName',
  '2.5.4.20': 'telephoneNumber',
  '2.5.4.41': 'name',
  '2.5.4.42': 'givenName',
  '2.5.4.43': 'initials',
  '2.5.4.44': 'generationQualifier',
  '2.5.4.45': 'x500UniqueIdentifier',
  '2.5.4.46': 'dnQualifier',
  '2.5.4.51': 'houseIdentifier',
  '2.5.4.54': 'dmdName',
  '2.5.4.65': 'pseudonym',
  '2.5.4.72': 'role',
  '2.5.4.97': 'organizationIdentifier',
  '1.2.840.113549.1.9.1': 'emailAddress',
  '1.2.840.113549.1.9.2': 'unstructuredName',
  '1.2.840.113549.1.9.8': 'unstructuredAddress',
  '0.9.2342.19200300.100.1.1': 'userId',
  '0.9.2342.19200300.100.1.25': 'domainComponent',
  '1.3.6.1.4.1.311.60.2.1.1': 'jurisdictionLocalityName',
  '1.3.6.1.4.1.311.60.2.1.2': 'jurisdictionStateOrProvinceName',
  '1.3.6.1.4.1.311.60.2.1.3': 'jurisdictionCountryName',
};

/** The long name of an attribute type, or its dotted OID when it has none. */
export function attributeName(oid: string): string {
  return Object.hasOwn(ATTRIBUTE_NAMES, oid) ? (ATTRIBUTE_NAMES[oid] as string) : oid;
}
