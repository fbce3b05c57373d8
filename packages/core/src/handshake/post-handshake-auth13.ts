/**
 * Post-handshake client authentication (RFC 8446 §4.6.2), both roles. Each exchange hashes the handshake's transcript
 * (through the client's Finished) followed by its own messages, so the connection hands each one a fork of it, and
 * keys Finished with the client's current application traffic secret (RFC 8446 §4.4, "Post-Handshake").
 *
 *   server: verifyClientPostHandshake() ─CertificateRequest─▶ ExpectClientCertificate ─▶ [ExpectClientCertificateVerify]
 *             ─▶ ExpectPostHandshakeFinished ─▶ done (the connection's peer identity is replaced)
 *   client: CertificateRequest ─▶ (the certificate choice, maybe awaited) ─Certificate, [CertificateVerify], Finished─▶
 */
import type { HandshakeMessage } from '../record/index.js';
import { HandshakeType } from '../msgs/index.js';
import type { CipherSuite } from '../suites.js';
import { ExpectClientCertificate, sendCertificateRequest, type ClientIdentity } from './client-auth13.js';
import { answerCertificateRequest, readCertificateRequest, sendClientCertificate } from './client-certificate13.js';
import { expectType, receiveFinished, sendFinished } from './common13.js';
import type { HandshakeIO, HandshakeState } from './state.js';

/** Bytes of the certificate_request_context a server makes per request (RFC 8446 §4.3.2: unique per connection). */
const REQUEST_CONTEXT_LENGTH = 16;

/**
 * Server: sends a CertificateRequest with a fresh context and returns the state that takes the client's answer.
 * `clientSecret` reads the client's current application traffic secret when its Finished arrives; `done` receives
 * what the client proved.
 */
export function requestPostHandshakeAuth(
  io: HandshakeIO,
  suite: CipherSuite,
  clientSecret: () => Uint8Array,
  done: (identity: ClientIdentity) => void,
): HandshakeState {
  const request = sendCertificateRequest(io, io.provider.randomBytes(REQUEST_CONTEXT_LENGTH));
  return new ExpectClientCertificate(io, request, (identity) => new ExpectPostHandshakeFinished(io, suite, clientSecret, identity, done));
}

/** The client's Finished closing a post-handshake authentication (RFC 8446 §4.4.4). */
class ExpectPostHandshakeFinished implements HandshakeState {
  readonly name = 'ExpectPostHandshakeFinished';
  constructor(
    private readonly io: HandshakeIO,
    private readonly suite: CipherSuite,
    private readonly clientSecret: () => Uint8Array,
    private readonly identity: ClientIdentity,
    private readonly done: (identity: ClientIdentity) => void,
  ) {}

  handle(message: HandshakeMessage): null {
    expectType(message, this.name, HandshakeType.finished);
    receiveFinished(this.io, message, this.suite, this.clientSecret());
    this.done(this.identity);
    return null;
  }
}

/**
 * Client: answers a post-handshake CertificateRequest with Certificate, CertificateVerify (with a chain) and Finished,
 * now or once an asynchronous certificate callback settles (the state returned then waits for it).
 */
export function answerPostHandshakeRequest(
  io: HandshakeIO,
  message: HandshakeMessage,
  suite: CipherSuite,
  clientSecret: () => Uint8Array,
): HandshakeState | null {
  const request = readCertificateRequest(message.body);
  io.transcript.add(message.raw);
  return answerCertificateRequest(io, request, true, (choice) => {
    sendClientCertificate(io, request, choice);
    sendFinished(io, suite, clientSecret());
    return null;
  });
}
