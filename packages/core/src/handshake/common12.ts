/**
 * The steps both TLS 1.2 roles take (RFC 5246, RFC 8422, RFC 7627, RFC 5746): the ECDHE groups and signature
 * schemes a suite can use, the signed ServerKeyExchange content, keys from the PRF, Finished, and the traffic state
 * that refuses renegotiation.
 */
import { AlertDescription, ProtocolError, TLSVersion } from '@tlsbio/errors';
import type { CertifiedKey } from '../context.js';
import { equalBytes } from '../crypto/bytes.js';
import type { CryptoProvider, GroupName, KeyExchangeGroup, PrivateKey, PublicKey, SignatureScheme, SignatureSchemeName } from '../crypto/provider.js';
import { extendedMasterSecret, finishedVerifyData12, keyBlock12, legacyMasterSecret, VERIFY_DATA_LENGTH } from '../keyschedule/index.js';
import {
  ClientCertificateType,
  EcPointFormat,
  ExtensionType,
  HandshakeType,
  decodeEcPointFormats,
  decodeEmptyMessage,
  decodeFinished,
  encodeFinished,
  expectEmptyExtension,
  findExtension,
  type Extension,
} from '../msgs/index.js';
import type { HandshakeMessage } from '../record/index.js';
import type { CipherSuite12 } from '../suites.js';
import { matchesHostname } from '../x509/index.js';
import type { HandshakeIO, HandshakeState } from './state.js';

/** Groups TLS 1.2 can use (RFC 8422 §5.1.1, RFC 7748): ECDHE only; the ML-KEM hybrid is TLS 1.3's. */
const TLS12_GROUPS: ReadonlySet<GroupName> = new Set<GroupName>(['x25519', 'secp256r1', 'secp384r1']);

/** The context's groups usable in TLS 1.2, in its preference order. */
export function tls12Groups(groups: readonly GroupName[]): GroupName[] {
  return groups.filter((name) => TLS12_GROUPS.has(name));
}

/** The provider's group with codepoint `id`, if TLS 1.2 may use it and it is among `allowed`. */
export function tls12GroupById(provider: CryptoProvider, allowed: readonly GroupName[], id: number): KeyExchangeGroup | undefined {
  for (const name of tls12Groups(allowed)) {
    const group = provider.groups[name];
    if (group !== undefined && group.id === id) return group;
  }
  return undefined;
}

/**
 * Whether `scheme` can sign for a suite authenticated by `auth` (RFC 8422 §2, §5.10; RFC 5246 §7.4.2): ECDHE_ECDSA
 * takes ECDSA and EdDSA keys, ECDHE_RSA takes RSA keys (PKCS#1 v1.5 or PSS, RFC 8446 §4.2.3 lets TLS 1.2 use PSS).
 */
export function schemeFitsAuth(name: SignatureSchemeName, auth: CipherSuite12['auth']): boolean {
  return auth === 'ECDSA' ? name.startsWith('ecdsa_') || name === 'ed25519' : name.startsWith('rsa_');
}

const CURVE_GROUPS: Readonly<Record<string, number>> = { 'P-256': 0x0017, 'P-384': 0x0018 };

/**
 * RFC 8422 §5.1, §5.3: in TLS 1.2 the client's supported_groups also names the curves it accepts for an ECDSA
 * certificate. True for keys that are not ECDSA, and when the client sent no list.
 */
export function certificateCurveAllowed(key: { readonly type: string; readonly curve?: string }, peerGroups: readonly number[] | undefined): boolean {
  if (key.type !== 'ec' || peerGroups === undefined) return true;
  const id = key.curve === undefined ? undefined : CURVE_GROUPS[key.curve];
  return id !== undefined && peerGroups.includes(id);
}

/** The provider's signature scheme with codepoint `id`, if it has one. */
export function scheme12ById(provider: CryptoProvider, id: number): SignatureScheme | undefined {
  for (const scheme of Object.values(provider.signatures)) {
    if (scheme !== undefined && scheme.id === id) return scheme;
  }
  return undefined;
}

/**
 * The certificate and scheme to serve `suite` with: our preferred scheme the client offered, on the first chain
 * (those matching `serverName` first) whose key can use it.
 */
export function chooseCertificate12(
  provider: CryptoProvider,
  candidates: readonly CertifiedKey[],
  ourSchemes: readonly SignatureSchemeName[],
  peerSchemes: readonly number[],
  auth: CipherSuite12['auth'],
  serverName: string | undefined,
  peerGroups: readonly number[] | undefined,
): { certified: CertifiedKey; scheme: SignatureScheme } | undefined {
  const matching = serverName === undefined ? [] : candidates.filter((c) => matchesHostname(c.leaf, serverName));
  const ordered = [...matching, ...candidates.filter((c) => !matching.includes(c))];
  for (const certified of ordered) {
    if (!certificateCurveAllowed(certified.key, peerGroups)) continue;
    for (const name of ourSchemes) {
      const scheme = provider.signatures[name];
      if (scheme === undefined || !schemeFitsAuth(name, auth) || !peerSchemes.includes(scheme.id)) continue;
      if (scheme.supportsKey(certified.key)) return { certified, scheme };
    }
  }
  return undefined;
}

/**
 * The client certificate to answer a TLS 1.2 CertificateRequest with (RFC 5246 §7.4.4, §7.4.6; RFC 8422 §5.5): the
 * first chain whose key type the server lists in certificate_types, with our preferred scheme among the server's.
 */
export function chooseClientCertificate12(
  provider: CryptoProvider,
  candidates: readonly CertifiedKey[],
  ourSchemes: readonly SignatureSchemeName[],
  request: { readonly certificateTypes: readonly number[]; readonly schemes: readonly number[] },
): { certified: CertifiedKey; scheme: SignatureScheme } | undefined {
  for (const certified of candidates) {
    const rsa = certified.key.type === 'rsa' || certified.key.type === 'rsa-pss';
    if (!request.certificateTypes.includes(rsa ? ClientCertificateType.rsa_sign : ClientCertificateType.ecdsa_sign)) continue;
    for (const name of ourSchemes) {
      const scheme = provider.signatures[name];
      if (scheme !== undefined && request.schemes.includes(scheme.id) && scheme.supportsKey(certified.key)) return { certified, scheme };
    }
  }
  return undefined;
}

/** What the ServerKeyExchange signature covers (RFC 8422 §5.4): client_random + server_random + ServerECDHParams. */
export function serverKeyExchangeInput(clientRandom: Uint8Array, serverRandom: Uint8Array, params: Uint8Array): Uint8Array {
  const out = new Uint8Array(64 + params.length);
  out.set(clientRandom, 0);
  out.set(serverRandom, 32);
  out.set(params, 64);
  return out;
}

/** Signs the ServerKeyExchange content. */
export function signServerParams(scheme: SignatureScheme, key: PrivateKey, input: Uint8Array): Uint8Array {
  return scheme.sign(key, input);
}

/**
 * Checks the ServerKeyExchange signature with a scheme we offered, that fits the suite and the certificate's key.
 * @throws {ProtocolError} `WRONG_SIGNATURE_TYPE` (illegal_parameter) for a scheme we did not offer or that does not
 *   fit; `BAD_SIGNATURE` (decrypt_error) when it does not verify (RFC 5246 §7.4.3).
 */
export function verifyServerParams(
  provider: CryptoProvider,
  offered: readonly SignatureSchemeName[],
  auth: CipherSuite12['auth'],
  key: PublicKey,
  id: number,
  input: Uint8Array,
  signature: Uint8Array,
): SignatureSchemeName {
  const scheme = scheme12ById(provider, id);
  if (scheme === undefined || !offered.includes(scheme.name) || !schemeFitsAuth(scheme.name, auth)) {
    throw new ProtocolError('WRONG_SIGNATURE_TYPE', `ServerKeyExchange is signed with scheme 0x${id.toString(16).padStart(4, '0')}, which we did not offer for this suite`);
  }
  if (!scheme.supportsKey(key)) {
    throw new ProtocolError('WRONG_SIGNATURE_TYPE', `ServerKeyExchange scheme ${scheme.name} does not fit the certificate's key`);
  }
  if (!scheme.verify(key, input, signature)) throw new ProtocolError('BAD_SIGNATURE', 'the ServerKeyExchange signature does not verify');
  return scheme.name;
}

/**
 * The peer's extended_master_secret and ec_point_formats, which both sides read the same way: without the extended
 * master secret a side that requires it aborts with handshake_failure (RFC 7627 §5.2 client, §5.3 server), and a
 * point format list must contain uncompressed (RFC 8422 §5.1.2, §5.2). Says which of the two the peer sent.
 */
export function readEmsAndPointFormats12(
  io: HandshakeIO,
  extensions: readonly Extension[],
  peer: 'client' | 'server',
): { readonly ems: boolean; readonly formats: boolean } {
  const emsData = findExtension(extensions, ExtensionType.extended_master_secret);
  if (emsData !== undefined) expectEmptyExtension(emsData, 'extended_master_secret');
  else if (io.context.requireExtendedMasterSecret) {
    throw new ProtocolError('EXTENDED_MASTER_SECRET_REQUIRED', `the ${peer} does not use the extended master secret (RFC 7627)`);
  }
  const formats = findExtension(extensions, ExtensionType.ec_point_formats);
  if (formats !== undefined && !decodeEcPointFormats(formats).includes(EcPointFormat.uncompressed)) {
    throw new ProtocolError('ILLEGAL_PARAMETER', 'ec_point_formats lacks the uncompressed format');
  }
  return { ems: emsData !== undefined, formats: formats !== undefined };
}

/** The master secret and the key block, once the key exchange is done. */
export interface Keys12 {
  readonly masterSecret: Uint8Array;
  readonly clientWriteKey: Uint8Array;
  readonly serverWriteKey: Uint8Array;
  readonly clientWriteIv: Uint8Array;
  readonly serverWriteIv: Uint8Array;
  readonly extendedMasterSecret: boolean;
}

/**
 * The master secret (extended, RFC 7627 §4, over the transcript through ClientKeyExchange, unless the peer did not
 * negotiate it and the context allowed that) and the key block (RFC 5246 §6.3). Reports the master secret to the key
 * log as NSS's `CLIENT_RANDOM` line.
 */
export function deriveKeys12(
  io: HandshakeIO,
  suite: CipherSuite12,
  preMasterSecret: Uint8Array,
  clientRandom: Uint8Array,
  serverRandom: Uint8Array,
  ems: boolean,
): Keys12 {
  const hash = io.provider.hashes[suite.hash]!;
  const masterSecret = ems
    ? extendedMasterSecret(hash, preMasterSecret, io.transcript.current())
    : legacyMasterSecret(hash, preMasterSecret, clientRandom, serverRandom);
  return keysFromMasterSecret12(io, suite, masterSecret, clientRandom, serverRandom, ems);
}

/**
 * The key block (RFC 5246 §6.3) from a master secret: the one a full handshake just made, or a resumed session's
 * with this handshake's randoms (RFC 5246 §7.3, §8.1). Reports it to the key log as NSS's `CLIENT_RANDOM` line.
 */
export function keysFromMasterSecret12(
  io: HandshakeIO,
  suite: CipherSuite12,
  masterSecret: Uint8Array,
  clientRandom: Uint8Array,
  serverRandom: Uint8Array,
  ems: boolean,
): Keys12 {
  io.logSecret('CLIENT_RANDOM', clientRandom, masterSecret);
  const hash = io.provider.hashes[suite.hash]!;
  const aead = io.provider.aeads[suite.aead]!;
  // RFC 5288 §3: a 4-byte salt for AES-GCM; RFC 7905 §2: a 12-byte IV for ChaCha20-Poly1305.
  const ivLength = suite.aead === 'chacha20_poly1305' ? 12 : 4;
  const block = keyBlock12(hash, masterSecret, clientRandom, serverRandom, aead.keyLength, ivLength);
  return { masterSecret, ...block, extendedMasterSecret: ems };
}

/** Sends our Finished (RFC 5246 §7.4.9) over the transcript so far. */
export function sendFinished12(io: HandshakeIO, suite: CipherSuite12, keys: Keys12, sender: 'client' | 'server'): void {
  const hash = io.provider.hashes[suite.hash]!;
  io.sendHandshake(HandshakeType.finished, encodeFinished(finishedVerifyData12(hash, keys.masterSecret, sender, io.transcript.current())));
}

/**
 * Checks the peer's Finished against the transcript before it, then adds it to the transcript.
 * @throws {ProtocolError} `DIGEST_CHECK_FAILED` (decrypt_error) when it does not verify (RFC 5246 §7.4.9).
 */
export function receiveFinished12(io: HandshakeIO, message: HandshakeMessage, suite: CipherSuite12, keys: Keys12, sender: 'client' | 'server'): void {
  const hash = io.provider.hashes[suite.hash]!;
  const received = decodeFinished(message.body, VERIFY_DATA_LENGTH);
  const expected = finishedVerifyData12(hash, keys.masterSecret, sender, io.transcript.current());
  if (!equalBytes(received, expected)) throw new ProtocolError('DIGEST_CHECK_FAILED', "the peer's Finished does not match the handshake");
  io.transcript.add(message.raw);
}

/**
 * The base of every TLS 1.2 state: a change_cipher_spec is out of place unless the state says otherwise, and a
 * client ignores a HelloRequest while it negotiates (RFC 5246 §7.4.1.1; it is not part of the transcript, §7.4.9).
 */
export abstract class State12 implements HandshakeState {
  abstract readonly name: string;
  constructor(
    protected readonly io: HandshakeIO,
    protected readonly role: 'client' | 'server',
  ) {}

  handle(message: HandshakeMessage): HandshakeState {
    if (this.role === 'client' && message.type === HandshakeType.hello_request) {
      decodeEmptyMessage(message.body, 'HelloRequest');
      return this;
    }
    return this.handleMessage(message);
  }

  protected abstract handleMessage(message: HandshakeMessage): HandshakeState;

  handleChangeCipherSpec(): HandshakeState {
    throw new ProtocolError('CCS_RECEIVED_EARLY', `${this.name}: change_cipher_spec out of place`);
  }
}

/** The error for a handshake message the state does not await. */
export function unexpected(state: string, message: HandshakeMessage): ProtocolError {
  return new ProtocolError('UNEXPECTED_MESSAGE', `${state}: unexpected handshake message type ${message.type}`);
}

/**
 * The peer's ChangeCipherSpec (RFC 5246 §7.1), on either side: it switches what we read to the peer's new keys, and
 * `next` (which awaits the peer's Finished) takes over. A handshake message here is out of place: Finished must come
 * under the new keys (RFC 5246 §7.4.9), and a NewSessionTicket the ServerHello did not promise is not allowed
 * (RFC 5077 §3.3).
 */
export class ExpectChangeCipherSpec12 extends State12 {
  readonly name = 'ExpectChangeCipherSpec';
  constructor(
    io: HandshakeIO,
    role: 'client' | 'server',
    private readonly suite: CipherSuite12,
    private readonly keys: Keys12,
    private readonly next: HandshakeState,
  ) {
    super(io, role);
  }

  protected handleMessage(message: HandshakeMessage): HandshakeState {
    throw unexpected(this.name, message);
  }

  override handleChangeCipherSpec(): HandshakeState {
    const { keys } = this;
    if (this.role === 'client') this.io.setTls12Keys('read', this.suite, keys.serverWriteKey, keys.serverWriteIv);
    else this.io.setTls12Keys('read', this.suite, keys.clientWriteKey, keys.clientWriteIv);
    return this.next;
  }
}

/**
 * After a TLS 1.2 handshake (rustls's `ExpectTraffic`): renegotiation is refused. A client answers a HelloRequest,
 * a server a new ClientHello, with a no_renegotiation warning (RFC 5246 §7.2.2, §7.4.1.1; RFC 5746 §4.2, §4.4); the
 * connection goes on. A peer that keeps asking past `limits.maxWarningAlerts` times is cut off.
 */
export class ExpectTraffic12 implements HandshakeState {
  readonly name = 'ExpectTraffic12';
  #refused = 0;
  constructor(
    private readonly io: HandshakeIO,
    private readonly role: 'client' | 'server',
  ) {}

  handle(message: HandshakeMessage): HandshakeState {
    const asked = this.role === 'client' ? message.type === HandshakeType.hello_request : message.type === HandshakeType.client_hello;
    if (!asked) throw new ProtocolError('UNEXPECTED_MESSAGE', `handshake message ${message.type} after the TLS 1.2 handshake`);
    if (message.type === HandshakeType.hello_request) decodeEmptyMessage(message.body, 'HelloRequest');
    if (++this.#refused > this.io.context.limits.maxWarningAlerts) {
      throw new ProtocolError('NO_RENEGOTIATION', 'the peer keeps asking for renegotiation');
    }
    this.io.sendWarningAlert(AlertDescription.no_renegotiation);
    return this;
  }

  handleChangeCipherSpec(): HandshakeState {
    throw new ProtocolError('UNEXPECTED_CCS_MESSAGE', 'change_cipher_spec after the handshake');
  }
}

/** The version this module negotiates, for `io.setVersion`. */
export const TLS12 = TLSVersion.TLSv1_2;
