/**
 * The TLS 1.2 client handshake (RFC 5246 §7.3, RFC 8422, RFC 7627, RFC 5746), entered when the ServerHello chooses
 * TLS 1.2. One state per message awaited:
 *
 *   ServerHello ─▶ ExpectCertificate ─▶ ExpectServerKeyExchange ─▶ ExpectCertificateRequestOrDone ─▶ [ExpectServerHelloDone]
 *       ─(Certificate*, ClientKeyExchange, ChangeCipherSpec, Finished)─▶ [ExpectNewSessionTicket†] ─▶ ExpectChangeCipherSpec
 *       ─▶ ExpectFinished ─▶ ExpectTraffic12
 *
 * and when the ServerHello echoes the session id we sent with a ticket, the abbreviated handshake (RFC 5077 §3.4):
 *
 *   ServerHello ─▶ [ExpectNewSessionTicket†] ─▶ ExpectChangeCipherSpec ─▶ ExpectFinished ─(ChangeCipherSpec, Finished)─▶ ExpectTraffic12
 *
 * (* when the server asked for one: ours if one fits, else an empty list; CertificateVerify follows ClientKeyExchange.
 * † when the ServerHello carried session_ticket, RFC 5077 §3.3.)
 */
import { ProtocolError, TLSVersion } from '@tlsbio/errors';
import { equalBytes } from '../crypto/bytes.js';
import type { KeyExchange, PublicKey, SignatureSchemeName } from '../crypto/provider.js';
import {
  ExtensionType,
  HandshakeType,
  ProtocolVersion,
  decodeAlpn,
  decodeCertificate12,
  decodeCertificateRequest12,
  decodeEmptyMessage,
  decodeNewSessionTicket12,
  decodeRenegotiationInfo,
  decodeServerKeyExchangeEcdhe,
  decodeRecordSizeLimit,
  decodeServerName,
  EcPointFormat,
  encodeCertificate12,
  encodeCertificateVerify,
  encodeClientKeyExchangeEcdhe,
  encodeEcPointFormats,
  encodeRenegotiationInfo,
  encodeSessionTicket,
  encodeSupportedGroups,
  encodeSupportedVersionsClient,
  expectEmptyExtension,
  findExtension,
  type CertificateRequest12,
  type ClientHello,
  type NewSessionTicket12,
  type ServerHello,
} from '../msgs/index.js';
import { MAX_PLAINTEXT_LENGTH, type HandshakeMessage } from '../record/index.js';
import { suite12ById, type CipherSuite12 } from '../suites.js';
import type { Certificate } from '../x509/index.js';
import { checkReceivedExtensions, importPeerKey, verifyPeerChain } from './common13.js';
import {
  ExpectChangeCipherSpec12,
  ExpectTraffic12,
  State12,
  certificateCurveAllowed,
  chooseClientCertificate12,
  TLS12,
  deriveKeys12,
  keysFromMasterSecret12,
  readEmsAndPointFormats12,
  receiveFinished12,
  sendFinished12,
  serverKeyExchangeInput,
  tls12GroupById,
  tls12Groups,
  verifyServerParams,
  unexpected,
  type Keys12,
} from './common12.js';
import type { TLSSession } from '../session/session.js';
import { chainDer, offeredSession12, sessionFromTicket12 } from './session12.js';
import { allowsVersion, checkServerChoseTls12 } from './version.js';
import type { HandshakeIO, HandshakeState } from './state.js';

const textDecoder = new TextDecoder();

/**
 * Fits the client's first ClientHello to its version range (RFC 8446 §4.1.2, §4.2.1; RFC 5246 §7.4.1.2): with TLS
 * 1.2 allowed, the TLS 1.2 suites, ec_point_formats, extended_master_secret and renegotiation_info join the offer and
 * supported_versions lists 1.2 too; without TLS 1.3, the 1.3-only parts (supported_versions, key_share,
 * psk_key_exchange_modes, the ML-KEM hybrid group, the compatibility session id) leave it.
 */
export function fitClientHelloToVersions(io: HandshakeIO, hello: ClientHello): ClientHello {
  const { context, provider } = io;
  if (!allowsVersion(context, TLSVersion.TLSv1_2)) return hello;
  const session = offeredSession12(io);
  const with13 = allowsVersion(context, TLSVersion.TLSv1_3);
  const drop13 = new Set<number>(
    with13 ? [] : [ExtensionType.supported_versions, ExtensionType.key_share, ExtensionType.psk_key_exchange_modes, ExtensionType.post_handshake_auth],
  );
  const extensions = hello.extensions
    .filter((extension) => !drop13.has(extension.type))
    .map((extension) => {
      if (extension.type === ExtensionType.supported_versions) {
        return { type: extension.type, data: encodeSupportedVersionsClient([ProtocolVersion.TLS1_3, ProtocolVersion.TLS1_2]) };
      }
      if (extension.type === ExtensionType.supported_groups && !with13) {
        const ids = tls12Groups(context.groups).map((name) => provider.groups[name]!.id);
        return { type: extension.type, data: encodeSupportedGroups(ids) };
      }
      return extension;
    });
  const tls12 = [
    { type: ExtensionType.ec_point_formats, data: encodeEcPointFormats([EcPointFormat.uncompressed]) },
    { type: ExtensionType.extended_master_secret, data: new Uint8Array(0) },
    // RFC 5746 §3.4: an initial handshake carries an empty renegotiation_info (or the SCSV).
    { type: ExtensionType.renegotiation_info, data: encodeRenegotiationInfo() },
    // RFC 5077 §3.2: the ticket of the session we resume, or empty to ask for one.
    { type: ExtensionType.session_ticket, data: encodeSessionTicket(session?.ticket) },
  ];
  // pre_shared_key, when a later milestone offers it, must stay last (RFC 8446 §4.2.11).
  const psk = extensions.findIndex((extension) => extension.type === ExtensionType.pre_shared_key);
  if (psk >= 0) extensions.splice(psk, 0, ...tls12);
  else extensions.push(...tls12);
  return {
    ...hello,
    // RFC 5077 §3.4: with a ticket, a session id of our own (startClient made it random), echoed if the server resumes.
    legacySessionId: with13 || session !== undefined ? hello.legacySessionId : new Uint8Array(0),
    cipherSuites: [...(with13 ? hello.cipherSuites : []), ...context.tls12CipherSuites.map((suite) => suite.id)],
    extensions,
  };
}

/** What the client offered, as the TLS 1.2 states need it (client13's offer has these fields). */
export interface ClientOffer12 {
  readonly hello: ClientHello;
  /** Schemes we accept in the ServerKeyExchange signature (RSASSA-PKCS1-v1_5 included, unlike TLS 1.3's CertificateVerify). */
  readonly serverKeyExchangeSchemes: readonly SignatureSchemeName[];
  readonly alpn: readonly string[];
  readonly extensionTypes: ReadonlySet<number>;
}

/** Extensions a TLS 1.2 ServerHello may carry (of those we offer). */
const SERVER_HELLO_12_EXTENSIONS = new Set<number>([
  ExtensionType.server_name,
  ExtensionType.ec_point_formats,
  ExtensionType.application_layer_protocol_negotiation,
  ExtensionType.extended_master_secret,
  ExtensionType.renegotiation_info,
  ExtensionType.record_size_limit,
  ExtensionType.session_ticket,
]);

/** What the ServerHello settled. */
interface Hello12 {
  readonly offer: ClientOffer12;
  readonly suite: CipherSuite12;
  readonly serverRandom: Uint8Array;
  readonly ems: boolean;
  readonly alpn: string | undefined;
  readonly serverNameAcknowledged: boolean;
  /** The server answered session_ticket: a NewSessionTicket comes before its ChangeCipherSpec (RFC 5077 §3.3). */
  readonly ticketPromised: boolean;
}

/**
 * The client's TLS 1.2 path, from a ServerHello without supported_versions (RFC 8446 §4.2.1): the version,
 * downgrade, suite and extension checks, then the state awaiting the server's Certificate.
 * @throws {ProtocolError} see each check: protocol_version, illegal_parameter (downgrade sentinel, suite,
 *   session id, point formats, ALPN), handshake_failure (no extended master secret, no secure renegotiation).
 */
export function acceptServerHello12(io: HandshakeIO, offer: ClientOffer12, message: HandshakeMessage, hello: ServerHello): HandshakeState {
  const { context } = io;
  checkServerChoseTls12(context, hello.legacyVersion, hello.random);
  io.setVersion(TLS12);
  const suite = suite12ById(hello.cipherSuite);
  if (suite === undefined || !offer.hello.cipherSuites.includes(hello.cipherSuite) || !context.tls12CipherSuites.includes(suite)) {
    throw new ProtocolError('WRONG_CIPHER_RETURNED', `the server chose cipher suite 0x${hello.cipherSuite.toString(16).padStart(4, '0')}, which we did not offer for TLS 1.2`);
  }
  if (hello.legacyCompressionMethod !== 0) throw new ProtocolError('INVALID_COMPRESSION_ALGORITHM', 'ServerHello selected a compression method');
  // RFC 5077 §3.4: a server that accepts our ticket echoes our session id; without a ticket offered, our
  // compatibility session id echoed back would claim a resumption we did not ask for.
  const session = offeredSession12(io);
  const resumed = offer.hello.legacySessionId.length > 0 && equalBytes(hello.legacySessionIdEcho, offer.hello.legacySessionId);
  if (resumed && session === undefined) throw new ProtocolError('ILLEGAL_PARAMETER', 'the server resumes a TLS 1.2 session we did not offer');
  const { extensions } = hello;
  checkReceivedExtensions(extensions, 'ServerHello', SERVER_HELLO_12_EXTENSIONS, offer.extensionTypes);
  // RFC 5746 §3.4: the server must answer our signal with an empty renegotiation_info; we refuse servers that do not
  // support secure renegotiation (DESIGN.md §5).
  const renegotiation = findExtension(extensions, ExtensionType.renegotiation_info);
  if (renegotiation === undefined) throw new ProtocolError('UNSAFE_LEGACY_RENEGOTIATION_DISABLED', 'the server does not support secure renegotiation (RFC 5746)');
  if (decodeRenegotiationInfo(renegotiation).length !== 0) throw new ProtocolError('RENEGOTIATION_MISMATCH', 'renegotiation_info is not empty in an initial handshake');
  const { ems } = readEmsAndPointFormats12(io, extensions, 'server');
  let alpn: string | undefined;
  const alpnData = findExtension(extensions, ExtensionType.application_layer_protocol_negotiation);
  if (alpnData !== undefined) {
    const protocols = decodeAlpn(alpnData);
    const chosen = protocols.length === 1 ? textDecoder.decode(protocols[0]) : undefined;
    // RFC 7301 §3.1: exactly one protocol, one we offered.
    if (chosen === undefined || !offer.alpn.includes(chosen)) throw new ProtocolError('ILLEGAL_PARAMETER', 'the server selected an ALPN protocol we did not offer');
    alpn = chosen;
  }
  const serverName = findExtension(extensions, ExtensionType.server_name);
  if (serverName !== undefined && decodeServerName(serverName) !== undefined) throw new ProtocolError('DECODE_ERROR', 'the server_name acknowledgement must be empty');
  // RFC 8449 §4: a TLS 1.2 server answers record_size_limit in its ServerHello (GnuTLS does), counting plaintext
  // only and at most 2^14 (a larger value is capped, as the RFC lets a client do). `limitRecordSizes` speaks TLS
  // 1.3's measure, which counts the inner content type byte: hence the + 1.
  const limitData = findExtension(extensions, ExtensionType.record_size_limit);
  if (limitData !== undefined) io.limitRecordSizes({ send: Math.min(decodeRecordSizeLimit(limitData), MAX_PLAINTEXT_LENGTH) + 1 });
  // RFC 5077 §3.2: the server's session_ticket is empty and promises a NewSessionTicket.
  const ticketData = findExtension(extensions, ExtensionType.session_ticket);
  if (ticketData !== undefined) expectEmptyExtension(ticketData, 'session_ticket');
  const settled: Hello12 = {
    offer,
    suite,
    serverRandom: hello.random,
    ems,
    alpn,
    serverNameAcknowledged: serverName !== undefined,
    ticketPromised: ticketData !== undefined,
  };
  if (resumed) return resumeSession12(io, settled, session!, message);

  // A CertificateVerify signs the handshake messages themselves (RFC 5246 §7.4.8): keep them if we may send one.
  if (context.certifiedKeys.length > 0) io.transcript.retainMessages();
  io.transcript.selectHash(io.provider.hashes[suite.hash]!);
  io.transcript.add(message.raw);
  return new ExpectCertificate(io, settled);
}

class ExpectCertificate extends State12 {
  readonly name = 'ExpectCertificate';
  constructor(
    io: HandshakeIO,
    private readonly hello: Hello12,
  ) {
    super(io, 'client');
  }

  protected handleMessage(message: HandshakeMessage): HandshakeState {
    if (message.type !== HandshakeType.certificate) throw unexpected(this.name, message);
    const { io } = this;
    const ders = decodeCertificate12(message.body, { maxEntries: io.context.limits.maxCertificateChainLength });
    const chain = ders.map((der) => io.context.parsePeerCertificate(der));
    const [leaf] = chain;
    if (leaf === undefined) throw new ProtocolError('NO_CERTIFICATES_RETURNED', 'the server sent an empty Certificate');
    const verified = verifyPeerChain(io, chain, 'serverAuth');
    const key = importPeerKey(io.provider, leaf);
    // RFC 8422 §2, §5.3: ECDHE_ECDSA needs an ECDSA- or EdDSA-capable key, ECDHE_RSA an RSA key.
    const fits = this.hello.suite.auth === 'ECDSA' ? key.type === 'ec' || key.type === 'ed25519' : key.type === 'rsa' || key.type === 'rsa-pss';
    if (!fits) throw new ProtocolError('UNKNOWN_CERTIFICATE_TYPE', `a ${key.type} certificate cannot serve ${this.hello.suite.name}`);
    // RFC 8422 §5.3: an ECDSA certificate's curve must be one of our supported_groups.
    const offeredGroups = io.context.groups.map((name) => io.provider.groups[name]!.id);
    if (!certificateCurveAllowed(key, offeredGroups)) throw new ProtocolError('ILLEGAL_PARAMETER', `the server's ECDSA certificate is on ${key.curve ?? 'a curve'} we did not list in supported_groups`);
    io.transcript.add(message.raw);
    return new ExpectServerKeyExchange(io, this.hello, { chain, verified }, key);
  }
}

interface Peer12 {
  readonly chain: readonly Certificate[];
  readonly verified: boolean;
}

class ExpectServerKeyExchange extends State12 {
  readonly name = 'ExpectServerKeyExchange';
  constructor(
    io: HandshakeIO,
    private readonly hello: Hello12,
    private readonly peer: Peer12,
    private readonly key: PublicKey,
  ) {
    super(io, 'client');
  }

  protected handleMessage(message: HandshakeMessage): HandshakeState {
    if (message.type !== HandshakeType.server_key_exchange) throw unexpected(this.name, message);
    const { io, hello } = this;
    const exchange = decodeServerKeyExchangeEcdhe(message.body);
    // RFC 8422 §5.4: the curve must be one we listed in supported_groups.
    const group = tls12GroupById(io.provider, io.context.groups, exchange.namedGroup);
    if (group === undefined) throw new ProtocolError('ILLEGAL_PARAMETER', `ServerKeyExchange uses group ${exchange.namedGroup}, which we did not offer`);
    const input = serverKeyExchangeInput(hello.offer.hello.random, hello.serverRandom, exchange.params);
    const scheme = verifyServerParams(io.provider, hello.offer.serverKeyExchangeSchemes, hello.suite.auth, this.key, exchange.scheme, input, exchange.signature);
    const ours = group.start();
    const preMasterSecret = ours.complete(exchange.publicKey);
    io.transcript.add(message.raw);
    return new ExpectCertificateRequestOrDone(io, hello, this.peer, { ours, preMasterSecret, scheme, group: group.name });
  }
}

interface KeyExchange12 {
  readonly ours: KeyExchange;
  readonly preMasterSecret: Uint8Array;
  readonly scheme: SignatureSchemeName;
  readonly group: KeyExchange['group'];
}

class ExpectCertificateRequestOrDone extends State12 {
  readonly name: string = 'ExpectCertificateRequestOrServerHelloDone';
  constructor(
    io: HandshakeIO,
    protected readonly hello: Hello12,
    protected readonly peer: Peer12,
    protected readonly exchange: KeyExchange12,
    protected readonly request: CertificateRequest12 | undefined = undefined,
  ) {
    super(io, 'client');
  }

  protected handleMessage(message: HandshakeMessage): HandshakeState {
    const { io } = this;
    if (message.type === HandshakeType.certificate_request && this.request === undefined) {
      const request = decodeCertificateRequest12(message.body);
      io.transcript.add(message.raw);
      return new ExpectServerHelloDone(io, this.hello, this.peer, this.exchange, request);
    }
    if (message.type !== HandshakeType.server_hello_done) throw unexpected(this.name, message);
    decodeEmptyMessage(message.body, 'ServerHelloDone');
    io.transcript.add(message.raw);
    return this.#sendFlight();
  }

  /** Our second flight (RFC 5246 §7.3): [Certificate], ClientKeyExchange, ChangeCipherSpec, Finished. */
  #sendFlight(): HandshakeState {
    const { io, hello, exchange, request } = this;
    // RFC 5246 §7.4.6: our certificate if one fits the request, else an empty list.
    const choice = request === undefined ? undefined : chooseClientCertificate12(io.provider, io.context.certifiedKeys, io.context.signatureSchemes, request);
    if (request !== undefined) io.sendHandshake(HandshakeType.certificate, encodeCertificate12(choice?.certified.chain ?? []));
    io.sendHandshake(HandshakeType.client_key_exchange, encodeClientKeyExchangeEcdhe(exchange.ours.publicKey));
    // RFC 7627 §4: the session hash runs through ClientKeyExchange, before CertificateVerify.
    const keys = deriveKeys12(io, hello.suite, exchange.preMasterSecret, hello.offer.hello.random, hello.serverRandom, hello.ems);
    if (choice !== undefined) {
      // RFC 5246 §7.4.8: the signature covers every handshake message so far.
      const signature = choice.scheme.sign(choice.certified.key, io.transcript.messages());
      io.sendHandshake(HandshakeType.certificate_verify, encodeCertificateVerify({ scheme: choice.scheme.id, signature }));
    }
    io.sendChangeCipherSpec();
    io.setTls12Keys('write', hello.suite, keys.clientWriteKey, keys.clientWriteIv);
    sendFinished12(io, hello.suite, keys, 'client');
    const ending: Ending12 = { hello, keys, peer: this.peer, exchange, resumed: undefined };
    return hello.ticketPromised ? new ExpectNewSessionTicket(io, ending) : expectServerChangeCipherSpec(io, ending, undefined);
  }
}

class ExpectServerHelloDone extends ExpectCertificateRequestOrDone {
  override readonly name = 'ExpectServerHelloDone';
}

/**
 * What the last states of either handshake need: the settled hello, the keys, the server's chain and, on a full
 * handshake, the key exchange (RFC 5246 §7.3: a resumed session has none).
 */
interface Ending12 {
  readonly hello: Hello12;
  readonly keys: Keys12;
  readonly peer: Peer12;
  readonly exchange: Pick<KeyExchange12, 'group' | 'scheme'> | undefined;
  /** The session resumed, or undefined on a full handshake. */
  readonly resumed: TLSSession | undefined;
}

/**
 * The abbreviated handshake (RFC 5077 §3.4, RFC 5246 §7.3): the server accepted our ticket. The session's master
 * secret with this handshake's randoms makes the keys; the server's [NewSessionTicket], ChangeCipherSpec and
 * Finished come next, then ours. The checks are RFC 5246 §7.4.1.3's and RFC 7627 §5.3's.
 * @throws {ProtocolError} `ILLEGAL_PARAMETER` (another suite than the session's), `EXTENDED_MASTER_SECRET_REQUIRED`
 *   (handshake_failure: the session used it, this ServerHello does not).
 */
function resumeSession12(io: HandshakeIO, hello: Hello12, session: TLSSession, message: HandshakeMessage): HandshakeState {
  // RFC 5246 §7.4.1.3: a resumed session keeps its cipher suite.
  if (hello.suite.id !== session.cipherSuite) throw new ProtocolError('ILLEGAL_PARAMETER', 'the server resumed our session with another cipher suite');
  // RFC 7627 §5.3: the session used the extended master secret (we keep no other); the ServerHello must say so too.
  if (!hello.ems) throw new ProtocolError('EXTENDED_MASTER_SECRET_REQUIRED', 'the server resumed our session without the extended master secret (RFC 7627 §5.3)');
  io.transcript.selectHash(io.provider.hashes[hello.suite.hash]!);
  io.transcript.add(message.raw);
  const keys = keysFromMasterSecret12(io, hello.suite, session.state.secret, hello.offer.hello.random, hello.serverRandom, true);
  // The server's chain is the session's (completion hands it over as resumedPeerChain): no Certificate message here.
  const ending: Ending12 = { hello, keys, peer: { chain: [], verified: session.peerVerified }, exchange: undefined, resumed: session };
  return hello.ticketPromised ? new ExpectNewSessionTicket(io, ending) : expectServerChangeCipherSpec(io, ending, undefined);
}

/** RFC 5077 §3.3: the ticket the server promised in its ServerHello, before its ChangeCipherSpec. */
class ExpectNewSessionTicket extends State12 {
  readonly name = 'ExpectNewSessionTicket';
  constructor(
    io: HandshakeIO,
    private readonly ending: Ending12,
  ) {
    super(io, 'client');
  }

  protected handleMessage(message: HandshakeMessage): HandshakeState {
    if (message.type !== HandshakeType.new_session_ticket) throw unexpected(this.name, message);
    const ticket = decodeNewSessionTicket12(message.body);
    // RFC 5077 §3.3: it is a handshake message, in the transcript Finished covers.
    this.io.transcript.add(message.raw);
    // An empty ticket: the server changed its mind (RFC 5077 §3.3); nothing to keep.
    return expectServerChangeCipherSpec(this.io, this.ending, ticket.ticket.length > 0 ? ticket : undefined);
  }
}

/** The server's ChangeCipherSpec, then its Finished. */
function expectServerChangeCipherSpec(io: HandshakeIO, ending: Ending12, ticket: NewSessionTicket12 | undefined): HandshakeState {
  return new ExpectChangeCipherSpec12(io, 'client', ending.hello.suite, ending.keys, new ExpectFinished(io, ending, ticket));
}

class ExpectFinished extends State12 {
  readonly name = 'ExpectFinished';
  constructor(
    io: HandshakeIO,
    private readonly ending: Ending12,
    private readonly ticket: NewSessionTicket12 | undefined,
  ) {
    super(io, 'client');
  }

  protected handleMessage(message: HandshakeMessage): HandshakeState {
    if (message.type !== HandshakeType.finished) throw unexpected(this.name, message);
    const { io, ending } = this;
    const { hello, keys, peer, resumed } = ending;
    receiveFinished12(io, message, hello.suite, keys, 'server');
    if (resumed !== undefined) {
      // RFC 5246 §7.3: in an abbreviated handshake the client speaks last.
      io.sendChangeCipherSpec();
      io.setTls12Keys('write', hello.suite, keys.clientWriteKey, keys.clientWriteIv);
      sendFinished12(io, hello.suite, keys, 'client');
    }
    const serverName = hello.serverNameAcknowledged ? io.serverHostname : undefined;
    const peerDer = resumed === undefined ? chainDer(peer.chain) : resumed.state.peerCertificates;
    const newSession =
      this.ticket === undefined
        ? undefined
        : sessionFromTicket12(io, this.ticket, {
            suite: hello.suite,
            masterSecret: keys.masterSecret,
            alpn: hello.alpn,
            serverName: io.serverHostname,
            peerCertificates: peerDer,
            peerVerified: peer.verified,
          });
    io.complete({
      version: TLS12,
      suite: hello.suite,
      group: ending.exchange?.group,
      signatureScheme: ending.exchange?.scheme,
      alpn: hello.alpn,
      serverName,
      peerCertificates: peer.chain,
      peerVerified: peer.verified,
      helloRetried: false,
      ...(resumed === undefined ? {} : { resumedPeerChain: peerDer }),
      ...(newSession === undefined ? {} : { newSession }),
      tls12: { masterSecret: keys.masterSecret, clientRandom: hello.offer.hello.random, serverRandom: hello.serverRandom, extendedMasterSecret: keys.extendedMasterSecret },
    });
    return new ExpectTraffic12(io, 'client');
  }
}

