/**
 * TLS 1.2 client authentication, the server's side (RFC 5246 §7.4.4, §7.4.6, §7.4.8; RFC 8422 §5.4): the
 * CertificateRequest, the client's Certificate, and its CertificateVerify (after ClientKeyExchange, over every
 * handshake message before it). Policy is the server context's `verifyMode`, as in TLS 1.3 (client-auth13.ts), except
 * that a missing certificate under 'required' is handshake_failure (TLS 1.2 has no certificate_required; OpenSSL sends
 * the same). `postHandshakeAuth` does not apply: TLS 1.2 asks during the handshake or not at all.
 */
import { AlertDescription, ProtocolError } from '@tlsbio/errors';
import type { PublicKey, SignatureSchemeName } from '../crypto/provider.js';
import { ClientCertificateType, HandshakeType, decodeCertificate12, decodeCertificateVerify, encodeCertificateRequest12 } from '../msgs/index.js';
import type { HandshakeMessage } from '../record/index.js';
import { NO_CLIENT_IDENTITY, certificateAuthorities, type ClientIdentity } from './client-auth13.js';
import { State12, scheme12ById, unexpected } from './common12.js';
import { importPeerKey, verifyPeerChain } from './common13.js';
import type { HandshakeIO, HandshakeState } from './state.js';

/** What we asked for: the schemes the client's CertificateVerify may use. */
export interface SentCertificateRequest12 {
  readonly schemes: readonly SignatureSchemeName[];
}

/** What the client proved, and the key its CertificateVerify must verify under (none for an empty Certificate). */
export interface ClientCertificate12 {
  readonly identity: ClientIdentity;
  readonly key: PublicKey | undefined;
}

/**
 * Sends a TLS 1.2 CertificateRequest: ECDSA and RSA certificate types (RFC 8422 §5.4; Ed25519 certificates count as
 * ecdsa_sign there), the context's signature schemes, and the trust store's subjects. Call before ServerHelloDone;
 * the transcript must keep its messages (`retainMessages()` before the hash was chosen) for CertificateVerify.
 */
export function sendCertificateRequest12(io: HandshakeIO): SentCertificateRequest12 {
  const { context, provider } = io;
  const schemes = context.signatureSchemes;
  io.sendHandshake(
    HandshakeType.certificate_request,
    encodeCertificateRequest12({
      certificateTypes: [ClientCertificateType.ecdsa_sign, ClientCertificateType.rsa_sign],
      schemes: schemes.map((name) => provider.signatures[name]!.id),
      authorities: certificateAuthorities(io),
    }),
  );
  return { schemes };
}

/** The client's Certificate (RFC 5246 §7.4.6), in answer to our request; then its ClientKeyExchange. */
export class ExpectClientCertificate12 extends State12 {
  readonly name = 'ExpectClientCertificate';
  constructor(
    io: HandshakeIO,
    private readonly then: (client: ClientCertificate12) => HandshakeState,
  ) {
    super(io, 'server');
  }

  protected handleMessage(message: HandshakeMessage): HandshakeState {
    if (message.type !== HandshakeType.certificate) throw unexpected(this.name, message);
    const { io } = this;
    const chain = decodeCertificate12(message.body, { maxEntries: io.context.limits.maxCertificateChainLength }).map((der) => io.context.parsePeerCertificate(der));
    io.transcript.add(message.raw);
    const [leaf] = chain;
    if (leaf === undefined) {
      // RFC 5246 §7.4.6: a server that requires a certificate MAY answer an empty list with handshake_failure.
      if (io.context.verifyMode === 'required') {
        throw new ProtocolError('PEER_DID_NOT_RETURN_A_CERTIFICATE', 'the client sent no certificate, and one is required', {
          alert: AlertDescription.handshake_failure,
        });
      }
      return this.then({ identity: NO_CLIENT_IDENTITY, key: undefined });
    }
    const verified = verifyPeerChain(io, chain, 'clientAuth');
    return this.then({ identity: { chain, verified }, key: importPeerKey(io.provider, leaf) });
  }
}

/** The client's CertificateVerify (RFC 5246 §7.4.8): its key signs every handshake message before this one. */
export class ExpectClientCertificateVerify12 extends State12 {
  readonly name = 'ExpectClientCertificateVerify';
  constructor(
    io: HandshakeIO,
    private readonly request: SentCertificateRequest12,
    private readonly key: PublicKey,
    private readonly then: () => HandshakeState,
  ) {
    super(io, 'server');
  }

  protected handleMessage(message: HandshakeMessage): HandshakeState {
    if (message.type !== HandshakeType.certificate_verify) throw unexpected(this.name, message);
    const { io } = this;
    const { scheme: id, signature } = decodeCertificateVerify(message.body);
    const scheme = scheme12ById(io.provider, id);
    // RFC 5246 §7.4.8: the scheme must be one of those we listed in the CertificateRequest.
    if (scheme === undefined || !this.request.schemes.includes(scheme.name) || !scheme.supportsKey(this.key)) {
      throw new ProtocolError('WRONG_SIGNATURE_TYPE', `CertificateVerify uses scheme 0x${id.toString(16)}, which we did not ask for or which does not fit the key`);
    }
    if (!scheme.verify(this.key, io.transcript.messages(), signature)) {
      throw new ProtocolError('BAD_SIGNATURE', "the client's CertificateVerify signature does not verify");
    }
    io.transcript.add(message.raw);
    return this.then();
  }
}
