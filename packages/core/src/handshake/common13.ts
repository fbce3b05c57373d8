/**
 * The steps both TLS 1.3 roles take: extension rules, certificate messages, CertificateVerify and Finished.
 */
import { InvalidArgumentError, ProtocolError } from '@tlsbio/errors';
import type { CertifiedKey } from '../context.js';
import { equalBytes } from '../crypto/bytes.js';
import type { CryptoProvider, PublicKey, SignatureScheme, SignatureSchemeName } from '../crypto/provider.js';
import { certificateVerifyInput, finishedVerifyData } from '../keyschedule/index.js';
import {
  HandshakeType,
  SignatureSchemeId,
  decodeCertificate13,
  decodeCertificateVerify,
  decodeFinished,
  encodeCertificate13,
  encodeCertificateVerify,
  encodeFinished,
  type Extension,
} from '../msgs/index.js';
import type { HandshakeMessage } from '../record/index.js';
import type { CipherSuite } from '../suites.js';
import {
  SignatureOid,
  certificateSignatureScheme,
  matchesHostname,
  namesEqual,
  parseCertificate,
  verifyCertificateChain,
  type Certificate,
} from '../x509/index.js';
import type { HandshakeIO } from './state.js';

/** Fails with unexpected_message unless `message` is of one of `types` (RFC 8446 §6.2: a message out of order). */
export function expectType(message: HandshakeMessage, state: string, ...types: number[]): void {
  if (!types.includes(message.type)) {
    throw new ProtocolError('UNEXPECTED_MESSAGE', `${state}: unexpected handshake message type ${message.type}`);
  }
}

/**
 * RFC 8446 §4.2: an extension the peer sends must be one we asked for (else unsupported_extension) and one allowed
 * in that message (else illegal_parameter).
 */
export function checkReceivedExtensions(
  extensions: readonly Extension[],
  message: string,
  allowed: ReadonlySet<number>,
  offered: ReadonlySet<number>,
): void {
  for (const { type } of extensions) {
    if (!offered.has(type)) {
      throw new ProtocolError('UNSOLICITED_EXTENSION', `${message} carries extension ${type}, which we did not offer`);
    }
    if (!allowed.has(type)) {
      throw new ProtocolError('ILLEGAL_PARAMETER', `${message} may not carry extension ${type} (RFC 8446 §4.2)`);
    }
  }
}

/**
 * The list to send: ours, or the test seam's wire list, which must hold ours in our order (so that the seam can only
 * add codepoints we never negotiate, not change what we do negotiate).
 */
export function wireList(name: string, ours: readonly number[], wire: readonly number[] | undefined): readonly number[] {
  if (wire === undefined) return ours;
  const positions = ours.map((id) => wire.indexOf(id));
  if (positions.some((position, i) => position < 0 || (i > 0 && position < positions[i - 1]!))) {
    throw new InvalidArgumentError('testingOnlyWireCodepoints', 'INVALID_ARGUMENT', `${name} must hold the context's own list in order`);
  }
  return wire;
}

/** The provider's signature scheme with IANA codepoint `id`, if it has one. */
export function schemeById(provider: CryptoProvider, id: number): SignatureScheme | undefined {
  for (const scheme of Object.values(provider.signatures)) {
    if (scheme !== undefined && scheme.id === id) return scheme;
  }
  return undefined;
}

/** RFC 8446 §4.2.3: RSASSA-PKCS1-v1_5 may sign certificates but never a TLS 1.3 CertificateVerify. */
export function allowedInCertificateVerify(name: SignatureSchemeName): boolean {
  return !name.startsWith('rsa_pkcs1_');
}

/** Builds and sends a Certificate message for `certified` (or an empty one). */
export function sendCertificate(io: HandshakeIO, requestContext: Uint8Array, certified: CertifiedKey | undefined): void {
  const entries = (certified?.chain ?? []).map((certData) => ({ certData, extensions: [] }));
  io.sendHandshake(HandshakeType.certificate, encodeCertificate13({ certificateRequestContext: requestContext, entries }));
}

/** Signs the transcript so far and sends CertificateVerify (RFC 8446 §4.4.3). */
export function sendCertificateVerify(
  io: HandshakeIO,
  signer: 'server' | 'client',
  scheme: SignatureScheme,
  certified: CertifiedKey,
): void {
  const signature = scheme.sign(certified.key, certificateVerifyInput(signer, io.transcript.current()));
  io.sendHandshake(HandshakeType.certificate_verify, encodeCertificateVerify({ scheme: scheme.id, signature }));
}

/** Sends Finished over the transcript so far, keyed by our handshake traffic secret (RFC 8446 §4.4.4). */
export function sendFinished(io: HandshakeIO, suite: CipherSuite, ourHandshakeSecret: Uint8Array): void {
  const hash = io.provider.hashes[suite.hash]!;
  io.sendHandshake(HandshakeType.finished, encodeFinished(finishedVerifyData(hash, ourHandshakeSecret, io.transcript.current())));
}

/**
 * Checks the peer's Finished against the transcript before it, then adds it to the transcript.
 * @throws {ProtocolError} `DIGEST_CHECK_FAILED` (decrypt_error) when it does not verify.
 */
export function receiveFinished(io: HandshakeIO, message: HandshakeMessage, suite: CipherSuite, peerHandshakeSecret: Uint8Array): void {
  const hash = io.provider.hashes[suite.hash]!;
  const received = decodeFinished(message.body, hash.outputLength);
  const expected = finishedVerifyData(hash, peerHandshakeSecret, io.transcript.current());
  if (!equalBytes(received, expected)) {
    // RFC 8446 §4.4.4: a Finished that does not verify is decrypt_error.
    throw new ProtocolError('DIGEST_CHECK_FAILED', 'the peer\'s Finished does not match the handshake');
  }
  io.transcript.add(message.raw);
}

/** The peer's Certificate message, parsed. Adds it to the transcript. */
export interface ReceivedCertificate {
  readonly requestContext: Uint8Array;
  readonly chain: readonly Certificate[];
}

export function receiveCertificate(io: HandshakeIO, message: HandshakeMessage): ReceivedCertificate {
  const decoded = decodeCertificate13(message.body, { maxEntries: io.context.limits.maxCertificateChainLength });
  for (const entry of decoded.entries) {
    // RFC 8446 §4.4.2: entry extensions must answer a ClientHello extension; we request none (no OCSP, no SCT).
    if (entry.extensions.length > 0) {
      throw new ProtocolError('UNSOLICITED_EXTENSION', 'certificate entry carries an extension we did not request');
    }
  }
  const chain = decoded.entries.map((entry) => io.context.parsePeerCertificate(entry.certData));
  io.transcript.add(message.raw);
  return { requestContext: decoded.certificateRequestContext, chain };
}

/**
 * Verifies the peer's chain as the context asks. With verifyMode 'none' nothing is checked.
 * @throws {CertVerificationError} with OpenSSL's verify code and the alert that goes with it.
 */
export function verifyPeerChain(io: HandshakeIO, chain: readonly Certificate[], purpose: 'serverAuth' | 'clientAuth'): boolean {
  const context = io.context;
  if (context.verifyMode === 'none') return false;
  const hostname = purpose === 'serverAuth' && context.checkHostname ? io.serverHostname : undefined;
  const callback = context.verifyCallback;
  // `chain` came through context.parsePeerCertificate: already the context's interned copies, whose keys and checked
  // signatures are cached.
  const verified = verifyCertificateChain(chain, {
    provider: io.provider,
    trustAnchors: context.trustStore,
    ...(hostname === undefined ? {} : { hostname }),
    now: context.now(),
    maxChainLength: context.limits.maxCertificateChainLength,
    purpose,
    ...(callback && { callback: (cert, errno, depth, ok) => io.callback(() => Boolean(callback(io.connection, cert, errno, depth, ok))) }),
  });
  io.connection.recordVerifiedChain(verified);
  return true;
}

/** Imports the leaf's key, turning a key we cannot use into the alert RFC 8446 asks for. */
export function importPeerKey(provider: CryptoProvider, leaf: Certificate): PublicKey {
  try {
    return provider.importPublicKey(leaf.spki);
  } catch (error) {
    if (InvalidArgumentError.isInstance(error)) {
      throw new ProtocolError('UNKNOWN_CERTIFICATE_TYPE', `the peer's certificate key cannot be used: ${error.message}`, {
        cause: error,
      });
    }
    throw error;
  }
}

/**
 * Checks the peer's CertificateVerify (RFC 8446 §4.4.3) with a scheme we offered, then adds it to the transcript.
 * @throws {ProtocolError} `WRONG_SIGNATURE_TYPE` (illegal_parameter) for a scheme we did not offer or that does not fit
 *   the key; `BAD_SIGNATURE` (decrypt_error) when the signature does not verify.
 */
export function receiveCertificateVerify(
  io: HandshakeIO,
  message: HandshakeMessage,
  signer: 'server' | 'client',
  key: PublicKey,
  offered: readonly SignatureSchemeName[],
): SignatureSchemeName {
  const { scheme: id, signature } = decodeCertificateVerify(message.body);
  const scheme = schemeById(io.provider, id);
  if (scheme === undefined || !offered.includes(scheme.name) || !allowedInCertificateVerify(scheme.name)) {
    throw new ProtocolError('WRONG_SIGNATURE_TYPE', `CertificateVerify uses scheme 0x${id.toString(16)}, which we did not offer`);
  }
  if (!scheme.supportsKey(key)) {
    throw new ProtocolError('WRONG_SIGNATURE_TYPE', `CertificateVerify scheme ${scheme.name} does not fit the certificate's key`);
  }
  if (!scheme.verify(key, certificateVerifyInput(signer, io.transcript.current()), signature)) {
    throw new ProtocolError('BAD_SIGNATURE', `the ${signer}'s CertificateVerify signature does not verify`);
  }
  io.transcript.add(message.raw);
  return scheme.name;
}

/**
 * Picks a certificate and the scheme to sign with: the first scheme in our preference the peer accepts, on the first
 * loaded chain whose key can use it. Chains are tried in this order: those whose names match `serverName` and whose
 * signatures all use schemes in `peerCertificateSchemes` (RFC 8446 §4.4.2.2: "all certificates provided by the server
 * MUST be signed by a signature algorithm advertised by the client, if it is able to provide such a chain"), then
 * the other name matches, then the others that fit the schemes, then the rest ("it SHOULD continue the handshake by
 * sending the client a certificate chain of its choice").
 */
export function chooseCertifiedKey(
  provider: CryptoProvider,
  candidates: readonly CertifiedKey[],
  ourSchemes: readonly SignatureSchemeName[],
  peerSchemes: readonly number[],
  serverName: string | undefined,
  peerCertificateSchemes: readonly number[] = peerSchemes,
): { certified: CertifiedKey; scheme: SignatureScheme } | undefined {
  const named = (c: CertifiedKey) => serverName !== undefined && matchesHostname(c.leaf, serverName);
  const fits = (c: CertifiedKey) => chainSignedWith(provider, c, peerCertificateSchemes);
  const rank = (c: CertifiedKey) => (named(c) ? 0 : 2) + (fits(c) ? 0 : 1);
  // A stable sort: equal ranks keep the order the chains were loaded in.
  const ordered = candidates.map((c, i) => ({ c, i, r: rank(c) })).sort((a, b) => a.r - b.r || a.i - b.i).map(({ c }) => c);
  for (const certified of ordered) {
    for (const name of ourSchemes) {
      const scheme = provider.signatures[name];
      if (scheme === undefined || !allowedInCertificateVerify(name) || !peerSchemes.includes(scheme.id)) continue;
      if (scheme.supportsKey(certified.key)) return { certified, scheme };
    }
  }
  return undefined;
}

/** Per loaded chain: for each certificate a peer has to check, the scheme codepoints that name its signature. */
const chainSchemeCache = new WeakMap<CertifiedKey, readonly (readonly number[])[]>();

/** Whether every signature in `certified`'s chain that a peer checks uses one of `schemes`. */
function chainSignedWith(provider: CryptoProvider, certified: CertifiedKey, schemes: readonly number[]): boolean {
  let needed = chainSchemeCache.get(certified);
  if (needed === undefined) {
    needed = chainSignatureSchemes(provider, certified);
    chainSchemeCache.set(certified, needed);
  }
  return needed.every((options) => options.some((id) => schemes.includes(id)));
}

/**
 * The scheme codepoints naming each signature of a chain, leaf first. A self-signed certificate is skipped: it can
 * only be a trust anchor, whose signature nobody checks (RFC 8446 §4.4.2.2). With the issuer in the chain the scheme
 * is exact; for the last certificate, whose issuer the peer holds, the algorithm identifier alone decides (as OpenSSL
 * does): the ECDSA codepoint of its hash, and for RSASSA-PSS any PSS codepoint (the rsae/pss split follows the
 * issuer's key, which we do not have).
 */
function chainSignatureSchemes(provider: CryptoProvider, certified: CertifiedKey): readonly (readonly number[])[] {
  // The intermediates were loaded unparsed (context.ts parses only the leaf): one we cannot parse names no scheme,
  // so the chain ranks as not fitting but can still be served.
  const chain = certified.chain.map((der, i) => (i === 0 ? certified.leaf : parseOrUndefined(der)));
  const result: (readonly number[])[] = [];
  chain.forEach((cert, i) => {
    if (cert === undefined) {
      result.push([]);
      return;
    }
    if (namesEqual(cert.issuer, cert.subject)) return;
    const issuer = chain[i + 1];
    if (issuer !== undefined) {
      let name: SignatureSchemeName | undefined;
      try {
        name = certificateSignatureScheme(cert, provider.importPublicKey(issuer.spki));
      } catch {
        name = undefined; // an issuer key the provider cannot import: fall back to the algorithm identifier
      }
      const id = name === undefined ? undefined : provider.signatures[name]?.id;
      if (id !== undefined) {
        result.push([id]);
        return;
      }
    }
    result.push(SCHEMES_BY_SIGNATURE_OID[cert.signatureAlgorithm] ?? []);
  });
  return result;
}

function parseOrUndefined(der: Uint8Array): Certificate | undefined {
  try {
    return parseCertificate(der, 'local');
  } catch {
    return undefined;
  }
}

const PSS_SCHEMES: readonly number[] = [
  SignatureSchemeId.rsa_pss_rsae_sha256,
  SignatureSchemeId.rsa_pss_rsae_sha384,
  SignatureSchemeId.rsa_pss_rsae_sha512,
  SignatureSchemeId.rsa_pss_pss_sha256,
  SignatureSchemeId.rsa_pss_pss_sha384,
  SignatureSchemeId.rsa_pss_pss_sha512,
];

/** RFC 8446 §4.2.3's codepoints for certificate signature algorithms (OIDs of RFC 5758, RFC 4055, RFC 8410). */
const SCHEMES_BY_SIGNATURE_OID: Readonly<Record<string, readonly number[]>> = {
  [SignatureOid.ecdsaWithSHA256]: [SignatureSchemeId.ecdsa_secp256r1_sha256],
  [SignatureOid.ecdsaWithSHA384]: [SignatureSchemeId.ecdsa_secp384r1_sha384],
  [SignatureOid.ecdsaWithSHA512]: [SignatureSchemeId.ecdsa_secp521r1_sha512],
  [SignatureOid.ecdsaWithSHA1]: [SignatureSchemeId.ecdsa_sha1],
  [SignatureOid.sha256WithRSAEncryption]: [SignatureSchemeId.rsa_pkcs1_sha256],
  [SignatureOid.sha384WithRSAEncryption]: [SignatureSchemeId.rsa_pkcs1_sha384],
  [SignatureOid.sha512WithRSAEncryption]: [SignatureSchemeId.rsa_pkcs1_sha512],
  [SignatureOid.sha1WithRSAEncryption]: [SignatureSchemeId.rsa_pkcs1_sha1],
  [SignatureOid.rsassaPss]: PSS_SCHEMES,
  [SignatureOid.ed25519]: [SignatureSchemeId.ed25519],
  [SignatureOid.ed448]: [SignatureSchemeId.ed448],
};
