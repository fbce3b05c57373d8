/**
 * The TLS 1.3 server handshake (RFC 8446 §2, §4), one state per message awaited:
 *
 *   ExpectClientHello ──(no usable key share)──▶ HelloRetryRequest ─▶ ExpectClientHello (second, checked against the first)
 *          │ (ServerHello … Finished sent; with a PSK (psk13.ts): no CertificateRequest, Certificate, CertificateVerify)
 *          ▼
 *   [ExpectClientCertificate ─▶ ExpectClientCertificateVerify (client-auth13.ts)] ─▶ ExpectClientFinished ──▶ done
 */
import { ProtocolError } from '@tlsbio/errors';
import type { TLSContext } from '../context.js';
import type { GroupName, KeyExchangeGroup, SignatureScheme } from '../crypto/provider.js';
import type { CertifiedKey } from '../context.js';
import { equalBytes } from '../crypto/bytes.js';
import { KeySchedule13 } from '../keyschedule/index.js';
import {
  ExtensionType,
  HandshakeType,
  HELLO_RETRY_REQUEST_RANDOM,
  ProtocolVersion,
  decodeClientHello,
  decodeKeyShareClient,
  decodeSignatureSchemes,
  decodeSupportedGroups,
  decodeSupportedVersionsClient,
  encodeAlpn,
  encodeCookie,
  decodeCookie,
  decodeEarlyDataIndication,
  encodeEarlyDataIndication,
  expectEmptyExtension,
  decodeRecordSizeLimit,
  encodeRecordSizeLimit,
  encodeSupportedGroups,
  encodeEncryptedExtensions,
  encodeKeyShareHelloRetry,
  encodeKeyShareServer,
  encodePreSharedKeyServer,
  encodeServerHello,
  encodeSupportedVersionsServer,
  findExtension,
  type ClientHello,
  type Extension,
  type KeyShareEntry,
} from '../msgs/index.js';
import type { HandshakeMessage } from '../record/index.js';
import type { CipherSuite } from '../suites.js';
import { chooseCertifiedKey, expectType, receiveFinished, sendCertificate, sendCertificateVerify, sendFinished, wireList } from './common13.js';
import { ExpectClientCertificate, NO_CLIENT_IDENTITY, requestsClientCertificate, sendCertificateRequest, type ClientIdentity } from './client-auth13.js';
import { chooseAlpn, readAlpn, readServerName } from './server-hello-facts.js';
import { startServer12 } from './server12.js';
import { ExpectEndOfEarlyData, acceptsEarlyData, earlyDataCandidate, helloRetryEarlyDataPlan, serverEarlyDataPlan } from './early-data13.js';
import type { HandshakeIO, HandshakeState } from './state.js';
import { negotiateServerVersion } from './version.js';
import { acceptsPskDheKe, selectServerPsk, type ServerPsk } from './psk13.js';

const textEncoder = new TextEncoder();

/** The state a server connection starts in. */
export function startServer(io: HandshakeIO): HandshakeState {
  return new ExpectClientHello(io, undefined);
}

/** What the server settled on in answer to the first ClientHello, when it had to ask again. */
interface Retried {
  readonly first: ClientHello;
  readonly suite: CipherSuite;
  readonly group: KeyExchangeGroup;
  /** The cookie our HelloRetryRequest carried, which the second ClientHello must echo (RFC 8446 §4.2.2). */
  readonly cookie: Uint8Array | undefined;
}

/** The ClientHello's extensions, decoded once. */
interface Offer {
  readonly hello: ClientHello;
  readonly serverName: string | undefined;
  readonly groups: readonly number[];
  readonly shares: readonly KeyShareEntry[];
  readonly schemes: readonly number[];
  /** signature_algorithms_cert, or signature_algorithms when absent (RFC 8446 §4.2.3). */
  readonly certificateSchemes: readonly number[];
  readonly alpn: readonly string[] | undefined;
  /** The client's record_size_limit (RFC 8449), when it sent one. */
  readonly recordSizeLimit: number | undefined;
  readonly cookie: Uint8Array | undefined;
  /** The client offered post_handshake_auth (RFC 8446 §4.2.6). */
  readonly postHandshakeAuth: boolean;
  /** The client offered 0-RTT data: early_data (RFC 8446 §4.2.10). */
  readonly earlyData: boolean;
}

class ExpectClientHello implements HandshakeState {
  readonly name: string;
  constructor(
    private readonly io: HandshakeIO,
    private readonly retried: Retried | undefined,
  ) {
    this.name = retried === undefined ? 'ExpectClientHello' : 'ExpectSecondClientHello';
  }

  handle(message: HandshakeMessage): HandshakeState {
    expectType(message, this.name, HandshakeType.client_hello);
    const { io } = this;
    const hello = decodeClientHello(message.body);
    // The version is decided here (handshake/version.ts); TLS 1.2 goes on in server12.ts.
    if (this.retried === undefined && negotiateServerVersion(io.context, hello) === ProtocolVersion.TLS1_2) return startServer12(io, message, hello);
    const offer = readOffer(hello);
    if (this.retried !== undefined) checkSecondHello(this.retried, offer);
    else if (io.context.servernameCallback !== undefined) {
      const callback = io.context.servernameCallback;
      io.callback(() => callback(io.connection, offer.serverName, io.context));
    }
    const context = io.context;
    // RFC 8446 §4.2.11: a PSK fixes the suite's hash; after a HelloRetryRequest the suite is fixed already.
    const retriedSuite = this.retried?.suite;
    const pskSuite = (hashName: string) =>
      retriedSuite !== undefined
        ? retriedSuite.hash === hashName ? retriedSuite : undefined
        : context.cipherSuites.find((candidate) => candidate.hash === hashName && hello.cipherSuites.includes(candidate.id));
    const psk = selectServerPsk(io, message, hello, offer.serverName, pskSuite, true);
    const suite = retriedSuite ?? psk?.suite ?? chooseSuite(context, hello);
    // A resumed session is authenticated by its PSK: no certificate is sent (RFC 8446 §2.2).
    const certificate = psk === undefined ? chooseCertificate(io, offer) : undefined;
    const alpn = chooseAlpn(io, offer);

    if (this.retried === undefined) io.transcript.selectHash(io.provider.hashes[suite.hash]!);
    io.transcript.add(message.raw);
    const choice = chooseKeyShare(context, io, offer, this.retried);
    if (choice.share === undefined) {
      io.receiveEarlyData(helloRetryEarlyDataPlan(context, offer.earlyData));
      return this.#helloRetry(hello, suite, choice.group);
    }

    const { publicKey, sharedSecret } = choice.group.accept(choice.share.keyExchange);
    // RFC 8446 §4.2.10: 0-RTT is accepted only for a PSK (resumption); otherwise the client's early records are
    // skipped. Decided while the transcript is the ClientHello, which the early secrets hash.
    const accepted = offer.earlyData && psk !== undefined && acceptsEarlyData(context, earlyDataCandidate(hello, psk, suite, alpn));
    const earlyData = serverEarlyDataPlan(
      io,
      offer.earlyData,
      accepted ? { schedule: psk.schedule, suite, clientRandom: hello.random, limit: psk.state.maxEarlyData } : undefined,
    );
    const serverHello = {
      legacyVersion: ProtocolVersion.TLS1_2,
      random: io.provider.randomBytes(32),
      legacySessionIdEcho: hello.legacySessionId,
      cipherSuite: suite.id,
      legacyCompressionMethod: 0,
      // NSS's order (RFC 8448 §3, §4): pre_shared_key, key_share, then supported_versions.
      extensions: [
        ...(psk === undefined ? [] : [{ type: ExtensionType.pre_shared_key, data: encodePreSharedKeyServer(psk.index) }]),
        { type: ExtensionType.key_share, data: encodeKeyShareServer({ group: choice.group.id, keyExchange: publicKey }) },
        { type: ExtensionType.supported_versions, data: encodeSupportedVersionsServer(ProtocolVersion.TLS1_3) },
      ],
    };
    io.sendHandshake(HandshakeType.server_hello, encodeServerHello(serverHello));
    // RFC 8446 §D.4: a client in compatibility mode (non-empty session id) expects our change_cipher_spec now.
    if (hello.legacySessionId.length > 0 && this.retried === undefined) io.sendChangeCipherSpec();

    const hash = io.provider.hashes[suite.hash]!;
    const schedule = psk?.schedule ?? new KeySchedule13(hash);
    schedule.enterHandshake(sharedSecret);
    const clientSecret = schedule.clientHandshakeTrafficSecret(io.transcript.current());
    const serverSecret = schedule.serverHandshakeTrafficSecret(io.transcript.current());
    io.logSecret('CLIENT_HANDSHAKE_TRAFFIC_SECRET', hello.random, clientSecret);
    io.logSecret('SERVER_HANDSHAKE_TRAFFIC_SECRET', hello.random, serverSecret);
    io.setWriteSecret(suite, serverSecret);
    io.setReadSecret(suite, clientSecret);
    io.receiveEarlyData(earlyData);
    // RFC 8449 §4: with the client's record_size_limit, our protected records honour it and we announce ours.
    if (offer.recordSizeLimit !== undefined) io.limitRecordSizes({ send: offer.recordSizeLimit, receive: context.recordSizeLimit });

    const encrypted: Extension[] = [];
    if (context.announceGroups) {
      // RFC 8446 §4.2.7: our groups, in our preference, for the client's next connection.
      const ids = context.groups.map((name) => io.provider.groups[name]!.id);
      encrypted.push({ type: ExtensionType.supported_groups, data: encodeSupportedGroups(wireList('supportedGroups', ids, context.testingOnlyWireCodepoints.supportedGroups)) });
    }
    if (offer.recordSizeLimit !== undefined) {
      encrypted.push({ type: ExtensionType.record_size_limit, data: encodeRecordSizeLimit(context.recordSizeLimit) });
    }
    // RFC 6066 §3: an empty server_name says we used the name.
    if (offer.serverName !== undefined) encrypted.push({ type: ExtensionType.server_name, data: new Uint8Array(0) });
    if (alpn !== undefined) {
      encrypted.push({ type: ExtensionType.application_layer_protocol_negotiation, data: encodeAlpn([textEncoder.encode(alpn)]) });
    }
    // RFC 8446 §4.2.10: an empty early_data says we accept the client's 0-RTT data.
    if (earlyData.action === 'accept') encrypted.push({ type: ExtensionType.early_data, data: encodeEarlyDataIndication() });
    io.sendHandshake(HandshakeType.encrypted_extensions, encodeEncryptedExtensions({ extensions: encrypted }));
    // RFC 8446 §4.3.2: a CertificateRequest, when we authenticate clients, goes between EncryptedExtensions and
    // Certificate — never in a PSK handshake, where the ticket carries the client's identity.
    const request = certificate !== undefined && requestsClientCertificate(io) ? sendCertificateRequest(io, new Uint8Array(0)) : undefined;
    if (certificate !== undefined) {
      sendCertificate(io, new Uint8Array(0), certificate.certified);
      sendCertificateVerify(io, 'server', certificate.scheme, certificate.certified);
    }
    sendFinished(io, suite, serverSecret);

    // RFC 8446 §7.1: application secrets hash the transcript through our Finished.
    schedule.enterMaster();
    const throughServerFinished = io.transcript.current();
    const clientTraffic = schedule.clientApplicationTrafficSecret(throughServerFinished);
    const serverTraffic = schedule.serverApplicationTrafficSecret(throughServerFinished);
    const exporter = schedule.exporterMasterSecret(throughServerFinished);
    io.logSecret('CLIENT_TRAFFIC_SECRET_0', hello.random, clientTraffic);
    io.logSecret('SERVER_TRAFFIC_SECRET_0', hello.random, serverTraffic);
    io.logSecret('EXPORTER_SECRET', hello.random, exporter);
    io.setWriteSecret(suite, serverTraffic);

    const flight: ServerFlight = {
      peerCipherSuites: hello.cipherSuites,
      suite,
      groupName: choice.group.name,
      scheme: certificate?.scheme,
      psk,
      alpn,
      serverName: offer.serverName,
      schedule,
      clientSecret,
      clientTraffic,
      serverTraffic,
      exporter,
      helloRetried: this.retried !== undefined,
      postHandshakeAuth: offer.postHandshakeAuth,
      acceptsTickets: acceptsPskDheKe(hello),
    };
    const finished = (identity: ClientIdentity) => new ExpectClientFinished(io, flight, identity);
    const secondFlight = () => (request === undefined ? finished(NO_CLIENT_IDENTITY) : new ExpectClientCertificate(io, request, finished));
    // RFC 8446 §4.5: accepted early data ends with EndOfEarlyData, under the early keys, before the client's flight.
    return earlyData.action === 'accept' ? new ExpectEndOfEarlyData(io, suite, clientSecret, secondFlight) : secondFlight();
  }

  /** RFC 8446 §4.1.4: ask for a share in `group`. The transcript restarts from a hash of the first ClientHello. */
  #helloRetry(hello: ClientHello, suite: CipherSuite, group: KeyExchangeGroup): HandshakeState {
    const { io } = this;
    const cookieCallback = io.context.helloRetryCookieCallback;
    const cookie = cookieCallback === undefined ? undefined : io.callback(() => cookieCallback(io.connection));
    if (cookie !== undefined && !(cookie instanceof Uint8Array && cookie.length > 0 && cookie.length < 0x10000)) {
      throw new ProtocolError('CALLBACK_FAILED', 'the cookie callback must return 1..65535 bytes or undefined', { fault: 'local' });
    }
    io.transcript.replaceWithMessageHash();
    io.sendHandshake(
      HandshakeType.server_hello,
      encodeServerHello({
        legacyVersion: ProtocolVersion.TLS1_2,
        random: HELLO_RETRY_REQUEST_RANDOM,
        legacySessionIdEcho: hello.legacySessionId,
        cipherSuite: suite.id,
        legacyCompressionMethod: 0,
        extensions: [
          { type: ExtensionType.key_share, data: encodeKeyShareHelloRetry(group.id) },
          ...(cookie === undefined ? [] : [{ type: ExtensionType.cookie, data: encodeCookie(cookie) }]),
          { type: ExtensionType.supported_versions, data: encodeSupportedVersionsServer(ProtocolVersion.TLS1_3) },
        ],
      }),
    );
    if (hello.legacySessionId.length > 0) io.sendChangeCipherSpec();
    return new ExpectClientHello(io, { first: hello, suite, group, cookie: cookie?.slice() });
  }
}

/** The certificate to send and the scheme to sign with. */
function chooseCertificate(io: HandshakeIO, offer: Offer): { certified: CertifiedKey; scheme: SignatureScheme } {
  const context = io.context;
  const certificate = chooseCertifiedKey(io.provider, context.certifiedKeys, context.signatureSchemes, offer.schemes, offer.serverName, offer.certificateSchemes);
  if (certificate === undefined) {
    throw new ProtocolError('NO_SUITABLE_SIGNATURE_ALGORITHM', 'no loaded certificate can sign with a scheme the client offers');
  }
  return certificate;
}

/** Decodes the ClientHello extensions the server acts on, with RFC 8446's presence rules. */
function readOffer(hello: ClientHello): Offer {
  const versions = findExtension(hello.extensions, ExtensionType.supported_versions);
  // RFC 8446 §4.2.1: without supported_versions the client speaks TLS 1.2 at most.
  if (versions === undefined || !decodeSupportedVersionsClient(versions).includes(ProtocolVersion.TLS1_3)) {
    throw new ProtocolError('UNSUPPORTED_PROTOCOL', 'the client does not offer TLS 1.3');
  }
  // RFC 8446 §4.1.2: a TLS 1.3 ClientHello offers exactly the null compression method.
  if (hello.legacyCompressionMethods.length !== 1 || hello.legacyCompressionMethods[0] !== 0) {
    throw new ProtocolError('INVALID_COMPRESSION_ALGORITHM', 'a TLS 1.3 ClientHello must offer only null compression');
  }
  const schemes = findExtension(hello.extensions, ExtensionType.signature_algorithms);
  // RFC 8446 §4.2.3 / §9.2: certificate authentication needs signature_algorithms.
  if (schemes === undefined) throw new ProtocolError('MISSING_SIGALGS_EXTENSION', 'ClientHello has no signature_algorithms');
  const groups = findExtension(hello.extensions, ExtensionType.supported_groups);
  const shares = findExtension(hello.extensions, ExtensionType.key_share);
  // RFC 8446 §9.2: without a PSK, supported_groups and key_share are both required.
  if (groups === undefined || shares === undefined) {
    throw new ProtocolError('MISSING_EXTENSION', 'ClientHello lacks supported_groups or key_share (RFC 8446 §9.2)');
  }
  const signatureSchemes = decodeSignatureSchemes(schemes);
  const certificateSchemes = findExtension(hello.extensions, ExtensionType.signature_algorithms_cert);
  const recordSizeLimit = findExtension(hello.extensions, ExtensionType.record_size_limit);
  const cookie = findExtension(hello.extensions, ExtensionType.cookie);
  const postHandshakeAuth = findExtension(hello.extensions, ExtensionType.post_handshake_auth);
  if (postHandshakeAuth !== undefined) expectEmptyExtension(postHandshakeAuth, 'post_handshake_auth');
  const earlyData = findExtension(hello.extensions, ExtensionType.early_data);
  if (earlyData !== undefined) decodeEarlyDataIndication(earlyData, false); // RFC 8446 §4.2.10: empty in a ClientHello
  const offer: Offer = {
    hello,
    serverName: readServerName(hello),
    groups: decodeSupportedGroups(groups),
    shares: decodeKeyShareClient(shares),
    schemes: signatureSchemes,
    certificateSchemes: certificateSchemes === undefined ? signatureSchemes : decodeSignatureSchemes(certificateSchemes),
    alpn: readAlpn(hello),
    // RFC 8449 §4: below 64 is illegal_parameter (the decoder's check); a server never refuses a higher value, it
    // only never sends more than 2^14 (RFC 8449 §4: "A server MUST NOT enforce this restriction").
    recordSizeLimit: recordSizeLimit === undefined ? undefined : decodeRecordSizeLimit(recordSizeLimit),
    cookie: cookie === undefined ? undefined : decodeCookie(cookie),
    postHandshakeAuth: postHandshakeAuth !== undefined,
    earlyData: earlyData !== undefined,
  };
  for (const share of offer.shares) {
    // RFC 8446 §4.2.8: each share must be for a group the client lists in supported_groups.
    if (!offer.groups.includes(share.group)) {
      throw new ProtocolError('BAD_KEY_SHARE', `key_share for group ${share.group}, which supported_groups does not list`);
    }
  }
  return offer;
}

/**
 * RFC 8446 §4.1.2: what a second ClientHello may change: the key share, the cookie, early_data (removed), padding,
 * and pre_shared_key (its ages and binders are recomputed; which identities stay is the resumption code's to check).
 */
const MAY_CHANGE_AFTER_RETRY = new Set<number>([
  ExtensionType.key_share,
  ExtensionType.cookie,
  ExtensionType.early_data,
  ExtensionType.padding,
  ExtensionType.pre_shared_key,
]);

function sameNumbers(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((value, i) => b[i] === value);
}

/** RFC 8446 §4.1.2: the second ClientHello repeats the first except for key_share, cookie, early_data and padding. */
function checkSecondHello(retried: Retried, offer: Offer): void {
  const { first } = retried;
  const second = offer.hello;
  const kept = (hello: ClientHello) => hello.extensions.filter((e) => !MAY_CHANGE_AFTER_RETRY.has(e.type));
  const firstKept = kept(first);
  const secondKept = kept(second);
  if (
    first.legacyVersion !== second.legacyVersion ||
    !equalBytes(first.random, second.random) ||
    !equalBytes(first.legacySessionId, second.legacySessionId) ||
    !sameNumbers(first.cipherSuites, second.cipherSuites) ||
    !sameNumbers(first.legacyCompressionMethods, second.legacyCompressionMethods) ||
    firstKept.length !== secondKept.length ||
    firstKept.some((e, i) => secondKept[i]!.type !== e.type || !equalBytes(secondKept[i]!.data, e.data))
  ) {
    throw new ProtocolError('ILLEGAL_PARAMETER', 'the second ClientHello changed more than RFC 8446 §4.1.2 allows');
  }
  if (findExtension(second.extensions, ExtensionType.early_data) !== undefined) {
    throw new ProtocolError('ILLEGAL_PARAMETER', 'early_data in the second ClientHello (RFC 8446 §4.2.10)');
  }
  // RFC 8446 §4.2.2: the cookie comes back exactly as we sent it, and only if we sent one.
  const cookieEchoed = retried.cookie === undefined ? offer.cookie === undefined : offer.cookie !== undefined && equalBytes(offer.cookie, retried.cookie);
  if (!cookieEchoed) throw new ProtocolError('ILLEGAL_PARAMETER', 'the second ClientHello does not echo our cookie exactly');
  // RFC 8446 §4.2.8: exactly one share now, in the group we asked for.
  if (offer.shares.length !== 1 || offer.shares[0]!.group !== retried.group.id) {
    throw new ProtocolError('BAD_KEY_SHARE', 'the second ClientHello does not carry the one key share we asked for');
  }
}

/** Our preference among the suites the client offers. */
function chooseSuite(context: TLSContext, hello: ClientHello): CipherSuite {
  const suite = context.cipherSuites.find((candidate) => hello.cipherSuites.includes(candidate.id));
  if (suite === undefined) throw new ProtocolError('NO_SHARED_CIPHER', 'no TLS 1.3 cipher suite in common');
  return suite;
}

/**
 * The group to use: among the client's shares, the one we prefer most; with no usable share, the group we prefer
 * most among those the client supports, to be asked for in a HelloRetryRequest (as rustls does: a share the client
 * already sent costs one round trip less than a better group would). With `retryForPreferredGroup` the group we
 * prefer most among those the client supports, share or no share.
 */
function chooseKeyShare(
  context: TLSContext,
  io: HandshakeIO,
  offer: Offer,
  retried: Retried | undefined,
): { group: KeyExchangeGroup; share: KeyShareEntry | undefined } {
  const ours = context.groups.map((name: GroupName) => io.provider.groups[name]!);
  if (context.retryForPreferredGroup && retried === undefined) {
    // Our most preferred group the client supports, even when that costs a HelloRetryRequest (NSS's policy).
    const best = ours.find((candidate) => offer.groups.includes(candidate.id));
    if (best === undefined) throw new ProtocolError('NO_SHARED_GROUPS', 'no key exchange group in common');
    return { group: best, share: offer.shares.find((entry) => entry.group === best.id) };
  }
  for (const group of ours) {
    const share = offer.shares.find((entry) => entry.group === group.id);
    if (share !== undefined) return { group, share };
  }
  if (retried !== undefined) throw new ProtocolError('BAD_KEY_SHARE', 'the second ClientHello has no usable key share');
  const group = ours.find((candidate) => offer.groups.includes(candidate.id));
  if (group === undefined) throw new ProtocolError('NO_SHARED_GROUPS', 'no key exchange group in common');
  return { group, share: undefined };
}

interface ServerFlight {
  readonly peerCipherSuites: readonly number[];
  readonly suite: CipherSuite;
  readonly groupName: GroupName;
  /** The scheme our CertificateVerify used; absent when a PSK authenticated us. */
  readonly scheme: SignatureScheme | undefined;
  /** The resumed session, when the handshake took a PSK. */
  readonly psk: ServerPsk | undefined;
  readonly alpn: string | undefined;
  readonly serverName: string | undefined;
  readonly schedule: KeySchedule13;
  readonly clientSecret: Uint8Array;
  readonly clientTraffic: Uint8Array;
  readonly serverTraffic: Uint8Array;
  readonly exporter: Uint8Array;
  readonly helloRetried: boolean;
  readonly postHandshakeAuth: boolean;
  /** The client offered psk_dhe_ke: tickets are of use to it (RFC 8446 §4.2.9). */
  readonly acceptsTickets: boolean;
}

class ExpectClientFinished implements HandshakeState {
  readonly name = 'ExpectClientFinished';
  constructor(
    private readonly io: HandshakeIO,
    private readonly flight: ServerFlight,
    private readonly client: ClientIdentity,
  ) {}

  handle(message: HandshakeMessage): null {
    expectType(message, this.name, HandshakeType.finished);
    const { io, flight } = this;
    receiveFinished(io, message, flight.suite, flight.clientSecret);
    io.setReadSecret(flight.suite, flight.clientTraffic);
    const resumed = flight.psk?.state;
    io.complete({
      peerCipherSuites: flight.peerCipherSuites,
      suite: flight.suite,
      group: flight.groupName,
      signatureScheme: flight.scheme?.name,
      alpn: flight.alpn,
      serverName: flight.serverName,
      peerCertificates: this.client.chain,
      peerVerified: resumed?.peerVerified ?? this.client.verified,
      ...(resumed === undefined ? {} : { resumedPeerChain: resumed.peerCertificates }),
      peerAcceptsTickets: flight.acceptsTickets,
      clientTrafficSecret: flight.clientTraffic,
      serverTrafficSecret: flight.serverTraffic,
      exporterMasterSecret: flight.exporter,
      resumptionMasterSecret: flight.schedule.resumptionMasterSecret(io.transcript.current()),
      helloRetried: flight.helloRetried,
      peerPostHandshakeAuth: flight.postHandshakeAuth,
    });
    return null;
  }
}
