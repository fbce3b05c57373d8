/**
 * TLS 1.3 client authentication, the server's side (RFC 8446 §4.3.2, §4.4.2.4): the CertificateRequest it sends, and
 * the states that take the client's answer:
 *
 *   (CertificateRequest sent) ─▶ ExpectClientCertificate ──empty──────────────────────────▶ then(identity)
 *                                        │ chain
 *                                        ▼
 *                                ExpectClientCertificateVerify ─────────────────────────────▶ then(identity)
 *
 * `then` is the state after the client's authentication: its Finished (server13.ts).
 *
 * Policy is the server context's `verifyMode`: 'none' sends no request; 'optional' requests and accepts an empty
 * Certificate; 'required' answers an empty one with certificate_required (RFC 8446 §4.4.2.4). A chain that is sent is
 * verified (purpose clientAuth) in both modes, as OpenSSL's SSL_VERIFY_PEER and Python's CERT_OPTIONAL do.
 */
import { ProtocolError } from '@tlsbio/errors';
import { equalBytes } from '../crypto/bytes.js';
import type { PublicKey, SignatureSchemeName } from '../crypto/provider.js';
import {
  ExtensionType,
  HandshakeType,
  encodeCertificateAuthorities,
  encodeCertificateRequest13,
  encodeSignatureSchemes,
  type Extension,
} from '../msgs/index.js';
import type { HandshakeMessage } from '../record/index.js';
import type { Certificate } from '../x509/index.js';
import { allowedInCertificateVerify, expectType, importPeerKey, receiveCertificate, receiveCertificateVerify, verifyPeerChain } from './common13.js';
import type { HandshakeIO, HandshakeState } from './state.js';

/** What the client proved: its chain (empty when it sent none) and whether that chain was verified. */
export interface ClientIdentity {
  readonly chain: readonly Certificate[];
  readonly verified: boolean;
}

export const NO_CLIENT_IDENTITY: ClientIdentity = Object.freeze({ chain: [], verified: false });

/** A CertificateRequest we sent: its context, and the schemes the client's CertificateVerify may use. */
export interface SentCertificateRequest {
  readonly context: Uint8Array;
  readonly schemes: readonly SignatureSchemeName[];
}

/**
 * Whether the server asks for a certificate during the handshake: with verifyMode 'optional' or 'required', unless
 * `postHandshakeAuth` defers the request to `verifyClientPostHandshake()` (as OpenSSL's SSL_VERIFY_POST_HANDSHAKE).
 */
export function requestsClientCertificate(io: HandshakeIO): boolean {
  return io.context.verifyMode !== 'none' && !io.context.postHandshakeAuth;
}

/**
 * Sends a CertificateRequest (RFC 8446 §4.3.2): signature_algorithms (the schemes a TLS 1.3 CertificateVerify may
 * use), signature_algorithms_cert when the context's certificate list differs, and certificate_authorities with the
 * subjects of the trust store (RFC 8446 §4.2.4), so that a client holding several chains can pick one we can verify.
 */
export function sendCertificateRequest(io: HandshakeIO, requestContext: Uint8Array): SentCertificateRequest {
  const { context, provider } = io;
  const schemes = context.signatureSchemes.filter(allowedInCertificateVerify);
  const ids = schemes.map((name) => provider.signatures[name]!.id);
  const extensions: Extension[] = [{ type: ExtensionType.signature_algorithms, data: encodeSignatureSchemes(ids) }];
  const certificateIds = context.certificateSignatureSchemes?.map((name) => provider.signatures[name]!.id);
  if (certificateIds !== undefined && !(certificateIds.length === ids.length && certificateIds.every((id, i) => ids[i] === id))) {
    extensions.push({ type: ExtensionType.signature_algorithms_cert, data: encodeSignatureSchemes(certificateIds) });
  }
  const authorities = certificateAuthorities(io);
  if (authorities.length > 0) extensions.push({ type: ExtensionType.certificate_authorities, data: encodeCertificateAuthorities(authorities) });
  io.sendHandshake(HandshakeType.certificate_request, encodeCertificateRequest13({ certificateRequestContext: requestContext, extensions }));
  return { context: requestContext.slice(), schemes };
}

/** Most bytes of names we put in certificate_authorities: a large store (the default roots) is left out entirely. */
const MAX_AUTHORITIES_BYTES = 16 * 1024;

/**
 * The DER subjects of the trust anchors, each once; none when they would not fit {@link MAX_AUTHORITIES_BYTES} (a
 * client then chooses without the hint, which is what a list that large would give it anyway).
 */
export function certificateAuthorities(io: HandshakeIO): Uint8Array[] {
  const names: Uint8Array[] = [];
  let bytes = 0;
  for (const anchor of io.context.trustAnchors) {
    const der = anchor.subject.der;
    if (names.some((name) => equalBytes(name, der))) continue;
    bytes += 2 + der.length;
    if (bytes > MAX_AUTHORITIES_BYTES) return [];
    names.push(der);
  }
  return names;
}

/** The client's Certificate, in answer to our CertificateRequest (RFC 8446 §4.4.2). */
export class ExpectClientCertificate implements HandshakeState {
  readonly name = 'ExpectClientCertificate';
  constructor(
    private readonly io: HandshakeIO,
    private readonly request: SentCertificateRequest,
    private readonly then: (identity: ClientIdentity) => HandshakeState,
  ) {}

  handle(message: HandshakeMessage): HandshakeState {
    expectType(message, this.name, HandshakeType.certificate);
    const { io } = this;
    const received = receiveCertificate(io, message);
    // RFC 8446 §4.4.2: the client echoes our certificate_request_context.
    if (!equalBytes(received.requestContext, this.request.context)) {
      throw new ProtocolError('ILLEGAL_PARAMETER', 'the client Certificate does not echo our certificate_request_context');
    }
    const [leaf] = received.chain;
    if (leaf === undefined) {
      // RFC 8446 §4.4.2.4: with a certificate required, an empty one MAY be answered with certificate_required.
      if (io.context.verifyMode === 'required') {
        throw new ProtocolError('PEER_DID_NOT_RETURN_A_CERTIFICATE', 'the client sent no certificate, and one is required');
      }
      return this.then(NO_CLIENT_IDENTITY);
    }
    const verified = verifyPeerChain(io, received.chain, 'clientAuth');
    const key = importPeerKey(io.provider, leaf);
    return new ExpectClientCertificateVerify(io, this.request, { chain: received.chain, verified }, key, this.then);
  }
}

/** The client's CertificateVerify: its key signs the transcript through its Certificate (RFC 8446 §4.4.3). */
class ExpectClientCertificateVerify implements HandshakeState {
  readonly name = 'ExpectClientCertificateVerify';
  constructor(
    private readonly io: HandshakeIO,
    private readonly request: SentCertificateRequest,
    private readonly identity: ClientIdentity,
    private readonly key: PublicKey,
    private readonly then: (identity: ClientIdentity) => HandshakeState,
  ) {}

  handle(message: HandshakeMessage): HandshakeState {
    expectType(message, this.name, HandshakeType.certificate_verify);
    receiveCertificateVerify(this.io, message, 'client', this.key, this.request.schemes);
    return this.then(this.identity);
  }
}
