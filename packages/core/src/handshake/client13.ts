/**
 * The TLS 1.3 client handshake (RFC 8446 §2, §4), one state per message awaited:
 *
 *   start ──ClientHello──▶ ExpectServerHello ──HelloRetryRequest──▶ ExpectServerHello (once)
 *                               │ServerHello
 *                               ▼
 *                    ExpectEncryptedExtensions ─▶ ExpectCertificateOrRequest ─▶ [ExpectCertificate]
 *                               ─▶ ExpectCertificateVerify ─▶ ExpectFinished ──(our Finished)──▶ done
 */
import { ProtocolError } from '@tlsbio/errors';
import { equalBytes } from '../crypto/bytes.js';
import type { GroupName, KeyExchange, PublicKey, SignatureSchemeName } from '../crypto/provider.js';
import { KeySchedule13 } from '../keyschedule/index.js';
import {
  ExtensionType,
  HandshakeType,
  PskKeyExchangeMode,
  ProtocolVersion,
  decodeAlpn,
  decodeCertificateRequest13,
  decodeCookie,
  decodeEncryptedExtensions,
  decodeKeyShareHelloRetry,
  decodeKeyShareServer,
  decodeServerHello,
  decodeServerName,
  decodeSignatureSchemes,
  decodeSupportedVersionsServer,
  encodeAlpn,
  encodeClientHello,
  encodeCookie,
  encodeKeyShareClient,
  encodePskKeyExchangeModes,
  encodeServerName,
  encodeSignatureSchemes,
  encodeSupportedGroups,
  encodeSupportedVersionsClient,
  findExtension,
  type ClientHello,
  type Extension,
  type ServerHello,
} from '../msgs/index.js';
import type { HandshakeMessage } from '../record/index.js';
import { suiteById, type CipherSuite } from '../suites.js';
import { parseIpAddress, type Certificate } from '../x509/index.js';
import {
  checkReceivedExtensions,
  chooseCertifiedKey,
  expectType,
  importPeerKey,
  receiveCertificate,
  receiveCertificateVerify,
  receiveFinished,
  sendCertificate,
  sendCertificateVerify,
  sendFinished,
  verifyPeerChain,
} from './common13.js';
import { acceptServerHello12, fitClientHelloToVersions } from './client12.js';
import type { HandshakeIO, HandshakeState } from './state.js';

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder();

/** What the client offered, kept for checking the server's answers. */
interface Offer {
  readonly hello: ClientHello;
  readonly shares: ReadonlyMap<number, KeyExchange>;
  readonly groups: readonly GroupName[];
  readonly schemes: readonly SignatureSchemeName[];
  readonly alpn: readonly string[];
  /** Extension types of our ClientHello: the server may only answer these. */
  readonly extensionTypes: ReadonlySet<number>;
}

/** Sends the first ClientHello (RFC 8446 §4.1.2) and returns the state awaiting the server's answer. */
export function startClient(io: HandshakeIO): HandshakeState {
  const { context, provider } = io;
  const shares = new Map<number, KeyExchange>();
  for (const name of context.maximumVersion >= ProtocolVersion.TLS1_3 ? context.keyShareGroups : []) {
    const group = provider.groups[name]!;
    shares.set(group.id, group.start());
  }
  const random = provider.randomBytes(32);
  const sessionId = context.middleboxCompatibility ? provider.randomBytes(32) : new Uint8Array(0);
  const extensions: Extension[] = [];
  const hostname = io.serverHostname;
  // RFC 6066 §3: SNI carries DNS names only, never IP literals.
  if (hostname !== undefined && parseIpAddress(hostname) === undefined) {
    extensions.push({ type: ExtensionType.server_name, data: encodeServerName(hostname.replace(/\.$/, '')) });
  }
  const groupIds = context.groups.map((name) => provider.groups[name]!.id);
  extensions.push({ type: ExtensionType.supported_groups, data: encodeSupportedGroups(groupIds) });
  const schemeIds = context.signatureSchemes.map((name) => provider.signatures[name]!.id);
  extensions.push({ type: ExtensionType.signature_algorithms, data: encodeSignatureSchemes(schemeIds) });
  if (context.alpnProtocols.length > 0) {
    const protocols = context.alpnProtocols.map((p) => textEncoder.encode(p));
    extensions.push({ type: ExtensionType.application_layer_protocol_negotiation, data: encodeAlpn(protocols) });
  }
  extensions.push({ type: ExtensionType.supported_versions, data: encodeSupportedVersionsClient([ProtocolVersion.TLS1_3]) });
  // Without psk_key_exchange_modes a server sends no tickets (RFC 8446 §4.2.9); psk_ke is never offered.
  extensions.push({ type: ExtensionType.psk_key_exchange_modes, data: encodePskKeyExchangeModes([PskKeyExchangeMode.psk_dhe_ke]) });
  extensions.push({ type: ExtensionType.key_share, data: encodeKeyShareClient(keyShareEntries(shares)) });
  // TLS 1.2 in the version range changes the offer (client12.ts).
  const hello: ClientHello = fitClientHelloToVersions(context, provider, {
    legacyVersion: ProtocolVersion.TLS1_2,
    random,
    legacySessionId: sessionId,
    cipherSuites: context.cipherSuites.map((suite) => suite.id),
    legacyCompressionMethods: [0],
    extensions,
  });
  io.sendHandshake(HandshakeType.client_hello, encodeClientHello(hello));
  const offer: Offer = {
    hello,
    shares,
    groups: context.groups,
    schemes: context.signatureSchemes,
    alpn: context.alpnProtocols,
    extensionTypes: new Set(hello.extensions.map((e) => e.type)),
  };
  return new ExpectServerHello(io, offer, undefined);
}

function keyShareEntries(shares: ReadonlyMap<number, KeyExchange>) {
  return [...shares].map(([group, exchange]) => ({ group, keyExchange: exchange.publicKey }));
}

const SERVER_HELLO_EXTENSIONS = new Set<number>([ExtensionType.supported_versions, ExtensionType.key_share, ExtensionType.pre_shared_key]);
const HELLO_RETRY_EXTENSIONS = new Set<number>([ExtensionType.supported_versions, ExtensionType.key_share, ExtensionType.cookie]);
// RFC 8446 §4.2's table: what may appear in EncryptedExtensions (of what we can offer).
const ENCRYPTED_EXTENSIONS = new Set<number>([
  ExtensionType.server_name,
  ExtensionType.supported_groups,
  ExtensionType.application_layer_protocol_negotiation,
  ExtensionType.early_data,
  ExtensionType.record_size_limit,
]);

/** The suite a HelloRetryRequest fixed, with the group it asked for. */
interface Retry {
  readonly suite: CipherSuite;
  readonly group: number;
}

class ExpectServerHello implements HandshakeState {
  readonly name = 'ExpectServerHello';
  constructor(
    private readonly io: HandshakeIO,
    private readonly offer: Offer,
    private readonly retry: Retry | undefined,
  ) {}

  handle(message: HandshakeMessage): HandshakeState {
    expectType(message, this.name, HandshakeType.server_hello);
    const hello = decodeServerHello(message.body);
    // The version is decided here: without supported_versions the server chose TLS 1.2 (RFC 8446 §4.2.1).
    const versions = findExtension(hello.extensions, ExtensionType.supported_versions);
    if (this.retry === undefined && (versions === undefined || this.io.context.maximumVersion < ProtocolVersion.TLS1_3)) {
      return acceptServerHello12(this.io, this.offer, message, hello);
    }
    const suite = this.#checkCommonFields(hello);
    if (hello.isHelloRetryRequest) return this.#retry(hello, message, suite);
    checkReceivedExtensions(hello.extensions, 'ServerHello', SERVER_HELLO_EXTENSIONS, this.offer.extensionTypes);
    const share = findExtension(hello.extensions, ExtensionType.key_share);
    if (share === undefined) throw new ProtocolError('MISSING_EXTENSION', 'ServerHello has no key_share (RFC 8446 §4.2.8)');
    const { group, keyExchange } = decodeKeyShareServer(share);
    const exchange = this.offer.shares.get(group);
    // RFC 8446 §4.2.8: the server's share must be in a group we sent a share for.
    if (exchange === undefined) throw new ProtocolError('BAD_KEY_SHARE', `ServerHello key_share is for group ${group}, which we sent no share for`);
    if (this.retry !== undefined && group !== this.retry.group) {
      throw new ProtocolError('BAD_KEY_SHARE', 'ServerHello key_share differs from the group HelloRetryRequest asked for');
    }
    const sharedSecret = exchange.complete(keyExchange);

    const { io } = this;
    const hash = io.provider.hashes[suite.hash]!;
    if (this.retry === undefined) io.transcript.selectHash(hash);
    io.transcript.add(message.raw);
    const schedule = new KeySchedule13(hash);
    schedule.enterHandshake(sharedSecret);
    const clientSecret = schedule.clientHandshakeTrafficSecret(io.transcript.current());
    const serverSecret = schedule.serverHandshakeTrafficSecret(io.transcript.current());
    io.logSecret('CLIENT_HANDSHAKE_TRAFFIC_SECRET', this.offer.hello.random, clientSecret);
    io.logSecret('SERVER_HANDSHAKE_TRAFFIC_SECRET', this.offer.hello.random, serverSecret);
    io.setReadSecret(suite, serverSecret);
    // From here on our records are protected, alerts included (RFC 8446 §2). In compatibility mode the
    // change_cipher_spec goes first (RFC 8446 §D.4; after a HelloRetryRequest it was sent before ClientHello2).
    if (io.context.middleboxCompatibility && this.retry === undefined) io.sendChangeCipherSpec();
    io.setWriteSecret(suite, clientSecret);
    const keys: HandshakeKeys = {
      suite,
      group: exchange.group,
      schedule,
      clientSecret,
      serverSecret,
      helloRetried: this.retry !== undefined,
    };
    return new ExpectEncryptedExtensions(io, this.offer, keys);
  }

  /** Checks shared by ServerHello and HelloRetryRequest (RFC 8446 §4.1.3, §4.1.4). Returns the suite. */
  #checkCommonFields(hello: ServerHello): CipherSuite {
    const { offer } = this;
    const versions = findExtension(hello.extensions, ExtensionType.supported_versions);
    if (versions === undefined) {
      // A server without supported_versions negotiates TLS 1.2 or older, which this client does not offer.
      throw new ProtocolError('UNSUPPORTED_PROTOCOL', 'the server chose TLS 1.2 or older; only TLS 1.3 was offered');
    }
    // RFC 8446 §4.2.1: a version we did not offer is illegal_parameter.
    if (decodeSupportedVersionsServer(versions) !== ProtocolVersion.TLS1_3) {
      throw new ProtocolError('ILLEGAL_PARAMETER', 'ServerHello selected a version we did not offer');
    }
    // RFC 8446 §4.1.3: legacy_version is 0x0303 in a TLS 1.3 ServerHello.
    if (hello.legacyVersion !== ProtocolVersion.TLS1_2) {
      throw new ProtocolError('WRONG_SSL_VERSION', `ServerHello legacy_version is 0x${hello.legacyVersion.toString(16)}, not 0x0303`);
    }
    // RFC 8446 §4.1.3: the echo must be exactly our legacy_session_id.
    if (!equalBytes(hello.legacySessionIdEcho, offer.hello.legacySessionId)) {
      throw new ProtocolError('ILLEGAL_PARAMETER', 'ServerHello legacy_session_id_echo differs from ours');
    }
    if (hello.legacyCompressionMethod !== 0) {
      throw new ProtocolError('INVALID_COMPRESSION_ALGORITHM', 'ServerHello selected a compression method');
    }
    const suite = suiteById(hello.cipherSuite);
    if (suite === undefined || !offer.hello.cipherSuites.includes(hello.cipherSuite)) {
      throw new ProtocolError('WRONG_CIPHER_RETURNED', `server chose cipher suite 0x${hello.cipherSuite.toString(16)}, which we did not offer`);
    }
    // RFC 8446 §4.1.4: the ServerHello after a HelloRetryRequest keeps its suite.
    if (this.retry !== undefined && this.retry.suite !== suite) {
      throw new ProtocolError('WRONG_CIPHER_RETURNED', 'ServerHello changed the cipher suite HelloRetryRequest chose');
    }
    return suite;
  }

  /** RFC 8446 §4.1.4: answer a HelloRetryRequest with a second ClientHello. */
  #retry(hello: ServerHello, message: HandshakeMessage, suite: CipherSuite): HandshakeState {
    const { io, offer } = this;
    if (this.retry !== undefined) throw new ProtocolError('UNEXPECTED_MESSAGE', 'a second HelloRetryRequest (RFC 8446 §4.1.4)');
    checkReceivedExtensions(hello.extensions, 'HelloRetryRequest', HELLO_RETRY_EXTENSIONS, new Set([...offer.extensionTypes, ExtensionType.cookie]));
    const shareData = findExtension(hello.extensions, ExtensionType.key_share);
    const cookieData = findExtension(hello.extensions, ExtensionType.cookie);
    if (shareData === undefined && cookieData === undefined) {
      // A retry that would change nothing in the ClientHello.
      throw new ProtocolError('ILLEGAL_PARAMETER', 'HelloRetryRequest asks for no change (RFC 8446 §4.1.4)');
    }
    let shares = offer.shares;
    let group = [...shares.keys()][0]!;
    if (shareData !== undefined) {
      group = decodeKeyShareHelloRetry(shareData);
      const name = offer.groups.find((candidate) => io.provider.groups[candidate]!.id === group);
      // RFC 8446 §4.2.8: the group must be one we support and not one we already sent a share for.
      if (name === undefined || shares.has(group)) {
        throw new ProtocolError('BAD_KEY_SHARE', `HelloRetryRequest asks for group ${group}, which we did not offer or already shared`);
      }
      shares = new Map([[group, io.provider.groups[name]!.start()]]);
    }
    io.transcript.selectHash(io.provider.hashes[suite.hash]!);
    io.transcript.replaceWithMessageHash();
    io.transcript.add(message.raw);

    const extensions = offer.hello.extensions.map((extension) =>
      extension.type === ExtensionType.key_share
        ? { type: ExtensionType.key_share, data: encodeKeyShareClient(keyShareEntries(shares)) }
        : extension,
    );
    if (cookieData !== undefined) extensions.push({ type: ExtensionType.cookie, data: encodeCookie(decodeCookie(cookieData)) });
    const hello2: ClientHello = { ...offer.hello, extensions };
    // RFC 8446 §D.4: in compatibility mode the client's change_cipher_spec goes before its second ClientHello.
    if (io.context.middleboxCompatibility) io.sendChangeCipherSpec();
    io.sendHandshake(HandshakeType.client_hello, encodeClientHello(hello2));
    const next: Offer = { ...offer, hello: hello2, shares, extensionTypes: new Set(extensions.map((e) => e.type)) };
    return new ExpectServerHello(io, next, { suite, group });
  }
}

/** The key schedule and what the ServerHello fixed. */
interface HandshakeKeys {
  readonly suite: CipherSuite;
  readonly group: GroupName;
  readonly schedule: KeySchedule13;
  readonly clientSecret: Uint8Array;
  readonly serverSecret: Uint8Array;
  readonly helloRetried: boolean;
}

/** What EncryptedExtensions settled. */
interface Negotiated extends HandshakeKeys {
  readonly alpn: string | undefined;
  readonly serverNameAcknowledged: boolean;
}

class ExpectEncryptedExtensions implements HandshakeState {
  readonly name = 'ExpectEncryptedExtensions';
  constructor(
    private readonly io: HandshakeIO,
    private readonly offer: Offer,
    private readonly keys: HandshakeKeys,
  ) {}

  handle(message: HandshakeMessage): HandshakeState {
    expectType(message, this.name, HandshakeType.encrypted_extensions);
    const { extensions } = decodeEncryptedExtensions(message.body);
    // supported_groups may come back unasked (RFC 8446 §4.2.7 lets a server list its preferences).
    checkReceivedExtensions(extensions, 'EncryptedExtensions', ENCRYPTED_EXTENSIONS, new Set([...this.offer.extensionTypes, ExtensionType.supported_groups]));
    let alpn: string | undefined;
    const alpnData = findExtension(extensions, ExtensionType.application_layer_protocol_negotiation);
    if (alpnData !== undefined) {
      const protocols = decodeAlpn(alpnData);
      const chosen = protocols.length === 1 ? textDecoder.decode(protocols[0]) : undefined;
      // RFC 7301 §3.1: exactly one protocol, one of those we offered.
      if (chosen === undefined || !this.offer.alpn.includes(chosen)) {
        throw new ProtocolError('ILLEGAL_PARAMETER', 'the server selected an ALPN protocol we did not offer');
      }
      alpn = chosen;
    }
    const serverName = findExtension(extensions, ExtensionType.server_name);
    // RFC 6066 §3: the server's acknowledgement is an empty server_name.
    if (serverName !== undefined && decodeServerName(serverName) !== undefined) {
      throw new ProtocolError('DECODE_ERROR', 'the server_name acknowledgement must be empty');
    }
    this.io.transcript.add(message.raw);
    return new ExpectCertificateOrRequest(this.io, this.offer, { ...this.keys, alpn, serverNameAcknowledged: serverName !== undefined });
  }
}

/** A server's CertificateRequest (RFC 8446 §4.3.2): what our certificate must satisfy. */
interface CertificateRequest {
  readonly context: Uint8Array;
  readonly schemes: readonly number[];
}

class ExpectCertificateOrRequest implements HandshakeState {
  readonly name = 'ExpectCertificateOrCertificateRequest';
  constructor(
    private readonly io: HandshakeIO,
    private readonly offer: Offer,
    private readonly negotiated: Negotiated,
  ) {}

  handle(message: HandshakeMessage): HandshakeState {
    expectType(message, this.name, HandshakeType.certificate, HandshakeType.certificate_request);
    if (message.type === HandshakeType.certificate) {
      return new ExpectCertificate(this.io, this.offer, this.negotiated, undefined).handle(message);
    }
    const request = decodeCertificateRequest13(message.body);
    const schemes = findExtension(request.extensions, ExtensionType.signature_algorithms);
    // RFC 8446 §4.3.2: signature_algorithms is mandatory in a CertificateRequest.
    if (schemes === undefined) throw new ProtocolError('MISSING_SIGALGS_EXTENSION', 'CertificateRequest without signature_algorithms');
    this.io.transcript.add(message.raw);
    const certificateRequest = { context: request.certificateRequestContext, schemes: decodeSignatureSchemes(schemes) };
    return new ExpectCertificate(this.io, this.offer, this.negotiated, certificateRequest);
  }
}

class ExpectCertificate implements HandshakeState {
  readonly name = 'ExpectCertificate';
  constructor(
    private readonly io: HandshakeIO,
    private readonly offer: Offer,
    private readonly negotiated: Negotiated,
    private readonly request: CertificateRequest | undefined,
  ) {}

  handle(message: HandshakeMessage): HandshakeState {
    expectType(message, this.name, HandshakeType.certificate);
    const { io } = this;
    const received = receiveCertificate(io, message);
    // RFC 8446 §4.4.2: a server's certificate_request_context is empty.
    if (received.requestContext.length !== 0) throw new ProtocolError('ILLEGAL_PARAMETER', 'server Certificate has a request context');
    const [leaf] = received.chain;
    // RFC 8446 §4.4.2.4: a server that sends no certificate gets decode_error.
    if (leaf === undefined) throw new ProtocolError('NO_CERTIFICATES_RETURNED', 'the server sent an empty Certificate');
    const verified = verifyPeerChain(io, received.chain, 'serverAuth');
    const key = importPeerKey(io.provider, leaf);
    return new ExpectCertificateVerify(io, this.offer, this.negotiated, this.request, { chain: received.chain, key, verified });
  }
}

interface PeerIdentity {
  readonly chain: readonly Certificate[];
  readonly key: PublicKey;
  readonly verified: boolean;
}

class ExpectCertificateVerify implements HandshakeState {
  readonly name = 'ExpectCertificateVerify';
  constructor(
    private readonly io: HandshakeIO,
    private readonly offer: Offer,
    private readonly negotiated: Negotiated,
    private readonly request: CertificateRequest | undefined,
    private readonly peer: PeerIdentity,
  ) {}

  handle(message: HandshakeMessage): HandshakeState {
    expectType(message, this.name, HandshakeType.certificate_verify);
    const scheme = receiveCertificateVerify(this.io, message, 'server', this.peer.key, this.offer.schemes);
    return new ExpectFinished(this.io, this.offer, this.negotiated, this.request, this.peer, scheme);
  }
}

class ExpectFinished implements HandshakeState {
  readonly name = 'ExpectFinished';
  constructor(
    private readonly io: HandshakeIO,
    private readonly offer: Offer,
    private readonly negotiated: Negotiated,
    private readonly request: CertificateRequest | undefined,
    private readonly peer: PeerIdentity,
    private readonly scheme: SignatureSchemeName,
  ) {}

  handle(message: HandshakeMessage): null {
    expectType(message, this.name, HandshakeType.finished);
    const { io, negotiated } = this;
    const { suite, schedule } = negotiated;
    receiveFinished(io, message, suite, negotiated.serverSecret);

    // RFC 8446 §7.1: application secrets hash the transcript through the server's Finished.
    schedule.enterMaster();
    const throughServerFinished = io.transcript.current();
    const clientTraffic = schedule.clientApplicationTrafficSecret(throughServerFinished);
    const serverTraffic = schedule.serverApplicationTrafficSecret(throughServerFinished);
    const exporter = schedule.exporterMasterSecret(throughServerFinished);
    const random = this.offer.hello.random;
    io.logSecret('CLIENT_TRAFFIC_SECRET_0', random, clientTraffic);
    io.logSecret('SERVER_TRAFFIC_SECRET_0', random, serverTraffic);
    io.logSecret('EXPORTER_SECRET', random, exporter);
    io.setReadSecret(suite, serverTraffic);

    // Our second flight, under the client handshake keys.
    if (this.request !== undefined) this.#authenticate(this.request);
    sendFinished(io, suite, negotiated.clientSecret);
    io.setWriteSecret(suite, clientTraffic);

    io.complete({
      suite,
      group: negotiated.group,
      signatureScheme: this.scheme,
      alpn: negotiated.alpn,
      serverName: negotiated.serverNameAcknowledged ? io.serverHostname : undefined,
      peerCertificates: this.peer.chain,
      peerVerified: this.peer.verified,
      clientTrafficSecret: clientTraffic,
      serverTrafficSecret: serverTraffic,
      exporterMasterSecret: exporter,
      resumptionMasterSecret: schedule.resumptionMasterSecret(io.transcript.current()),
      helloRetried: negotiated.helloRetried,
    });
    return null;
  }

  /** RFC 8446 §4.4.2: our Certificate (empty when we have none that fits) and, with one, CertificateVerify. */
  #authenticate(request: CertificateRequest): void {
    const { io } = this;
    const choice = chooseCertifiedKey(io.provider, io.context.certifiedKeys, io.context.signatureSchemes, request.schemes, undefined);
    sendCertificate(io, request.context, choice?.certified);
    if (choice !== undefined) sendCertificateVerify(io, 'client', choice.scheme, choice.certified);
  }
}
