/**
 * The TLS 1.3 client handshake (RFC 8446 §2, §4), one state per message awaited:
 *
 *   start ──ClientHello──▶ ExpectServerHello ──HelloRetryRequest──▶ ExpectServerHello (once)
 *                               │ServerHello
 *                               ▼
 *                    ExpectEncryptedExtensions ─▶ ExpectCertificateOrRequest ─▶ [ExpectCertificate]
 *                               ─▶ ExpectCertificateVerify ─▶ ExpectFinished ──(our Finished)──▶ done
 */
import { ProtocolError, TLSVersion } from '@tlsbio/errors';
import { equalBytes } from '../crypto/bytes.js';
import type { GroupName, KeyExchange, PublicKey, SignatureSchemeName } from '../crypto/provider.js';
import { KeySchedule13 } from '../keyschedule/index.js';
import {
  ExtensionType,
  HandshakeType,
  PskKeyExchangeMode,
  ProtocolVersion,
  decodeAlpn,
  decodeCookie,
  decodeEarlyDataIndication,
  decodeEncryptedExtensions,
  decodeKeyShareHelloRetry,
  decodeKeyShareServer,
  decodeServerHello,
  decodeServerName,
  decodeSupportedVersionsServer,
  encodeAlpn,
  encodeClientHello,
  encodeCookie,
  encodeEarlyDataIndication,
  encodeKeyShareClient,
  encodePskKeyExchangeModes,
  encodeRecordSizeLimit,
  MAX_RECORD_SIZE_LIMIT,
  decodeRecordSizeLimit,
  decodeSupportedGroups,
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
  allowedInCertificateVerify,
  checkReceivedExtensions,
  expectType,
  importPeerKey,
  receiveCertificate,
  receiveCertificateVerify,
  receiveFinished,
  sendFinished,
  verifyPeerChain,
  wireList,
} from './common13.js';
import { acceptServerHello12, fitClientHelloToVersions } from './client12.js';
import { offeredSession12 } from './session12.js';
import { answerCertificateRequest, readCertificateRequest, sendClientCertificate, type ReceivedCertificateRequest } from './client-certificate13.js';
import { allowsVersion } from './version.js';
import { checkEarlyDataAccepted, sendEndOfEarlyData } from './early-data13.js';
import type { HandshakeIO, HandshakeState } from './state.js';

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder();

/** What the client offered, kept for checking the server's answers. */
interface Offer {
  readonly hello: ClientHello;
  readonly shares: ReadonlyMap<number, KeyExchange>;
  readonly groups: readonly GroupName[];
  /** Schemes we accept in the server's CertificateVerify. */
  readonly schemes: readonly SignatureSchemeName[];
  /** Schemes we accept in a TLS 1.2 ServerKeyExchange. */
  readonly serverKeyExchangeSchemes: readonly SignatureSchemeName[];
  readonly alpn: readonly string[];
  /** Extension types of our ClientHello: the server may only answer these. */
  readonly extensionTypes: ReadonlySet<number>;
  /** The parts of the ClientHello that stay the same in a second one (RFC 8446 §4.1.2). */
  readonly parts: HelloParts;
  /** 0-RTT offered in this ClientHello (never in a second one), with what the early data was sent under. */
  readonly earlyData: EarlyDataOffer | undefined;
}

/** The session parameters our early data assumes (RFC 8446 §4.2.10): a server that accepts must keep them. */
interface EarlyDataOffer {
  readonly suite: number;
  readonly alpn: string | undefined;
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
  // A TLS 1.2 ticket needs a session id for the server to echo (RFC 5077 §3.4).
  const sessionId = context.middleboxCompatibility || offeredSession12(io) !== undefined ? provider.randomBytes(32) : new Uint8Array(0);
  const parts = helloParts(io);
  const earlyData: EarlyDataOffer | undefined = undefined; // 0-RTT needs a resumable session: see early-data13.ts
  const hello = buildClientHello(io, parts, random, sessionId, shares, undefined, earlyData !== undefined);
  io.sendHandshake(HandshakeType.client_hello, encodeClientHello(hello));
  const offer: Offer = {
    hello,
    shares,
    groups: context.groups,
    schemes: context.signatureSchemes.filter(allowedInCertificateVerify),
    serverKeyExchangeSchemes: context.signatureSchemes,
    alpn: context.alpnProtocols,
    extensionTypes: new Set(hello.extensions.map((e) => e.type)),
    parts,
    earlyData,
  };
  return new ExpectServerHello(io, offer, undefined);
}

/** The ClientHello's extension bodies other than key_share, cookie and padding, encoded once. */
interface HelloParts {
  readonly serverName: Uint8Array | undefined;
  readonly supportedGroups: Uint8Array;
  readonly alpn: Uint8Array | undefined;
  readonly signatureAlgorithms: Uint8Array;
  readonly signatureAlgorithmsCert: Uint8Array | undefined;
}

function helloParts(io: HandshakeIO): HelloParts {
  const { context, provider } = io;
  const wire = context.testingOnlyWireCodepoints;
  const hostname = io.serverHostname;
  // RFC 6066 §3: SNI carries DNS names only, never IP literals.
  const serverName = hostname !== undefined && parseIpAddress(hostname) === undefined ? encodeServerName(hostname.replace(/\.$/, '')) : undefined;
  const groupIds = context.groups.map((name) => provider.groups[name]!.id);
  const schemeId = (name: SignatureSchemeName) => provider.signatures[name]!.id;
  // RFC 8446 §4.2.3: with signature_algorithms_cert sent, signature_algorithms speaks only for handshake signatures:
  // TLS 1.3's CertificateVerify allows no RSASSA-PKCS1-v1_5, but a TLS 1.2 ServerKeyExchange may use it, so those
  // stay listed while TLS 1.2 is in range (our TLS 1.3 states still refuse them). Without the _cert list,
  // signature_algorithms speaks for certificates too.
  const certificateSchemes = context.certificateSignatureSchemes;
  const onlyTls13 = !allowsVersion(context, TLSVersion.TLSv1_2);
  const handshakeSchemes = certificateSchemes === null || !onlyTls13 ? context.signatureSchemes : context.signatureSchemes.filter(allowedInCertificateVerify);
  const schemeIds = handshakeSchemes.map(schemeId);
  const certificateIds = certificateSchemes?.map(schemeId);
  const sameLists = certificateIds !== undefined && certificateIds.length === schemeIds.length && certificateIds.every((id, i) => schemeIds[i] === id);
  const alpn = context.alpnProtocols.length > 0 ? encodeAlpn(context.alpnProtocols.map((p) => textEncoder.encode(p))) : undefined;
  return {
    serverName,
    supportedGroups: encodeSupportedGroups(wireList('supportedGroups', groupIds, wire.supportedGroups)),
    alpn,
    signatureAlgorithms: encodeSignatureSchemes(wireList('signatureAlgorithms', schemeIds, wire.signatureAlgorithms)),
    signatureAlgorithmsCert: certificateIds === undefined || sameLists ? undefined : encodeSignatureSchemes(certificateIds),
  };
}

/**
 * A ClientHello, its extensions in one fixed order (NSS's, which RFC 8448's traces show; any order is valid but
 * pre_shared_key, which goes last, RFC 8446 §4.2.11): server_name, supported_groups, ALPN, key_share, early_data,
 * supported_versions, signature_algorithms, signature_algorithms_cert, cookie, psk_key_exchange_modes,
 * record_size_limit, post_handshake_auth, padding.
 */
function buildClientHello(
  io: HandshakeIO,
  parts: HelloParts,
  random: Uint8Array,
  sessionId: Uint8Array,
  shares: ReadonlyMap<number, KeyExchange>,
  cookie: Uint8Array | undefined,
  earlyData: boolean,
): ClientHello {
  const { context } = io;
  const extensions: Extension[] = [];
  const add = (type: number, data: Uint8Array | undefined) => {
    if (data !== undefined) extensions.push({ type, data });
  };
  add(ExtensionType.server_name, parts.serverName);
  add(ExtensionType.supported_groups, parts.supportedGroups);
  add(ExtensionType.application_layer_protocol_negotiation, parts.alpn);
  add(ExtensionType.key_share, encodeKeyShareClient(keyShareEntries(shares)));
  add(ExtensionType.early_data, earlyData ? encodeEarlyDataIndication() : undefined);
  add(ExtensionType.supported_versions, encodeSupportedVersionsClient([ProtocolVersion.TLS1_3]));
  add(ExtensionType.signature_algorithms, parts.signatureAlgorithms);
  add(ExtensionType.signature_algorithms_cert, parts.signatureAlgorithmsCert);
  add(ExtensionType.cookie, cookie === undefined ? undefined : encodeCookie(cookie));
  // Without psk_key_exchange_modes a server sends no tickets (RFC 8446 §4.2.9); psk_ke is never offered.
  add(ExtensionType.psk_key_exchange_modes, encodePskKeyExchangeModes([PskKeyExchangeMode.psk_dhe_ke]));
  add(ExtensionType.record_size_limit, encodeRecordSizeLimit(context.recordSizeLimit));
  // RFC 8446 §4.2.6: we will answer a CertificateRequest after the handshake.
  add(ExtensionType.post_handshake_auth, context.postHandshakeAuth ? new Uint8Array(0) : undefined);
  for (const extra of context.testingOnlyWireCodepoints.clientHelloExtensions ?? []) {
    const at = extra.before === undefined ? -1 : extensions.findIndex((e) => e.type === extra.before);
    extensions.splice(at < 0 ? extensions.length : at, 0, { type: extra.type, data: extra.data });
  }
  // TLS 1.2 in the version range changes the offer (client12.ts).
  const hello: ClientHello = fitClientHelloToVersions(io, {
    legacyVersion: ProtocolVersion.TLS1_2,
    random,
    legacySessionId: sessionId,
    cipherSuites: context.cipherSuites.map((suite) => suite.id),
    legacyCompressionMethods: [0],
    extensions,
  });
  if (!context.clientHelloPadding) return hello;
  // RFC 7685 with NSS's and BoringSSL's rule: a hello of 256..511 bytes (handshake header included) grows to 512;
  // the padding extension carries at least one byte, as some servers choke on an empty last extension.
  const length = 4 + encodeClientHello(hello).length;
  if (length < 256 || length >= 512) return hello;
  const padding = Math.max(512 - length, 5) - 4;
  return { ...hello, extensions: [...hello.extensions, { type: ExtensionType.padding, data: new Uint8Array(padding) }] };
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
      // RFC 8446 §D.3: "A client that attempts to send 0-RTT data MUST fail a connection if it receives a
      // ServerHello with TLS 1.2 or older."
      if (this.offer.earlyData !== undefined) throw new ProtocolError('UNSUPPORTED_PROTOCOL', 'the server chose TLS 1.2 after we sent 0-RTT data');
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
    // change_cipher_spec goes first (RFC 8446 §D.4; after a HelloRetryRequest it was sent before ClientHello2; with
    // early data, right after the ClientHello). With 0-RTT offered, the early keys stay until EncryptedExtensions
    // says whether the server takes our early data.
    const earlyData = this.offer.earlyData !== undefined;
    if (io.context.middleboxCompatibility && this.retry === undefined && !earlyData) io.sendChangeCipherSpec();
    if (!earlyData) io.setWriteSecret(suite, clientSecret);
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

    // RFC 8446 §4.2.10: a HelloRetryRequest rejects 0-RTT; the second ClientHello goes out unprotected, without
    // early_data.
    const earlyData = offer.earlyData !== undefined;
    if (earlyData) {
      io.earlyDataAnswered(false);
      io.setWritePlaintext();
    }
    // RFC 8446 §4.1.2: the same hello but for the new key share and the cookie (and the padding that follows).
    const cookie = cookieData === undefined ? undefined : decodeCookie(cookieData);
    const hello2 = buildClientHello(io, offer.parts, offer.hello.random, offer.hello.legacySessionId, shares, cookie, false);
    // RFC 8446 §D.4: in compatibility mode the client's change_cipher_spec goes before its second ClientHello,
    // unless it went out after the first one already, ahead of early data.
    if (io.context.middleboxCompatibility && !earlyData) io.sendChangeCipherSpec();
    io.sendHandshake(HandshakeType.client_hello, encodeClientHello(hello2));
    const next: Offer = { ...offer, hello: hello2, shares, extensionTypes: new Set(hello2.extensions.map((e) => e.type)), earlyData: undefined };
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
  /** The server accepted our 0-RTT data: EndOfEarlyData goes out after its Finished. */
  readonly earlyDataAccepted: boolean;
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
    // RFC 8446 §4.2.7: the server's groups are for our next connection, not this one; but they must decode.
    const groupsData = findExtension(extensions, ExtensionType.supported_groups);
    if (groupsData !== undefined) decodeSupportedGroups(groupsData);
    const limitData = findExtension(extensions, ExtensionType.record_size_limit);
    if (limitData !== undefined) {
      const limit = decodeRecordSizeLimit(limitData); // below 64: illegal_parameter (RFC 8449 §4)
      // RFC 8449 §4: a client MAY refuse a limit over what the protocol allows (2^14 + 1 in TLS 1.3).
      if (limit > MAX_RECORD_SIZE_LIMIT) {
        throw new ProtocolError('ILLEGAL_PARAMETER', `record_size_limit ${limit} exceeds TLS 1.3's ${MAX_RECORD_SIZE_LIMIT}`);
      }
      // The server honours our limit and asks us to honour its own, from the records after this one.
      this.io.limitRecordSizes({ send: limit, receive: this.io.context.recordSizeLimit });
    }
    const earlyDataAccepted = this.#earlyDataAnswer(extensions, alpn);
    this.io.transcript.add(message.raw);
    return new ExpectCertificateOrRequest(this.io, this.offer, { ...this.keys, alpn, serverNameAcknowledged: serverName !== undefined, earlyDataAccepted });
  }

  /**
   * RFC 8446 §4.2.10: an empty early_data here accepts our 0-RTT data (we checked the server may send it: only when
   * we offered it). Rejected, our handshake keys take over at once; accepted, the early keys stay until
   * EndOfEarlyData.
   */
  #earlyDataAnswer(extensions: readonly Extension[], alpn: string | undefined): boolean {
    const offered = this.offer.earlyData;
    if (offered === undefined) return false;
    const data = findExtension(extensions, ExtensionType.early_data);
    if (data !== undefined) decodeEarlyDataIndication(data, false);
    const accepted = data !== undefined;
    if (accepted) checkEarlyDataAccepted(0, this.keys.suite, offered.suite, alpn, offered.alpn);
    this.io.earlyDataAnswered(accepted);
    if (!accepted) this.io.setWriteSecret(this.keys.suite, this.keys.clientSecret);
    return accepted;
  }
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
    const certificateRequest = readCertificateRequest(message.body);
    // RFC 8446 §4.3.2: the context is empty in a request made during the handshake.
    if (certificateRequest.context.length !== 0) throw new ProtocolError('ILLEGAL_PARAMETER', 'CertificateRequest has a context during the handshake');
    this.io.transcript.add(message.raw);
    return new ExpectCertificate(this.io, this.offer, this.negotiated, certificateRequest);
  }
}

class ExpectCertificate implements HandshakeState {
  readonly name = 'ExpectCertificate';
  constructor(
    private readonly io: HandshakeIO,
    private readonly offer: Offer,
    private readonly negotiated: Negotiated,
    private readonly request: ReceivedCertificateRequest | undefined,
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
    private readonly request: ReceivedCertificateRequest | undefined,
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
    private readonly request: ReceivedCertificateRequest | undefined,
    private readonly peer: PeerIdentity,
    private readonly scheme: SignatureSchemeName,
  ) {}

  handle(message: HandshakeMessage): HandshakeState | null {
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
    // RFC 8446 §4.5: accepted early data ends with EndOfEarlyData, under the early keys.
    if (negotiated.earlyDataAccepted) {
      sendEndOfEarlyData(io);
      io.setWriteSecret(suite, negotiated.clientSecret);
    }

    // Our second flight, under the client handshake keys: our certificate when asked (the choice may wait for an
    // asynchronous callback), then Finished.
    const request = this.request;
    if (request === undefined) return this.#finish(clientTraffic, serverTraffic, exporter);
    return answerCertificateRequest(io, request, false, (choice) => {
      sendClientCertificate(io, request, choice);
      return this.#finish(clientTraffic, serverTraffic, exporter);
    });
  }

  #finish(clientTraffic: Uint8Array, serverTraffic: Uint8Array, exporter: Uint8Array): null {
    const { io, negotiated } = this;
    const { suite, schedule } = negotiated;
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
}
