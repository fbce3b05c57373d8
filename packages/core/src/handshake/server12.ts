/**
 * The TLS 1.2 server handshake (RFC 5246 §7.3, RFC 8422, RFC 7627, RFC 5746), entered when the ClientHello settles
 * on TLS 1.2. One state per message awaited:
 *
 *   ClientHello ─(ServerHello, Certificate, ServerKeyExchange, [CertificateRequest], ServerHelloDone)─▶
 *       [ExpectClientCertificate] ─▶ ExpectClientKeyExchange ─▶ [ExpectClientCertificateVerify] (client-auth12.ts)
 *       ─▶ ExpectChangeCipherSpec ─▶ ExpectFinished ─(ChangeCipherSpec, Finished)─▶ ExpectTraffic12
 */
import { ProtocolError } from '@tlsbio/errors';
import type { CertifiedKey } from '../context.js';
import type { KeyExchange, SignatureScheme } from '../crypto/provider.js';
import {
  CipherSuiteId,
  EcPointFormat,
  ExtensionType,
  HandshakeType,
  ProtocolVersion,
  decodeClientKeyExchangeEcdhe,
  decodeEcPointFormats,
  decodeRenegotiationInfo,
  decodeSignatureSchemes,
  decodeSupportedGroups,
  encodeAlpn,
  encodeCertificate12,
  encodeEcPointFormats,
  encodeRenegotiationInfo,
  encodeServerEcdhParams,
  encodeServerHello,
  encodeServerKeyExchangeEcdhe,
  expectEmptyExtension,
  findExtension,
  type ClientHello,
  type Extension,
} from '../msgs/index.js';
import type { HandshakeMessage } from '../record/index.js';
import type { CipherSuite12 } from '../suites.js';
import {
  ExpectTraffic12,
  State12,
  TLS12,
  chooseCertificate12,
  deriveKeys12,
  receiveFinished12,
  sendFinished12,
  serverKeyExchangeInput,
  tls12Groups,
  type Keys12,
} from './common12.js';
import { chooseAlpn, readAlpn, readServerName } from './server13.js';
import { ExpectClientCertificate12, ExpectClientCertificateVerify12, sendCertificateRequest12, type ClientCertificate12, type SentCertificateRequest12 } from './client-auth12.js';
import type { ClientIdentity } from './client-auth13.js';
import type { HandshakeIO, HandshakeState } from './state.js';
import { markDowngrade } from './version.js';

const textEncoder = new TextEncoder();

/** What the server settled in answer to the ClientHello. */
interface Flight12 {
  readonly clientRandom: Uint8Array;
  readonly serverRandom: Uint8Array;
  readonly suite: CipherSuite12;
  readonly certified: CertifiedKey;
  readonly scheme: SignatureScheme;
  readonly exchange: KeyExchange;
  readonly ems: boolean;
  readonly alpn: string | undefined;
  readonly serverName: string | undefined;
  /** What the client proved, when we asked (client-auth12.ts). */
  readonly client?: ClientIdentity;
}

/**
 * The server's TLS 1.2 path, from a ClientHello for which TLS 1.2 was negotiated (handshake/version.ts): checks the
 * offer, sends the first flight and returns the state awaiting ClientKeyExchange.
 * @throws {ProtocolError} handshake_failure (no suite, group or signature scheme in common, no extended master
 *   secret, no secure renegotiation signal), illegal_parameter (point formats, compression).
 */
export function startServer12(io: HandshakeIO, message: HandshakeMessage, hello: ClientHello): HandshakeState {
  io.setVersion(TLS12);
  const serverName = readServerName(hello);
  const callback = io.context.servernameCallback;
  if (callback !== undefined) io.callback(() => callback(io.connection, serverName, io.context));
  const { context, provider } = io;
  const { extensions } = hello;

  // RFC 5246 §7.4.1.2: the null compression method must be offered.
  if (!hello.legacyCompressionMethods.includes(0)) throw new ProtocolError('INVALID_COMPRESSION_ALGORITHM', 'the ClientHello does not offer null compression');
  // RFC 5746 §3.6: the SCSV or an empty renegotiation_info; without either we refuse (DESIGN.md §5).
  const renegotiation = findExtension(extensions, ExtensionType.renegotiation_info);
  if (renegotiation !== undefined && decodeRenegotiationInfo(renegotiation).length !== 0) {
    throw new ProtocolError('RENEGOTIATION_MISMATCH', 'renegotiation_info is not empty in an initial handshake');
  }
  if (renegotiation === undefined && !hello.cipherSuites.includes(CipherSuiteId.TLS_EMPTY_RENEGOTIATION_INFO_SCSV)) {
    throw new ProtocolError('UNSAFE_LEGACY_RENEGOTIATION_DISABLED', 'the client does not support secure renegotiation (RFC 5746)');
  }
  // RFC 7627 §5.3: a server that requires the extended master secret aborts with handshake_failure without it.
  const emsData = findExtension(extensions, ExtensionType.extended_master_secret);
  if (emsData !== undefined) expectEmptyExtension(emsData, 'extended_master_secret');
  else if (context.requireExtendedMasterSecret) throw new ProtocolError('EXTENDED_MASTER_SECRET_REQUIRED', 'the client does not use the extended master secret (RFC 7627)');
  const formats = findExtension(extensions, ExtensionType.ec_point_formats);
  // RFC 8422 §5.1.2: the list must contain uncompressed.
  if (formats !== undefined && !decodeEcPointFormats(formats).includes(EcPointFormat.uncompressed)) {
    throw new ProtocolError('ILLEGAL_PARAMETER', 'ec_point_formats lacks the uncompressed format');
  }
  const schemesData = findExtension(extensions, ExtensionType.signature_algorithms);
  // RFC 5246 §7.4.1.4.1: without signature_algorithms the client accepts only SHA-1 signatures, which we never make.
  if (schemesData === undefined) throw new ProtocolError('NO_SHARED_SIGNATURE_ALGORITHMS', 'the ClientHello has no signature_algorithms');
  const peerSchemes = decodeSignatureSchemes(schemesData);
  const groupsData = findExtension(extensions, ExtensionType.supported_groups);
  // RFC 8422 §4: without supported_groups the client takes any curve; with it, one of its list.
  const peerGroups = groupsData === undefined ? undefined : decodeSupportedGroups(groupsData);
  const group = tls12Groups(context.groups)
    .map((name) => provider.groups[name]!)
    .find((candidate) => peerGroups === undefined || peerGroups.includes(candidate.id));
  if (group === undefined) throw new ProtocolError('NO_SHARED_GROUPS', 'no ECDHE group in common for TLS 1.2');

  // Our preference among the suites the client offers, with a certificate that can sign for it.
  let chosen: { suite: CipherSuite12; certified: CertifiedKey; scheme: SignatureScheme } | undefined;
  for (const suite of context.tls12CipherSuites) {
    if (!hello.cipherSuites.includes(suite.id)) continue;
    const certificate = chooseCertificate12(provider, context.certifiedKeys, context.signatureSchemes, peerSchemes, suite.auth, serverName, peerGroups);
    if (certificate !== undefined) {
      chosen = { suite, ...certificate };
      break;
    }
  }
  if (chosen === undefined) throw new ProtocolError('NO_SHARED_CIPHER', 'no TLS 1.2 cipher suite in common that one of our certificates can serve');
  const alpn = chooseAlpn(io, { alpn: readAlpn(hello) });

  const { suite, certified, scheme } = chosen;
  // RFC 5246 §7.4.8: a client's CertificateVerify signs the handshake messages themselves, so keep them.
  const requesting = context.verifyMode !== 'none';
  if (requesting) io.transcript.retainMessages();
  io.transcript.selectHash(provider.hashes[suite.hash]!);
  io.transcript.add(message.raw);
  const serverRandom = markDowngrade(context, provider.randomBytes(32));
  const answer: Extension[] = [{ type: ExtensionType.renegotiation_info, data: encodeRenegotiationInfo() }];
  if (emsData !== undefined) answer.push({ type: ExtensionType.extended_master_secret, data: new Uint8Array(0) });
  if (formats !== undefined) answer.push({ type: ExtensionType.ec_point_formats, data: encodeEcPointFormats([EcPointFormat.uncompressed]) });
  // RFC 6066 §3: an empty server_name says we used the name.
  if (serverName !== undefined) answer.push({ type: ExtensionType.server_name, data: new Uint8Array(0) });
  if (alpn !== undefined) answer.push({ type: ExtensionType.application_layer_protocol_negotiation, data: encodeAlpn([textEncoder.encode(alpn)]) });
  io.sendHandshake(
    HandshakeType.server_hello,
    encodeServerHello({
      legacyVersion: ProtocolVersion.TLS1_2,
      random: serverRandom,
      // No session cache: an empty session id says this session cannot be resumed (RFC 5246 §7.4.1.3).
      legacySessionIdEcho: new Uint8Array(0),
      cipherSuite: suite.id,
      legacyCompressionMethod: 0,
      extensions: answer,
    }),
  );
  io.sendHandshake(HandshakeType.certificate, encodeCertificate12(certified.chain));
  const exchange = group.start();
  const params = encodeServerEcdhParams(group.id, exchange.publicKey);
  const signature = scheme.sign(certified.key, serverKeyExchangeInput(hello.random, serverRandom, params));
  io.sendHandshake(
    HandshakeType.server_key_exchange,
    encodeServerKeyExchangeEcdhe({ namedGroup: group.id, publicKey: exchange.publicKey, scheme: scheme.id, signature }),
  );
  const request = requesting ? sendCertificateRequest12(io) : undefined;
  io.sendHandshake(HandshakeType.server_hello_done, new Uint8Array(0));
  const flight: Flight12 = {
    clientRandom: hello.random,
    serverRandom,
    suite,
    certified,
    scheme,
    exchange,
    ems: emsData !== undefined,
    alpn,
    serverName,
  };
  const keyExchange = (client: ClientCertificate12 | undefined) => new ExpectClientKeyExchange(io, flight, request, client);
  return request === undefined ? keyExchange(undefined) : new ExpectClientCertificate12(io, keyExchange);
}

class ExpectClientKeyExchange extends State12 {
  readonly name = 'ExpectClientKeyExchange';
  constructor(
    io: HandshakeIO,
    private readonly flight: Flight12,
    private readonly request: SentCertificateRequest12 | undefined,
    private readonly client: ClientCertificate12 | undefined,
  ) {
    super(io, 'server');
  }

  protected handleMessage(message: HandshakeMessage): HandshakeState {
    if (message.type !== HandshakeType.client_key_exchange) throw unexpected(this.name, message);
    const { io, flight } = this;
    // RFC 8422 §5.7: the client's point on the curve of our ServerKeyExchange (checked by the key exchange).
    const preMasterSecret = flight.exchange.complete(decodeClientKeyExchangeEcdhe(message.body));
    io.transcript.add(message.raw);
    const keys = deriveKeys12(io, flight.suite, preMasterSecret, flight.clientRandom, flight.serverRandom, flight.ems);
    const client = this.client;
    const next = new ExpectChangeCipherSpec(io, client === undefined ? flight : { ...flight, client: client.identity }, keys);
    // RFC 5246 §7.4.8: a client that sent a certificate proves its key right after ClientKeyExchange.
    if (client?.key === undefined || this.request === undefined) return next;
    return new ExpectClientCertificateVerify12(io, this.request, client.key, () => next);
  }
}

class ExpectChangeCipherSpec extends State12 {
  readonly name = 'ExpectChangeCipherSpec';
  constructor(
    io: HandshakeIO,
    private readonly flight: Flight12,
    private readonly keys: Keys12,
  ) {
    super(io, 'server');
  }

  protected handleMessage(message: HandshakeMessage): HandshakeState {
    throw unexpected(this.name, message);
  }

  override handleChangeCipherSpec(): HandshakeState {
    this.io.setTls12Keys('read', this.flight.suite, this.keys.clientWriteKey, this.keys.clientWriteIv);
    return new ExpectFinished(this.io, this.flight, this.keys);
  }
}

class ExpectFinished extends State12 {
  readonly name = 'ExpectFinished';
  constructor(
    io: HandshakeIO,
    private readonly flight: Flight12,
    private readonly keys: Keys12,
  ) {
    super(io, 'server');
  }

  protected handleMessage(message: HandshakeMessage): HandshakeState {
    if (message.type !== HandshakeType.finished) throw unexpected(this.name, message);
    const { io, flight, keys } = this;
    receiveFinished12(io, message, flight.suite, keys, 'client');
    io.sendChangeCipherSpec();
    io.setTls12Keys('write', flight.suite, keys.serverWriteKey, keys.serverWriteIv);
    sendFinished12(io, flight.suite, keys, 'server');
    io.complete({
      version: TLS12,
      suite: flight.suite,
      group: flight.exchange.group,
      signatureScheme: flight.scheme.name,
      alpn: flight.alpn,
      serverName: flight.serverName,
      peerCertificates: flight.client?.chain ?? [],
      peerVerified: flight.client?.verified ?? false,
      helloRetried: false,
      tls12: { masterSecret: keys.masterSecret, clientRandom: flight.clientRandom, serverRandom: flight.serverRandom, extendedMasterSecret: keys.extendedMasterSecret },
    });
    return new ExpectTraffic12(io, 'server');
  }
}

function unexpected(state: string, message: HandshakeMessage): ProtocolError {
  return new ProtocolError('UNEXPECTED_MESSAGE', `${state}: unexpected handshake message type ${message.type}`);
}
