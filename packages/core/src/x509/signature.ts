/**
 * Which TLS signature scheme (RFC 8446 §4.2.3) checks a certificate's signature: the provider verifies certificate
 * signatures with the same `SignatureScheme` objects it uses for CertificateVerify, so the certificate's algorithm
 * and the issuer's key are mapped onto one of those.
 */
import { isTLSError } from '@tlsbio/errors';
import { DerReader, decodeDer } from '../asn1/der.js';
import type { HashName, PublicKey, SignatureSchemeName } from '../crypto/provider.js';
import { readAlgorithmIdentifier, type Certificate } from './certificate.js';
import { HashOid, SignatureOid } from './oids.js';

const HASHES: Readonly<Record<string, { readonly name: HashName; readonly length: number }>> = {
  [HashOid.sha256]: { name: 'sha256', length: 32 },
  [HashOid.sha384]: { name: 'sha384', length: 48 },
  [HashOid.sha512]: { name: 'sha512', length: 64 },
};

const PKCS1: Readonly<Record<string, SignatureSchemeName>> = {
  [SignatureOid.sha256WithRSAEncryption]: 'rsa_pkcs1_sha256',
  [SignatureOid.sha384WithRSAEncryption]: 'rsa_pkcs1_sha384',
  [SignatureOid.sha512WithRSAEncryption]: 'rsa_pkcs1_sha512',
};

function isNull(parameters: Uint8Array | undefined): boolean {
  return parameters !== undefined && parameters.length === 2 && parameters[0] === 0x05 && parameters[1] === 0x00;
}

/**
 * The TLS signature scheme (a key of `provider.signatures`) that verifies `cert`'s signature with `issuerKey`, or
 * `undefined` when there is none:
 * - sha256/384/512WithRSAEncryption (parameters NULL or absent, RFC 4055 §5) on an rsaEncryption key:
 *   `rsa_pkcs1_sha256/384/512`;
 * - RSASSA-PSS with SHA-256/384/512, MGF1 with the same hash, a salt as long as the hash and the standard trailer
 *   (RFC 4055 §3.1; what RFC 8446 §4.2.3 fixes for TLS): `rsa_pss_rsae_*` on an rsaEncryption key,
 *   `rsa_pss_pss_*` on an id-RSASSA-PSS key;
 * - ecdsa-with-SHA256 from a P-256 key, ecdsa-with-SHA384 from a P-384 key (parameters absent, RFC 5758 §3.2):
 *   `ecdsa_secp256r1_sha256`, `ecdsa_secp384r1_sha384`;
 * - Ed25519 (parameters absent, RFC 8410 §3): `ed25519`.
 *
 * Undefined for MD5 and SHA-1 (and SHA-224), unknown algorithms, parameters other than the above, a key of the
 * wrong type, and the ECDSA hash/curve pairs TLS has no scheme for (ecdsa-with-SHA384 from a P-256 key, SHA-256
 * from P-384, any SHA-512): those are valid X.509 but cannot be checked through a TLS scheme.
 *
 * @example
 * const scheme = certificateSignatureScheme(leaf, provider.importPublicKey(issuer.spki));
 * const ok = scheme !== undefined && provider.signatures[scheme]?.verify(key, leaf.tbs, leaf.signature) === true;
 */
export function certificateSignatureScheme(cert: Certificate, issuerKey: PublicKey): SignatureSchemeName | undefined {
  const oid = cert.signatureAlgorithm;
  const parameters = cert.signatureParameters;
  const pkcs1 = PKCS1[oid];
  if (pkcs1 !== undefined) {
    // RFC 4055 §5: the parameters MUST be NULL, and implementations MUST accept them absent.
    if (parameters !== undefined && !isNull(parameters)) return undefined;
    return issuerKey.type === 'rsa' ? pkcs1 : undefined;
  }
  switch (oid) {
    case SignatureOid.ecdsaWithSHA256:
      // RFC 5758 §3.2: the parameters field MUST be absent.
      if (parameters !== undefined || issuerKey.type !== 'ec') return undefined;
      return issuerKey.curve === 'P-256' ? 'ecdsa_secp256r1_sha256' : undefined;
    case SignatureOid.ecdsaWithSHA384:
      if (parameters !== undefined || issuerKey.type !== 'ec') return undefined;
      return issuerKey.curve === 'P-384' ? 'ecdsa_secp384r1_sha384' : undefined;
    case SignatureOid.ed25519:
      // RFC 8410 §3: the parameters MUST be absent.
      return parameters === undefined && issuerKey.type === 'ed25519' ? 'ed25519' : undefined;
    case SignatureOid.rsassaPss: {
      const hash = parameters === undefined ? undefined : pssHash(parameters);
      if (hash === undefined) return undefined;
      if (issuerKey.type === 'rsa') return `rsa_pss_rsae_${hash}`;
      if (issuerKey.type === 'rsa-pss') return `rsa_pss_pss_${hash}`;
      return undefined;
    }
    default:
      return undefined;
  }
}

// RFC 4055 §3.1 (EXPLICIT tags): RSASSA-PSS-params ::= SEQUENCE {
//   hashAlgorithm [0] HashAlgorithm DEFAULT sha1, maskGenAlgorithm [1] MaskGenAlgorithm DEFAULT mgf1SHA1,
//   saltLength [2] INTEGER DEFAULT 20, trailerField [3] TrailerField DEFAULT trailerFieldBC }
// The defaults are SHA-1, which TLS does not use: a usable set spells out [0], [1] and [2].
function pssHash(parameters: Uint8Array): HashName | undefined {
  try {
    return decodeDer(parameters, 'signatureParameters', (reader) =>
      reader.sequence('RSASSA-PSS-params', (params) => {
        const hash = params.explicit(0, 'hashAlgorithm', (r) => hashAlgorithm(r));
        const mgf = params.explicit(1, 'maskGenAlgorithm', (r) => {
          const algorithm = readAlgorithmIdentifier(r, 'maskGenAlgorithm');
          if (algorithm.oid !== HashOid.mgf1 || algorithm.parameters === undefined) return undefined;
          return decodeDer(algorithm.parameters, 'signatureParameters', (inner) => hashAlgorithm(inner)?.name);
        });
        const salt = params.explicit(2, 'saltLength', (r) => r.smallInteger('saltLength'));
        const trailer = params.explicit(3, 'trailerField', (r) => r.smallInteger('trailerField'));
        if (hash === undefined || mgf !== hash.name || salt !== hash.length) return undefined;
        if (trailer !== undefined && trailer !== 1) return undefined;
        return hash.name;
      }),
    );
  } catch (error) {
    if (isTLSError(error)) return undefined; // malformed parameters: no scheme
    throw error;
  }
}

// RFC 4055 §2.1: a SHA-2 AlgorithmIdentifier has its parameters absent, or NULL (which implementations accept).
function hashAlgorithm(reader: DerReader): { readonly name: HashName; readonly length: number } | undefined {
  const algorithm = readAlgorithmIdentifier(reader, 'hashAlgorithm');
  if (algorithm.parameters !== undefined && !isNull(algorithm.parameters)) return undefined;
  return HASHES[algorithm.oid];
}
