/**
 * X.509 for the engine: the certificate parser (RFC 5280 §4.1, strict DER), the mapping from certificate
 * signatures to TLS signature schemes, path building and validation (RFC 5280 §6), hostname matching, and Python's `getpeercert()`
 * dictionary.
 */
export {
  parseCertificate,
  parseCertificatesPem,
  readAlgorithmIdentifier,
  type AlgorithmIdentifier,
  type Certificate,
} from './certificate.js';
export {
  KEY_USAGE_BITS,
  type BasicConstraints,
  type Extension,
  type GeneralSubtree,
  type NameConstraints,
  type KeyUsage,
  type SubjectAltName,
} from './extensions.js';
export { nameKey, namesEqual, type GeneralName, type X509Attribute, type X509Name } from './names.js';
export { certificateSignatureScheme } from './signature.js';
export { matchesHostname, parseIpAddress } from './hostname.js';
export {
  MAX_SEARCH_STEPS,
  MAX_SIGNATURE_CHECKS,
  verifyCertificateChain,
  type CertificateCheckCallback,
  type VerifyOptions,
  type VerifyPurpose,
} from './verify.js';
export { CertificatePool } from './pool.js';
export { checkNameConstraints, constrainedNames } from './name-constraints.js';
export {
  certificateToDict,
  type PeerCertificateAltName,
  type PeerCertificateDict,
  type PeerCertificateName,
} from './dict.js';
export { ExtendedKeyUsageOid, ExtensionOid, SignatureOid, attributeName } from './oids.js';
