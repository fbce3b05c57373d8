/**
 * X.509 for the engine: the certificate parser (RFC 5280 §4.1, strict DER), the mapping from certificate
 * signatures to TLS signature schemes, hostname matching, the interim chain check, and Python's `getpeercert()`
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
  type KeyUsage,
  type SubjectAltName,
} from './extensions.js';
export { namesEqual, type GeneralName, type X509Attribute, type X509Name } from './names.js';
export { certificateSignatureScheme } from './signature.js';
export { matchesHostname, parseIpAddress } from './hostname.js';
export { verifyChainInterim, type InterimVerifyOptions } from './verify-interim.js';
export {
  certificateToDict,
  type PeerCertificateAltName,
  type PeerCertificateDict,
  type PeerCertificateName,
} from './dict.js';
export { ExtendedKeyUsageOid, ExtensionOid, SignatureOid, attributeName } from './oids.js';
