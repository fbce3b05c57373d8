/**
 * An interim certificate chain check, to be replaced by a full RFC 5280 §6 / RFC 6125 validator.
 *
 * What it does, in OpenSSL's order (x509_vfy.c: build the chain, check extensions, check the name, then verify
 * signatures and times from the anchor down), so that the first failure reported is the one OpenSSL reports:
 * 1. Builds a path from the leaf to a trust anchor, taking issuers from the anchors first, then from the certificates
 *    the peer sent (in any order). An issuer is a certificate whose subject is the child's issuer name and whose
 *    subject key identifier, when both are present, equals the child's authority key identifier. A leaf that is
 *    itself a trust anchor is a complete path.
 * 2. Per certificate: unknown critical extensions (RFC 5280 §4.2); issuers must be CAs — basicConstraints cA, and
 *    keyCertSign when keyUsage is present (RFC 5280 §4.2.1.9, §4.2.1.3), a v1 self-signed anchor excepted; the
 *    purpose — an extendedKeyUsage present on the leaf or an intermediate must allow it (RFC 5280 §4.2.1.12), and a
 *    leaf keyUsage present must allow digitalSignature (RFC 8446 §4.4.2.2); pathLenConstraint (RFC 5280 §4.2.1.9).
 * 3. The hostname (see `hostname.ts`), when one is given.
 * 4. From the anchor down: each signature with the issuer's key (the anchor's own signature is not checked: it is
 *    trusted by configuration), and each validity period, the anchor's included.
 *
 * Not done (the full validator's job): name constraints, policies, revocation, key-size rules, AKI/SKI beyond issuer
 * selection, back-tracking over alternative paths (one issuer is chosen per step).
 */
import { CertVerificationError, InvalidArgumentError, X509VerifyCode } from '@tlsbio/errors';
import { equalBytes } from '../crypto/bytes.js';
import type { CryptoProvider, PublicKey } from '../crypto/provider.js';
import type { Certificate } from './certificate.js';
import { matchesHostname, parseIpAddress } from './hostname.js';
import { namesEqual } from './names.js';
import { ExtendedKeyUsageOid, WEAK_SIGNATURE_OIDS } from './oids.js';
import { certificateSignatureScheme } from './signature.js';

export interface InterimVerifyOptions {
  readonly provider: CryptoProvider;
  /** The certificates trusted by configuration. */
  readonly trustAnchors: readonly Certificate[];
  /**
   * The name the peer must be valid for: a DNS name (subjectAltName dNSName entries only, no CN fallback; case
   * ignored; one trailing dot ignored; a wildcard only as the whole left-most label) or an IP literal, v4 or v6
   * (subjectAltName iPAddress entries only). Not checked when absent.
   */
  readonly hostname?: string;
  /** The time to check validity periods at; now by default. */
  readonly now?: Date;
  /** The most certificates a path may have, leaf and anchor included; 10 by default. */
  readonly maxChainLength?: number;
  /** The extended key usage the leaf must allow; `'serverAuth'` by default. */
  readonly purpose?: 'serverAuth' | 'clientAuth';
}

const DEFAULT_MAX_CHAIN_LENGTH = 10;

function fail(code: number, depth: number, cause?: unknown): never {
  throw new CertVerificationError(code, depth, cause === undefined ? {} : { cause });
}

/**
 * Checks the peer's chain (leaf first, as sent) up to one of `trustAnchors`: each signature, validity periods, the
 * CA flag of issuers, the purpose, and the hostname. Issuers may be in the peer's list in any order or be an anchor;
 * a self-signed leaf that is itself an anchor passes. Returns nothing: the chain is good when it does not throw.
 *
 * @throws CertVerificationError with OpenSSL's verify code and the depth of the failing certificate (0 is the leaf):
 *   20 unable to get local issuer certificate · 19 self-signed certificate in chain · 18 self-signed leaf ·
 *   22 chain too long · 34 unhandled critical extension · 79 invalid CA certificate (OpenSSL 3.0's number; 1.1 used
 *   24) · 26 unsuitable purpose · 25 path length exceeded · 62 hostname mismatch · 64 IP address mismatch ·
 *   6 unable to decode issuer public key · 68 weak (MD5/SHA-1) signature · 7 signature failure (including a
 *   signature algorithm with no TLS scheme) · 9 not yet valid · 10 expired.
 * @throws InvalidArgumentError (`INVALID_ARGUMENT`) for an empty chain or a bad `maxChainLength`.
 * @example
 * verifyChainInterim(chain, { provider, trustAnchors, hostname: 'example.com', purpose: 'serverAuth' });
 */
export function verifyChainInterim(chain: readonly Certificate[], options: InterimVerifyOptions): void {
  const { provider, trustAnchors, hostname } = options;
  const now = options.now ?? new Date();
  const maxChainLength = options.maxChainLength ?? DEFAULT_MAX_CHAIN_LENGTH;
  const purpose = options.purpose ?? 'serverAuth';
  if (!Array.isArray(chain) || chain.length === 0) {
    throw new InvalidArgumentError('chain', 'INVALID_ARGUMENT', 'there is no certificate to verify');
  }
  if (!Number.isInteger(maxChainLength) || maxChainLength < 1) {
    throw new InvalidArgumentError('maxChainLength', 'INVALID_ARGUMENT', 'must be a positive integer');
  }

  const keys = new Map<Certificate, PublicKey | Error>();
  const importKey = (cert: Certificate): PublicKey | Error => {
    let key = keys.get(cert);
    if (key === undefined) {
      try {
        key = provider.importPublicKey(cert.spki);
      } catch (error) {
        if (!InvalidArgumentError.isInstance(error)) throw error;
        key = error;
      }
      keys.set(cert, key);
    }
    return key;
  };
  const signatureVerifies = (cert: Certificate, issuer: Certificate): boolean => {
    const key = importKey(issuer);
    if (key instanceof Error) return false;
    const scheme = certificateSignatureScheme(cert, key);
    const algorithm = scheme === undefined ? undefined : provider.signatures[scheme];
    return algorithm !== undefined && algorithm.supportsKey(key) && algorithm.verify(key, cert.tbs, cert.signature);
  };

  // 1. The path, leaf first. `anchored` once its last certificate is a trust anchor.
  const leaf = chain[0] as Certificate;
  const path: Certificate[] = [leaf];
  let anchored = trustAnchors.some((anchor) => equalBytes(anchor.der, leaf.der));
  const used = new Set<number>([0]);
  while (!anchored) {
    const current = path[path.length - 1] as Certificate;
    const choose = (candidates: Certificate[]): Certificate | undefined =>
      candidates.length > 1 ? (candidates.find((c) => signatureVerifies(current, c)) ?? candidates[0]) : candidates[0];
    let issuer = choose(trustAnchors.filter((anchor) => issues(anchor, current)));
    if (issuer !== undefined) {
      anchored = true;
    } else {
      if (issues(current, current)) break; // a self-signed certificate that is not trusted ends the path
      const candidates: Certificate[] = [];
      chain.forEach((cert, index) => {
        if (!used.has(index) && issues(cert, current)) candidates.push(cert);
      });
      issuer = choose(candidates);
      if (issuer === undefined) break;
      used.add(chain.indexOf(issuer));
    }
    // The path would have more certificates than allowed: OpenSSL's "certificate chain too long".
    if (path.length >= maxChainLength) fail(X509VerifyCode.X509_V_ERR_CERT_CHAIN_TOO_LONG, path.length);
    path.push(issuer);
  }
  const top = path.length - 1;
  if (!anchored) {
    const topCert = path[top] as Certificate;
    if (issues(topCert, topCert)) {
      fail(
        top === 0
          ? X509VerifyCode.X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT
          : X509VerifyCode.X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN,
        top,
      );
    }
    fail(X509VerifyCode.X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, top);
  }

  // 2. Extensions, CA flags, purpose and path length, leaf first.
  const purposeOid = purpose === 'serverAuth' ? ExtendedKeyUsageOid.serverAuth : ExtendedKeyUsageOid.clientAuth;
  let intermediates = 0; // non-self-issued intermediates below the certificate being checked
  path.forEach((cert, depth) => {
    const isAnchor = depth === top;
    // RFC 5280 §4.2: "A certificate-using system MUST reject the certificate if it encounters a critical extension
    // it does not recognize".
    if (cert.unknownCriticalExtensions.length > 0) fail(X509VerifyCode.X509_V_ERR_UNHANDLED_CRITICAL_EXTENSION, depth);
    if (depth > 0) {
      // RFC 5280 §4.2.1.9 and §4.2.1.3: an issuer asserts cA, and keyCertSign if it restricts its key usage. OpenSSL
      // also trusts a v1 self-signed root as a CA.
      const v1Root = isAnchor && cert.version === 1 && issues(cert, cert);
      const ca = cert.basicConstraints?.ca === true && (cert.keyUsage?.has('keyCertSign') ?? true);
      if (!ca && !v1Root) fail(X509VerifyCode.X509_V_ERR_INVALID_CA, depth);
    }
    if (!isAnchor || depth === 0) {
      // RFC 5280 §4.2.1.12: an extendedKeyUsage that is present must allow the purpose (or anyExtendedKeyUsage).
      const eku = cert.extendedKeyUsage;
      if (eku !== undefined && !eku.includes(purposeOid) && !eku.includes(ExtendedKeyUsageOid.anyExtendedKeyUsage)) {
        fail(X509VerifyCode.X509_V_ERR_INVALID_PURPOSE, depth);
      }
      // RFC 8446 §4.4.2.2 (and RFC 5246 §7.4.2 for ECDHE): the leaf key signs the handshake.
      if (depth === 0 && cert.keyUsage !== undefined && !cert.keyUsage.has('digitalSignature')) {
        fail(X509VerifyCode.X509_V_ERR_INVALID_PURPOSE, depth);
      }
    }
    if (depth > 0) {
      // RFC 5280 §4.2.1.9: pathLenConstraint counts the non-self-issued intermediates that may follow.
      const limit = cert.basicConstraints?.pathLength;
      if (limit !== undefined && intermediates > limit) fail(X509VerifyCode.X509_V_ERR_PATH_LENGTH_EXCEEDED, depth);
      if (!namesEqual(cert.subject, cert.issuer)) intermediates++;
    }
  });

  // 3. The name the peer must be valid for.
  if (hostname !== undefined && !matchesHostname(leaf, hostname)) {
    fail(
      parseIpAddress(hostname) === undefined
        ? X509VerifyCode.X509_V_ERR_HOSTNAME_MISMATCH
        : X509VerifyCode.X509_V_ERR_IP_ADDRESS_MISMATCH,
      0,
    );
  }

  // 4. Signatures and validity periods, from the anchor down (OpenSSL's internal_verify order).
  for (let depth = top; depth >= 0; depth--) {
    const cert = path[depth] as Certificate;
    if (depth < top) checkSignature(cert, path[depth + 1] as Certificate, depth);
    // RFC 5280 §4.1.2.5: valid from notBefore to notAfter, both inclusive.
    if (now.getTime() < cert.notBefore.getTime()) fail(X509VerifyCode.X509_V_ERR_CERT_NOT_YET_VALID, depth);
    if (now.getTime() > cert.notAfter.getTime()) fail(X509VerifyCode.X509_V_ERR_CERT_HAS_EXPIRED, depth);
  }

  function checkSignature(cert: Certificate, issuer: Certificate, depth: number): void {
    const key = importKey(issuer);
    // OpenSSL reports an unusable issuer key at the issuer's depth.
    if (key instanceof Error) fail(X509VerifyCode.X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY, depth + 1, key);
    if (WEAK_SIGNATURE_OIDS.has(cert.signatureAlgorithm)) {
      fail(
        X509VerifyCode.X509_V_ERR_CA_MD_TOO_WEAK,
        depth,
        new InvalidArgumentError(
          'certificate',
          'UNSUPPORTED_ALGORITHM',
          `weak signature algorithm ${cert.signatureAlgorithm}`,
        ),
      );
    }
    const scheme = certificateSignatureScheme(cert, key);
    const algorithm = scheme === undefined ? undefined : provider.signatures[scheme];
    if (algorithm === undefined || !algorithm.supportsKey(key)) {
      fail(
        X509VerifyCode.X509_V_ERR_CERT_SIGNATURE_FAILURE,
        depth,
        new InvalidArgumentError(
          'certificate',
          'UNSUPPORTED_ALGORITHM',
          `no supported signature scheme for ${cert.signatureAlgorithm} with the issuer's ${describeKey(key)} key`,
        ),
      );
    }
    if (!algorithm.verify(key, cert.tbs, cert.signature)) fail(X509VerifyCode.X509_V_ERR_CERT_SIGNATURE_FAILURE, depth);
  }
}

/** True when `issuer`'s subject is `cert`'s issuer and their key identifiers, if both present, agree. */
function issues(issuer: Certificate, cert: Certificate): boolean {
  if (!namesEqual(issuer.subject, cert.issuer)) return false;
  const aki = cert.authorityKeyIdentifier;
  const ski = issuer.subjectKeyIdentifier;
  return aki === undefined || ski === undefined || equalBytes(aki, ski);
}

function describeKey(key: PublicKey): string {
  if (key.type === 'ec') return key.curve ?? 'EC';
  if (key.type === 'rsa' || key.type === 'rsa-pss')
    return key.bits === undefined ? key.type : `${key.type} ${key.bits}-bit`;
  return key.type;
}
