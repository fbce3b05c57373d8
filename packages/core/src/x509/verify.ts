/**
 * Certificate path building and validation (RFC 5280 §6, with RFC 4158's path-building ideas).
 *
 * Building is a depth-first search from the leaf towards a trust anchor. At each step the candidate issuers are the
 * certificates whose subject is the current certificate's issuer name, taken from the trust anchors first (the
 * shortest path), then from the certificates the peer sent (in any order), then from the extra intermediates; within
 * each source, a candidate whose subject key identifier equals the child's authority key identifier comes before
 * one without a key identifier, and one valid now before one that is not (RFC 4158 §3.5). A candidate whose key
 * identifier contradicts the child's is no issuer. A certificate is never used twice in a path, nor a second
 * certificate with the same subject and key (a loop through cross-certificates). Each step checks the signature
 * (Go and rustls do the same): a path whose signature fails is not a path, so a cross-signed or re-issued
 * intermediate with a bad, weak or unusable signature leaves room for its alternatives.
 *
 * A path ends at the first certificate that is a trust anchor — one with the same subject and key as a certificate
 * in the trust store, which may be an intermediate (OpenSSL's X509_V_FLAG_PARTIAL_CHAIN, on by default in Python
 * 3.13). Each complete path is validated, in OpenSSL 3.0's order so that a path's first failure is the one
 * `openssl verify` reports:
 * 1. per certificate, leaf first: unknown critical extensions (34); issuers are CAs — basicConstraints cA, and
 *    keyCertSign when keyUsage is present, a v1 self-signed anchor excepted (79, as OpenSSL 3.0); the purpose — an
 *    extendedKeyUsage on the leaf or an issuer must name it; anyExtendedKeyUsage alone does not, as in OpenSSL (26) —
 *    and a TLS leaf's keyUsage, when present, must allow digitalSignature (26, RFC 8446 §4.4.2.2); pathLenConstraint
 *    (25);
 * 2. key sizes: RSA below `minimumRsaBits` (2048 by default) — 66 for the leaf, 67 for a CA; MD5 and SHA-1
 *    signatures (68);
 * 3. the host name or IP address (62, 64; see `hostname.ts`);
 * 4. from the anchor down, each signature (6 unusable issuer key, 7 failure) and each validity period, the anchor's
 *    included (9 not yet valid, 10 expired), at `now`;
 * 5. name constraints of every CA above each certificate (47, 48, 49, 51, 53; see `name-constraints.ts`).
 * The first path that passes wins. When none does, the error reported is the most useful one met: a failure of a
 * complete path before a bad signature on the way to an anchor, before "no path to an anchor" (20 unable to get
 * local issuer certificate, 18 self-signed leaf, 19 self-signed certificate in chain, 22 chain too long).
 *
 * The search is bounded: at most {@link MAX_SEARCH_STEPS} candidate issuers are considered and at most
 * {@link MAX_SIGNATURE_CHECKS} signatures checked per call, so adversarial sets of same-named certificates cannot
 * make it exponential.
 *
 * Not done: certificate policies (a critical policy extension stops verification with 34), revocation (CRLs,
 * OCSP), the OpenSSL checks X509_V_FLAG_X509_STRICT adds.
 */
import { CertVerificationError, InvalidArgumentError, X509VerifyCode } from '@tlsbio/errors';
import { equalBytes } from '../crypto/bytes.js';
import type { CryptoProvider, PublicKey } from '../crypto/provider.js';
import type { Certificate } from './certificate.js';
import { matchesHostname, parseIpAddress } from './hostname.js';
import { checkNameConstraints, constrainedNames } from './name-constraints.js';
import { namesEqual } from './names.js';
import { ExtendedKeyUsageOid, WEAK_SIGNATURE_OIDS } from './oids.js';
import { CertificatePool } from './pool.js';
import { certificateSignatureScheme } from './signature.js';

/** What the leaf must be good for: a TLS server, a TLS client, or anything (no purpose checks). */
export type VerifyPurpose = 'serverAuth' | 'clientAuth' | 'any';

/**
 * Decides about one certificate, as OpenSSL's verify callback (and pyOpenSSL's, without the connection): called
 * with `ok` false and an `X509_V_ERR_*` code for each failure — return true to carry on as if it passed — and, once
 * the path is checked, with `ok` true and code 0 for each certificate from the anchor down — return false to refuse
 * it (X509_V_ERR_APPLICATION_VERIFICATION).
 */
export type CertificateCheckCallback = (cert: Certificate, errno: number, depth: number, ok: boolean) => boolean;

export interface VerifyOptions {
  readonly provider: CryptoProvider;
  /** The certificates trusted by configuration. */
  readonly trustAnchors: CertificatePool | readonly Certificate[];
  /** Untrusted certificates that may complete a path the peer left incomplete (`openssl verify -untrusted`). */
  readonly intermediates?: CertificatePool | readonly Certificate[];
  /**
   * The name the leaf must be valid for: a DNS name (subjectAltName dNSName entries only, no CN fallback) or an IP
   * literal, v4 or v6 (iPAddress entries only). Not checked when absent.
   */
  readonly hostname?: string;
  /** `'serverAuth'` by default. */
  readonly purpose?: VerifyPurpose;
  /** The time to check validity periods at; now by default. */
  readonly now?: Date;
  /** The most certificates a path may have, leaf and anchor included; 10 by default. */
  readonly maxChainLength?: number;
  /** The smallest RSA modulus accepted in any certificate of the path, in bits; 2048 by default. */
  readonly minimumRsaBits?: number;
  /** Decides about each failure and each certificate (see {@link CertificateCheckCallback}). */
  readonly callback?: CertificateCheckCallback;
}

const DEFAULT_MAX_CHAIN_LENGTH = 10;
const DEFAULT_MINIMUM_RSA_BITS = 2048;
/** The most candidate issuers considered in one verification. */
export const MAX_SEARCH_STEPS = 256;
/** The most signatures checked in one verification (Go's crypto/x509 uses the same bound). */
export const MAX_SIGNATURE_CHECKS = 100;

const C = X509VerifyCode;

// A path that did not validate, and how useful its error is: a complete path's failure (3) says more than a
// signature that failed on the way (2), which says more than a chain too long (1.5) or no issuer at all (1).
interface Failure {
  readonly rank: number;
  readonly code: number;
  readonly depth: number;
  readonly path: readonly Certificate[];
  /** Why the path reaches no anchor, when it does not. */
  readonly unanchored?: BuildError;
  readonly cause?: Error;
}

/** The outcome of checking one certificate's signature with one issuer's key. */
interface SignatureCheck {
  /** 0, or 6 (the issuer's key is unusable), 68 (MD5/SHA-1) or 7. */
  readonly code: number;
  readonly cause?: Error;
}

const SIGNATURE_OK: SignatureCheck = Object.freeze({ code: 0 });

interface BuildError {
  readonly code: number;
  readonly depth: number;
}

const keyCache = new WeakMap<CryptoProvider, WeakMap<Certificate, PublicKey | Error>>();

// Signatures that verified, per provider, child certificate and issuer: certificates from parseCertificate are
// frozen copies, so the same pair of objects always gives the same answer. A context interns the certificates its
// peers send (TLSContext), so a busy client or server checks each intermediate's signature once, not per handshake.
const verifiedEdges = new WeakMap<CryptoProvider, WeakMap<Certificate, WeakSet<Certificate>>>();

function rememberedSignature(provider: CryptoProvider, cert: Certificate, issuer: Certificate): boolean {
  return verifiedEdges.get(provider)?.get(cert)?.has(issuer) === true;
}

function rememberSignature(provider: CryptoProvider, cert: Certificate, issuer: Certificate): void {
  if (!Object.isFrozen(cert) || !Object.isFrozen(issuer)) return;
  let byCert = verifiedEdges.get(provider);
  if (byCert === undefined) {
    byCert = new WeakMap();
    verifiedEdges.set(provider, byCert);
  }
  let issuers = byCert.get(cert);
  if (issuers === undefined) {
    issuers = new WeakSet();
    byCert.set(cert, issuers);
  }
  issuers.add(issuer);
}

/** The certificate's public key through `provider`, or the error importing it gave; cached per certificate. */
function publicKeyOf(provider: CryptoProvider, cert: Certificate): PublicKey | Error {
  let keys = keyCache.get(provider);
  if (keys === undefined) {
    keys = new WeakMap();
    keyCache.set(provider, keys);
  }
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
}

function toPool(certificates: CertificatePool | readonly Certificate[] | undefined, argument: string): CertificatePool {
  if (certificates instanceof CertificatePool) return certificates;
  if (certificates === undefined) return new CertificatePool();
  if (!Array.isArray(certificates)) {
    throw new InvalidArgumentError(argument, 'INVALID_ARGUMENT', 'must be a CertificatePool or an array of certificates');
  }
  return new CertificatePool(certificates);
}

/** True when `issuer`'s subject is `cert`'s issuer and their key identifiers, if both present, agree. */
function issues(issuer: Certificate, cert: Certificate): boolean {
  if (!namesEqual(issuer.subject, cert.issuer)) return false;
  const aki = cert.authorityKeyIdentifier;
  const ski = issuer.subjectKeyIdentifier;
  return aki === undefined || ski === undefined || equalBytes(aki, ski);
}

const selfIssued = (cert: Certificate): boolean => namesEqual(cert.subject, cert.issuer);

/**
 * Builds and validates a path from `chain[0]` (the leaf; the rest are the peer's other certificates, in any order)
 * to a trust anchor, and returns it, leaf first and anchor last. With a `callback` that accepts every failure, the
 * path returned may end without an anchor.
 *
 * @throws CertVerificationError with OpenSSL's verify code and the depth of the failing certificate (0 is the
 *   leaf); the codes are listed in the module comment.
 * @throws InvalidArgumentError (`INVALID_ARGUMENT`) for an empty chain or a bad option.
 * @example
 * const path = verifyCertificateChain([leaf, intermediate], { provider, trustAnchors, hostname: 'example.com' });
 * path.length; // 3: leaf, intermediate, root
 */
export function verifyCertificateChain(chain: readonly Certificate[], options: VerifyOptions): Certificate[] {
  if (!Array.isArray(chain) || chain.length === 0) {
    throw new InvalidArgumentError('chain', 'INVALID_ARGUMENT', 'there is no certificate to verify');
  }
  const maxChainLength = options.maxChainLength ?? DEFAULT_MAX_CHAIN_LENGTH;
  if (!Number.isInteger(maxChainLength) || maxChainLength < 1) {
    throw new InvalidArgumentError('maxChainLength', 'INVALID_ARGUMENT', 'must be a positive integer');
  }
  const minimumRsaBits = options.minimumRsaBits ?? DEFAULT_MINIMUM_RSA_BITS;
  if (!Number.isInteger(minimumRsaBits) || minimumRsaBits < 0) {
    throw new InvalidArgumentError('minimumRsaBits', 'INVALID_ARGUMENT', 'must be a non-negative integer');
  }
  const purpose = options.purpose ?? 'serverAuth';
  if (purpose !== 'serverAuth' && purpose !== 'clientAuth' && purpose !== 'any') {
    throw new InvalidArgumentError('purpose', 'INVALID_ARGUMENT', "must be 'serverAuth', 'clientAuth' or 'any'");
  }
  const { provider, hostname, callback } = options;
  const now = (options.now ?? new Date()).getTime();
  const anchors = toPool(options.trustAnchors, 'trustAnchors');
  const sent = new CertificatePool(chain.slice(1));
  const extra = toPool(options.intermediates, 'intermediates');
  const leaf = chain[0] as Certificate;

  // ---- signatures, each checked once per call ----
  const edges = new Map<Certificate, Map<Certificate, SignatureCheck>>();
  let signatureChecks = 0;
  let steps = 0;
  /** Whether `issuer`'s key verifies `cert`'s signature: code 0, or the verify code and why. */
  const edge = (cert: Certificate, issuer: Certificate): SignatureCheck => {
    let byIssuer = edges.get(cert);
    if (byIssuer === undefined) {
      byIssuer = new Map();
      edges.set(cert, byIssuer);
    }
    let check = byIssuer.get(issuer);
    if (check === undefined) {
      if (rememberedSignature(provider, cert, issuer)) {
        check = SIGNATURE_OK;
      } else {
        signatureChecks++;
        check = checkSignature(provider, cert, issuer);
        if (check.code === 0) rememberSignature(provider, cert, issuer);
      }
      byIssuer.set(issuer, check);
    }
    return check;
  };
  // OpenSSL reports an unusable issuer key at the issuer's depth.
  const edgeDepth = (code: number, childDepth: number): number =>
    code === C.X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY ? childDepth + 1 : childDepth;

  // ---- validation of one path ----
  const purposeOid =
    purpose === 'clientAuth' ? ExtendedKeyUsageOid.clientAuth : purpose === 'serverAuth' ? ExtendedKeyUsageOid.serverAuth : undefined;

  /** Checks `path` in OpenSSL's order; `report` decides about each failure (true: carry on). */
  const validate = (
    path: readonly Certificate[],
    unanchored: BuildError | undefined,
    report: (code: number, depth: number) => boolean,
  ): void => {
    const top = path.length - 1;
    const anchored = unanchored === undefined;
    const check = (failed: boolean, code: number, depth: number, cause?: Error): void => {
      if (failed && !report(code, depth)) throw new CertVerificationError(code, depth, cause && { cause });
    };
    if (unanchored !== undefined) check(true, unanchored.code, unanchored.depth);

    // 1. Extensions, CA flags, purpose and path length, leaf first.
    let intermediates = 0; // non-self-issued intermediates below the certificate being checked
    path.forEach((cert, depth) => {
      const isAnchor = anchored && depth === top;
      // RFC 5280 §4.2: a critical extension the verifier does not recognise fails the certificate.
      check(cert.unknownCriticalExtensions.length > 0, C.X509_V_ERR_UNHANDLED_CRITICAL_EXTENSION, depth);
      if (depth > 0) {
        // RFC 5280 §4.2.1.9, §4.2.1.3: an issuer asserts cA, and keyCertSign if it restricts its key usage. OpenSSL
        // also takes a v1 self-signed root as a CA.
        const v1Root = isAnchor && cert.version === 1 && selfIssued(cert);
        const ca = cert.basicConstraints?.ca === true && (cert.keyUsage?.has('keyCertSign') ?? true);
        check(!ca && !v1Root, C.X509_V_ERR_INVALID_CA, depth);
      }
      if (purposeOid !== undefined && (!isAnchor || depth === 0)) {
        // RFC 5280 §4.2.1.12: an extendedKeyUsage that is present must name the purpose. anyExtendedKeyUsage alone
        // does not, as in OpenSSL (the CA/Browser Forum forbids it in server certificates).
        const eku = cert.extendedKeyUsage;
        check(eku !== undefined && !eku.includes(purposeOid), C.X509_V_ERR_INVALID_PURPOSE, depth);
        // RFC 8446 §4.4.2.2: the leaf key signs the handshake.
        if (depth === 0) {
          check(cert.keyUsage !== undefined && !cert.keyUsage.has('digitalSignature'), C.X509_V_ERR_INVALID_PURPOSE, 0);
        }
      }
      if (depth > 0) {
        // RFC 5280 §4.2.1.9: pathLenConstraint counts the non-self-issued intermediates that may follow.
        const limit = cert.basicConstraints?.pathLength;
        check(limit !== undefined && intermediates > limit, C.X509_V_ERR_PATH_LENGTH_EXCEEDED, depth);
        if (!selfIssued(cert)) intermediates++;
      }
    });

    // 2. Key sizes and signature digests (OpenSSL's check_auth_level).
    path.forEach((cert, depth) => {
      const key = publicKeyOf(provider, cert);
      const rsa = !(key instanceof Error) && (key.type === 'rsa' || key.type === 'rsa-pss');
      const small = rsa && (key.bits ?? 0) < minimumRsaBits;
      check(small, depth === 0 ? C.X509_V_ERR_EE_KEY_TOO_SMALL : C.X509_V_ERR_CA_KEY_TOO_SMALL, depth);
      // The anchor's own signature is not checked (it is trusted by configuration), nor a self-signed top's.
      if (depth < top || (!anchored && !selfIssued(cert))) {
        check(WEAK_SIGNATURE_OIDS.has(cert.signatureAlgorithm), C.X509_V_ERR_CA_MD_TOO_WEAK, depth);
      }
    });

    // 3. The name the peer must be valid for.
    if (hostname !== undefined && !matchesHostname(path[0] as Certificate, hostname)) {
      const ip = parseIpAddress(hostname) !== undefined;
      check(true, ip ? C.X509_V_ERR_IP_ADDRESS_MISMATCH : C.X509_V_ERR_HOSTNAME_MISMATCH, 0);
    }

    // 4. Signatures and validity periods, from the anchor down (OpenSSL's internal_verify).
    for (let depth = top; depth >= 0; depth--) {
      const cert = path[depth] as Certificate;
      if (depth < top) {
        const { code, cause } = edge(cert, path[depth + 1] as Certificate);
        // A weak digest was reported in step 2; if the callback let it pass, the signature is still unverified (no
        // provider checks MD5 or SHA-1 certificate signatures).
        if (code === C.X509_V_ERR_CA_MD_TOO_WEAK) check(true, C.X509_V_ERR_CERT_SIGNATURE_FAILURE, depth, cause);
        else if (code !== 0) check(true, code, edgeDepth(code, depth), cause);
      }
      // RFC 5280 §4.1.2.5: valid from notBefore to notAfter, both inclusive.
      check(now < cert.notBefore.getTime(), C.X509_V_ERR_CERT_NOT_YET_VALID, depth);
      check(now > cert.notAfter.getTime(), C.X509_V_ERR_CERT_HAS_EXPIRED, depth);
    }

    // 5. Name constraints of the CAs above each certificate, from the top down (RFC 5280 §6.1.3 (b)-(c)): a
    //    self-issued intermediate's names are exempt.
    for (let depth = top - 1; depth >= 0; depth--) {
      const cert = path[depth] as Certificate;
      if (depth > 0 && selfIssued(cert)) continue;
      let names: ReturnType<typeof constrainedNames> | undefined;
      for (let above = top; above > depth; above--) {
        const constraints = (path[above] as Certificate).nameConstraints;
        if (constraints === undefined) continue;
        names ??= constrainedNames(cert);
        const code: number = checkNameConstraints(names, constraints);
        check(code !== 0, code, depth);
      }
    }
  };

  // ---- path building ----
  let best: Failure | undefined;
  const record = (failure: Failure): void => {
    if (best === undefined || failure.rank > best.rank) best = failure;
  };
  const exhausted = (): boolean => steps >= MAX_SEARCH_STEPS || signatureChecks >= MAX_SIGNATURE_CHECKS;

  const candidatesFor = (current: Certificate, path: readonly Certificate[]): Certificate[] => {
    const inPath = (candidate: Certificate): boolean =>
      path.some(
        (cert) =>
          cert === candidate ||
          equalBytes(cert.der, candidate.der) ||
          (equalBytes(cert.spki, candidate.spki) && namesEqual(cert.subject, candidate.subject)),
      );
    const out: Certificate[] = [];
    for (const pool of [anchors, sent, extra]) {
      const group = pool.issuersOf(current).filter(
        (candidate) => issues(candidate, current) && !inPath(candidate) && !out.some((seen) => equalBytes(seen.der, candidate.der)),
      );
      const score = (candidate: Certificate): number => {
        const aki = current.authorityKeyIdentifier;
        const ski = candidate.subjectKeyIdentifier;
        const keyMatch = aki !== undefined && ski !== undefined ? 2 : 0;
        const valid = now >= candidate.notBefore.getTime() && now <= candidate.notAfter.getTime() ? 1 : 0;
        return keyMatch + valid;
      };
      // A stable sort: ties keep the pool's order (the peer's order, for the peer's certificates).
      out.push(...group.map((candidate, index) => ({ candidate, index, score: score(candidate) }))
        .sort((a, b) => b.score - a.score || a.index - b.index)
        .map((entry) => entry.candidate));
    }
    return out;
  };

  const search = (path: Certificate[]): Certificate[] | undefined => {
    const current = path[path.length - 1] as Certificate;
    const anchor = anchors.find(current);
    if (anchor !== undefined) {
      // The store's copy stands for a trusted issuer (its name and key are what is trusted, RFC 5280 §6.1.1 (d)); a
      // leaf that is itself trusted is checked as the peer sent it (names, validity, purpose).
      const complete = path.length === 1 ? path : [...path.slice(0, -1), anchor];
      try {
        validate(complete, undefined, () => false);
        return complete;
      } catch (error) {
        if (!CertVerificationError.isInstance(error)) throw error;
        const cause = error.cause instanceof Error ? { cause: error.cause } : {};
        record({ rank: 3, code: error.verifyCode, depth: error.depth, path: complete, ...cause });
        return undefined;
      }
    }
    const candidates = candidatesFor(current, path);
    if (candidates.length === 0) {
      record(unanchoredFailure(1, noIssuerCode(path), path.length - 1, path));
      return undefined;
    }
    // The path would have more certificates than allowed: OpenSSL's "certificate chain too long".
    if (path.length >= maxChainLength) {
      record(unanchoredFailure(1.5, C.X509_V_ERR_CERT_CHAIN_TOO_LONG, path.length, path));
      return undefined;
    }
    for (const candidate of candidates) {
      if (exhausted()) break;
      steps++;
      const { code, cause } = edge(current, candidate);
      if (code !== 0) {
        const anchor = anchors.find(candidate);
        const failed = [...path, anchor ?? candidate];
        const unanchored = anchor === undefined ? { code: C.X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, depth: path.length } : undefined;
        record({ rank: 2, code, depth: edgeDepth(code, path.length - 1), path: failed, ...(unanchored && { unanchored }), ...(cause && { cause }) });
        continue;
      }
      const found = search([...path, candidate]);
      if (found !== undefined) return found;
    }
    return undefined;
  };

  const found = search([leaf]);
  if (found !== undefined) {
    if (callback !== undefined) finalApproval(found, callback);
    return found;
  }
  // (Nothing recorded only when the search budget ran out before any path ended.)
  const failure = best ?? unanchoredFailure(1, noIssuerCode([leaf]), 0, [leaf]);
  if (callback === undefined) throw new CertVerificationError(failure.code, failure.depth, failure.cause && { cause: failure.cause });
  // The callback sees the most promising path, failure by failure, and may accept each: first the failure reported
  // without a callback, then every other one of the path in validation order.
  const { path } = failure;
  const ask = (code: number, depth: number): boolean => callback(path[Math.min(depth, path.length - 1)] as Certificate, code, depth, false);
  if (!ask(failure.code, failure.depth)) {
    throw new CertVerificationError(failure.code, failure.depth, failure.cause && { cause: failure.cause });
  }
  let repeated = false;
  validate(path, failure.unanchored, (code, depth) => {
    if (!repeated && code === failure.code && depth === failure.depth) return (repeated = true);
    return ask(code, depth);
  });
  finalApproval(path, callback);
  return [...path];
}

function unanchoredFailure(rank: number, code: number, depth: number, path: readonly Certificate[]): Failure {
  return { rank, code, depth, path, unanchored: { code, depth } };
}

// OpenSSL asks the callback about each certificate once the chain has passed, from the top down.
function finalApproval(path: readonly Certificate[], callback: CertificateCheckCallback): void {
  for (let depth = path.length - 1; depth >= 0; depth--) {
    if (!callback(path[depth] as Certificate, 0, depth, true)) {
      throw new CertVerificationError(C.X509_V_ERR_APPLICATION_VERIFICATION, depth);
    }
  }
}

// Why a path with no further issuer reaches no anchor: a self-signed certificate, or an issuer nobody has.
function noIssuerCode(path: readonly Certificate[]): number {
  const top = path[path.length - 1] as Certificate;
  if (issues(top, top)) {
    return path.length === 1 ? C.X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT : C.X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN;
  }
  return C.X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY;
}

/** Whether `issuer`'s key verifies `cert`'s signature (6, 68 or 7 when not, with the reason as `cause`). */
function checkSignature(provider: CryptoProvider, cert: Certificate, issuer: Certificate): SignatureCheck {
  const key = publicKeyOf(provider, issuer);
  if (key instanceof Error) return { code: C.X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY, cause: key };
  const unsupported = (message: string): Error => new InvalidArgumentError('certificate', 'UNSUPPORTED_ALGORITHM', message);
  if (WEAK_SIGNATURE_OIDS.has(cert.signatureAlgorithm)) {
    return { code: C.X509_V_ERR_CA_MD_TOO_WEAK, cause: unsupported(`weak signature algorithm ${cert.signatureAlgorithm}`) };
  }
  const scheme = certificateSignatureScheme(cert, key);
  const algorithm = scheme === undefined ? undefined : provider.signatures[scheme];
  if (algorithm === undefined || !algorithm.supportsKey(key)) {
    const described = key.type === 'ec' ? (key.curve ?? 'EC') : key.bits === undefined ? key.type : `${key.type} ${key.bits}-bit`;
    return {
      code: C.X509_V_ERR_CERT_SIGNATURE_FAILURE,
      cause: unsupported(`no supported signature scheme for ${cert.signatureAlgorithm} with the issuer's ${described} key`),
    };
  }
  return algorithm.verify(key, cert.tbs, cert.signature) ? SIGNATURE_OK : { code: C.X509_V_ERR_CERT_SIGNATURE_FAILURE };
}
