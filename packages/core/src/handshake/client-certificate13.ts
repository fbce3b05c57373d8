/**
 * TLS 1.3 client authentication, the client's side (RFC 8446 §4.4.2): which of our chains answers a server's
 * CertificateRequest, through the context's client-certificate callback when there is one, and the Certificate and
 * CertificateVerify that carry the answer.
 *
 * A callback may answer later (a Promise: a key in a hardware token, a user prompt). The handshake then waits in
 * {@link AwaitCertificateChoice}, which reads nothing from the peer and throws `WantX509LookupError` until the Promise
 * settles; the connection resumes it on the next call.
 */
import { ProtocolError, WantX509LookupError } from '@tlsbio/errors';
import type { CertificateRequestInfo, CertifiedKey } from '../context.js';
import type { SignatureScheme, SignatureSchemeName } from '../crypto/provider.js';
import {
  ExtensionType,
  decodeCertificateAuthorities,
  decodeCertificateRequest13,
  decodeSignatureSchemes,
  findExtension,
} from '../msgs/index.js';
import type { HandshakeMessage } from '../record/index.js';
import { equalBytes } from '../crypto/bytes.js';
import { parseCertificate } from '../x509/index.js';
import { chooseCertifiedKey, schemeById, sendCertificate, sendCertificateVerify } from './common13.js';
import type { HandshakeIO, HandshakeState } from './state.js';

/** A server's CertificateRequest (RFC 8446 §4.3.2), decoded. */
export interface ReceivedCertificateRequest {
  readonly context: Uint8Array;
  readonly schemes: readonly number[];
  /** signature_algorithms_cert, when the server sent it (else `schemes` covers the chain too, RFC 8446 §4.2.3). */
  readonly certificateSchemes?: readonly number[];
  /** certificate_authorities (RFC 8446 §4.2.4): DER distinguished names; empty when absent. */
  readonly authorities: readonly Uint8Array[];
}

/**
 * Decodes a CertificateRequest body and the extensions we act on.
 * @throws {ProtocolError} `MISSING_SIGALGS_EXTENSION` without signature_algorithms (RFC 8446 §4.3.2); decode errors.
 */
export function readCertificateRequest(body: Uint8Array): ReceivedCertificateRequest {
  const request = decodeCertificateRequest13(body);
  const schemes = findExtension(request.extensions, ExtensionType.signature_algorithms);
  // RFC 8446 §4.3.2: signature_algorithms is mandatory in a CertificateRequest.
  if (schemes === undefined) throw new ProtocolError('MISSING_SIGALGS_EXTENSION', 'CertificateRequest without signature_algorithms');
  const certificateSchemes = findExtension(request.extensions, ExtensionType.signature_algorithms_cert);
  const authorities = findExtension(request.extensions, ExtensionType.certificate_authorities);
  return {
    context: request.certificateRequestContext,
    schemes: decodeSignatureSchemes(schemes),
    ...(certificateSchemes === undefined ? {} : { certificateSchemes: decodeSignatureSchemes(certificateSchemes) }),
    authorities: authorities === undefined ? [] : decodeCertificateAuthorities(authorities),
  };
}

/** The chain we answer with and the scheme it signs CertificateVerify with; `undefined` for an empty Certificate. */
export type CertificateChoice = { readonly certified: CertifiedKey; readonly scheme: SignatureScheme } | undefined;

/**
 * Chooses our answer to `request` and hands it to `then` (which sends it and goes on), now or — when the callback
 * returns a Promise — once it settles, through an {@link AwaitCertificateChoice} state.
 */
export function answerCertificateRequest(
  io: HandshakeIO,
  request: ReceivedCertificateRequest,
  postHandshake: boolean,
  then: (choice: CertificateChoice) => HandshakeState | null,
): HandshakeState | null {
  const { context, provider } = io;
  const fit = (candidates: readonly CertifiedKey[]) =>
    chooseCertifiedKey(provider, candidates, context.signatureSchemes, request.schemes, undefined, request.certificateSchemes);
  // RFC 8446 §4.2.4: chains issued under a CA the server names go first (the choice among equals keeps this order).
  const named = context.certifiedKeys.filter((certified) => issuedUnder(certified, request.authorities));
  const ordered = [...named, ...context.certifiedKeys.filter((certified) => !named.includes(certified))];
  const callback = context.clientCertificateCallback;
  if (callback === undefined) return then(fit(ordered));

  const best = fit(ordered)?.certified;
  const others = ordered.filter((certified) => certified !== best && fit([certified]) !== undefined);
  const info: CertificateRequestInfo = Object.freeze({
    signatureSchemes: request.schemes.map((id) => schemeById(provider, id)?.name).filter((name): name is SignatureSchemeName => name !== undefined),
    certificateAuthorities: request.authorities.map((name) => name.slice()),
    candidates: best === undefined ? others : [best, ...others],
    postHandshake,
  });
  const answer = io.callback(() => callback(io.connection, info));
  const settle = (value: CertifiedKey | null | undefined): CertificateChoice => {
    if (value === null || value === undefined) return undefined;
    if (!info.candidates.includes(value)) {
      throw new ProtocolError('CALLBACK_FAILED', 'the client certificate callback must return one of request.candidates, or null', { fault: 'local' });
    }
    return fit([value]);
  };
  if (!isPromiseLike(answer)) return then(settle(answer));
  return new AwaitCertificateChoice(answer, (value) => then(settle(value)));
}

/** Whether a certificate of the chain was issued by one of `authorities` (DER names), or is one of them. */
function issuedUnder(certified: CertifiedKey, authorities: readonly Uint8Array[]): boolean {
  if (authorities.length === 0) return false;
  const names = [certified.leaf.issuer.der];
  for (const der of certified.chain.slice(1)) {
    try {
      const cert = parseCertificate(der, 'local');
      names.push(cert.issuer.der, cert.subject.der);
    } catch {
      // an intermediate we cannot parse names nothing
    }
  }
  return names.some((name) => authorities.some((authority) => equalBytes(authority, name)));
}

/** Sends our Certificate (empty without a choice) and, with a chain, its CertificateVerify (RFC 8446 §4.4.2, §4.4.3). */
export function sendClientCertificate(io: HandshakeIO, request: ReceivedCertificateRequest, choice: CertificateChoice): void {
  sendCertificate(io, request.context, choice?.certified);
  if (choice !== undefined) sendCertificateVerify(io, 'client', choice.scheme, choice.certified);
}

type Settled<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown };

/**
 * Waits for an asynchronous client-certificate callback. It reads nothing: `resume()` throws `WantX509LookupError`
 * until the Promise has settled, then goes on with its value; a rejection aborts the handshake like a callback that
 * throws (internal_error, the rejection as cause).
 */
export class AwaitCertificateChoice implements HandshakeState {
  readonly name = 'AwaitClientCertificateChoice';
  readonly settled: Promise<void>;
  #outcome: Settled<CertifiedKey | null | undefined> | undefined;

  constructor(
    pending: PromiseLike<CertifiedKey | null | undefined>,
    private readonly then: (value: CertifiedKey | null | undefined) => HandshakeState | null,
  ) {
    this.settled = Promise.resolve(pending).then(
      (value) => {
        this.#outcome = { ok: true, value };
      },
      (error: unknown) => {
        this.#outcome = { ok: false, error };
      },
    );
  }

  handle(message: HandshakeMessage): HandshakeState {
    // Unreachable through the connection, which dispatches no message to a state that waits (it calls resume()).
    throw new ProtocolError('UNEXPECTED_MESSAGE', `${this.name}: unexpected handshake message type ${message.type}`);
  }

  resume(): HandshakeState | null {
    const outcome = this.#outcome;
    if (outcome === undefined) throw new WantX509LookupError('the client certificate callback has not settled yet');
    if (!outcome.ok) {
      const error = outcome.error;
      throw new ProtocolError('CALLBACK_FAILED', `the client certificate callback failed: ${error instanceof Error ? error.message : String(error)}`, {
        fault: 'local',
        cause: error,
      });
    }
    return this.then(outcome.value);
  }
}

function isPromiseLike(value: unknown): value is PromiseLike<CertifiedKey | null | undefined> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}
