/**
 * The TLS 1.2 server handshake (RFC 5246 §7.3, RFC 8422, RFC 7627, RFC 5746), entered when the ClientHello settles
 * on TLS 1.2. One state per message awaited:
 *
 *   ClientHello ─(ServerHello, Certificate, ServerKeyExchange, [CertificateRequest], ServerHelloDone)─▶
 *       [ExpectClientCertificate] ─▶ ExpectClientKeyExchange ─▶ [ExpectClientCertificateVerify] (client-auth12.ts)
 *       ─▶ ExpectChangeCipherSpec ─▶ ExpectFinished ─([NewSessionTicket], ChangeCipherSpec, Finished)─▶ ExpectTraffic12
 *
 * and when the ClientHello's session_ticket opens to a session we may resume, the abbreviated handshake (RFC 5077
 * §3.4, RFC 5246 §7.3):
 *
 *   ClientHello ─(ServerHello, [NewSessionTicket], ChangeCipherSpec, Finished)─▶ ExpectChangeCipherSpec ─▶ ExpectFinished
 *       ─▶ ExpectTraffic12
 *
 * A NewSessionTicket goes out on a full handshake whose client sent session_ticket (empty or not) and used the
 * extended master secret (RFC 7627 §5.3: we keep no session without it); a resumed session keeps its ticket, unless
 * that ticket was sealed under a previous ticket key: then a fresh one, under the current key, comes right after the
 * ServerHello (RFC 5077 §3.3).
 */
import { ProtocolError } from '@tlsbio/errors';
import type { CertifiedKey } from '../context.js';
import type { GroupName, KeyExchange, SignatureScheme, SignatureSchemeName } from '../crypto/provider.js';
import {
  CipherSuiteId,
  EcPointFormat,
  ExtensionType,
  HandshakeType,
  ProtocolVersion,
  decodeClientKeyExchangeEcdhe,
  decodeRenegotiationInfo,
  decodeSessionTicket,
  decodeSignatureSchemes,
  decodeSupportedGroups,
  encodeAlpn,
  encodeCertificate12,
  encodeEcPointFormats,
  encodeNewSessionTicket12,
  encodeRenegotiationInfo,
  encodeServerEcdhParams,
  encodeServerHello,
  encodeServerKeyExchangeEcdhe,
  encodeSessionTicket,
  findExtension,
  type ClientHello,
  type Extension,
  type NewSessionTicket12,
} from '../msgs/index.js';
import type { HandshakeMessage } from '../record/index.js';
import { suite12ById, type CipherSuite12 } from '../suites.js';
import {
  ExpectChangeCipherSpec12,
  ExpectTraffic12,
  State12,
  TLS12,
  chooseCertificate12,
  deriveKeys12,
  keysFromMasterSecret12,
  readEmsAndPointFormats12,
  receiveFinished12,
  sendFinished12,
  serverKeyExchangeInput,
  tls12Groups,
  unexpected,
  type Keys12,
} from './common12.js';
import { chooseAlpn, readAlpn, readServerName } from './server-hello-facts.js';
import { ExpectClientCertificate12, ExpectClientCertificateVerify12, sendCertificateRequest12, type ClientCertificate12, type SentCertificateRequest12 } from './client-auth12.js';
import type { ClientIdentity } from './client-auth13.js';
import type { SessionState } from '../session/ticket-state.js';
import { chainDer, openTicket12, renewedTicket12, sealTicket12 } from './session12.js';
import type { HandshakeIO, HandshakeState } from './state.js';
import { markDowngrade } from './version.js';

const textEncoder = new TextEncoder();

/** What the ServerHello settled, full or abbreviated handshake. */
interface Settled12 {
  readonly clientRandom: Uint8Array;
  readonly serverRandom: Uint8Array;
  readonly suite: CipherSuite12;
  readonly alpn: string | undefined;
  readonly serverName: string | undefined;
  /** What the client proved, when we asked (client-auth12.ts), or what the resumed session holds. */
  readonly client?: ClientIdentity;
  /** We answered session_ticket: a NewSessionTicket goes before our ChangeCipherSpec (RFC 5077 §3.3). */
  readonly issueTicket: boolean;
  /** The abbreviated handshake (RFC 5246 §7.3): the client's chain as the session recorded it (DER). */
  readonly resumed: readonly Uint8Array[] | undefined;
  /** The key exchange of a full handshake: the group and our signature scheme. */
  readonly negotiated: { readonly group: GroupName; readonly scheme: SignatureSchemeName } | undefined;
}

/** What a full handshake's first flight settled. */
interface Flight12 extends Settled12 {
  readonly certified: CertifiedKey;
  readonly scheme: SignatureScheme;
  readonly exchange: KeyExchange;
  readonly ems: boolean;
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
  const { ems, formats } = readEmsAndPointFormats12(io, extensions, 'client');
  // RFC 5077 §3.4: a ticket that opens to a session we may resume means the abbreviated handshake; one that does not
  // (forged, stale, another key, another context) means a full handshake, never an error.
  const ticketData = findExtension(extensions, ExtensionType.session_ticket);
  const ticket = ticketData === undefined || !context.sessionTickets ? undefined : decodeSessionTicket(ticketData);
  const session = ticket === undefined || ticket.length === 0 ? undefined : openTicket12(io, ticket);
  if (session !== undefined && resumable(io, session, hello, serverName)) {
    // RFC 7627 §5.3: a session made with the extended master secret (ours all are) is not resumed without it.
    if (!ems) throw new ProtocolError('INCONSISTENT_EXTMS', 'the client resumes an extended-master-secret session without the extension (RFC 7627 §5.3)');
    return resumeSession12(io, message, hello, session, { serverName, formats, renewal: renewedTicket12(io, ticket!, session) });
  }
  // RFC 5077 §3.2: a client that sent session_ticket takes a ticket; RFC 7627 §5.3: only an EMS session is kept.
  const issueTicket = ticket !== undefined && ems;
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
  if (ems) answer.push({ type: ExtensionType.extended_master_secret, data: new Uint8Array(0) });
  if (formats) answer.push({ type: ExtensionType.ec_point_formats, data: encodeEcPointFormats([EcPointFormat.uncompressed]) });
  // RFC 6066 §3: an empty server_name says we used the name.
  if (serverName !== undefined) answer.push({ type: ExtensionType.server_name, data: new Uint8Array(0) });
  if (alpn !== undefined) answer.push({ type: ExtensionType.application_layer_protocol_negotiation, data: encodeAlpn([textEncoder.encode(alpn)]) });
  if (issueTicket) answer.push({ type: ExtensionType.session_ticket, data: encodeSessionTicket() });
  io.sendHandshake(
    HandshakeType.server_hello,
    encodeServerHello({
      legacyVersion: ProtocolVersion.TLS1_2,
      random: serverRandom,
      // No session cache: sessions live in tickets (RFC 5077 §3.4), so the session id stays empty.
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
    ems,
    alpn,
    serverName,
    issueTicket,
    resumed: undefined,
    negotiated: { group: exchange.group, scheme: scheme.name },
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
    const next = expectClientChangeCipherSpec(io, client === undefined ? flight : { ...flight, client: client.identity }, keys);
    // RFC 5246 §7.4.8: a client that sent a certificate proves its key right after ClientKeyExchange.
    if (client?.key === undefined || this.request === undefined) return next;
    return new ExpectClientCertificateVerify12(io, this.request, client.key, () => next);
  }
}

/**
 * Whether an opened ticket's session may be resumed here (RFC 5246 §7.4.1.2, RFC 6066 §3): the client offers its
 * suite, which we still enable, and asks for the same server name. Otherwise: a full handshake.
 */
function resumable(io: HandshakeIO, session: SessionState, hello: ClientHello, serverName: string | undefined): boolean {
  if (!hello.cipherSuites.includes(session.cipherSuite)) return false;
  if (!io.context.tls12CipherSuites.some((suite) => suite.id === session.cipherSuite)) return false;
  return session.serverName === serverName;
}

/**
 * The abbreviated handshake (RFC 5077 §3.4, RFC 5246 §7.3): a ServerHello echoing the client's session id with the
 * session's suite, then our ChangeCipherSpec and Finished under keys from the session's master secret and the new
 * randoms; the client answers with its own.
 */
function resumeSession12(
  io: HandshakeIO,
  message: HandshakeMessage,
  hello: ClientHello,
  session: SessionState,
  offer: { readonly serverName: string | undefined; readonly formats: boolean; readonly renewal: NewSessionTicket12 | undefined },
): HandshakeState {
  const { context, provider } = io;
  const suite = suite12ById(session.cipherSuite)!;
  const alpn = chooseAlpn(io, { alpn: readAlpn(hello) });
  io.transcript.selectHash(provider.hashes[suite.hash]!);
  io.transcript.add(message.raw);
  const serverRandom = markDowngrade(context, provider.randomBytes(32));
  const answer: Extension[] = [
    { type: ExtensionType.renegotiation_info, data: encodeRenegotiationInfo() },
    { type: ExtensionType.extended_master_secret, data: new Uint8Array(0) },
  ];
  if (offer.formats) answer.push({ type: ExtensionType.ec_point_formats, data: encodeEcPointFormats([EcPointFormat.uncompressed]) });
  // RFC 6066 §3: no server_name in the ServerHello of a resumed session.
  if (alpn !== undefined) answer.push({ type: ExtensionType.application_layer_protocol_negotiation, data: encodeAlpn([textEncoder.encode(alpn)]) });
  // RFC 5077 §3.3: a renewed ticket is announced here and sent before our ChangeCipherSpec.
  if (offer.renewal !== undefined) answer.push({ type: ExtensionType.session_ticket, data: encodeSessionTicket() });
  io.sendHandshake(
    HandshakeType.server_hello,
    encodeServerHello({
      legacyVersion: ProtocolVersion.TLS1_2,
      random: serverRandom,
      // RFC 5077 §3.4: the client's session id, echoed, tells it we resume.
      legacySessionIdEcho: hello.legacySessionId,
      cipherSuite: suite.id,
      legacyCompressionMethod: 0,
      extensions: answer,
    }),
  );
  if (offer.renewal !== undefined) io.sendHandshake(HandshakeType.new_session_ticket, encodeNewSessionTicket12(offer.renewal));
  const keys = keysFromMasterSecret12(io, suite, session.secret, hello.random, serverRandom, true);
  io.sendChangeCipherSpec();
  io.setTls12Keys('write', suite, keys.serverWriteKey, keys.serverWriteIv);
  sendFinished12(io, suite, keys, 'server');
  const settled: Settled12 = {
    clientRandom: hello.random,
    serverRandom,
    suite,
    alpn,
    serverName: offer.serverName,
    client: { chain: [], verified: session.peerVerified },
    issueTicket: false,
    resumed: session.peerCertificates,
    negotiated: undefined,
  };
  return expectClientChangeCipherSpec(io, settled, keys);
}

/** The client's ChangeCipherSpec, then its Finished. */
function expectClientChangeCipherSpec(io: HandshakeIO, agreed: Settled12, keys: Keys12): HandshakeState {
  return new ExpectChangeCipherSpec12(io, 'server', agreed.suite, keys, new ExpectFinished(io, agreed, keys));
}

class ExpectFinished extends State12 {
  readonly name = 'ExpectFinished';
  constructor(
    io: HandshakeIO,
    private readonly agreed: Settled12,
    private readonly keys: Keys12,
  ) {
    super(io, 'server');
  }

  protected handleMessage(message: HandshakeMessage): HandshakeState {
    if (message.type !== HandshakeType.finished) throw unexpected(this.name, message);
    const { io, agreed, keys } = this;
    receiveFinished12(io, message, agreed.suite, keys, 'client');
    if (agreed.resumed === undefined) {
      if (agreed.issueTicket) {
        const ticket = sealTicket12(io, {
          suite: agreed.suite,
          masterSecret: keys.masterSecret,
          alpn: agreed.alpn,
          serverName: agreed.serverName,
          peerCertificates: chainDer(agreed.client?.chain ?? []),
          peerVerified: agreed.client?.verified ?? false,
        });
        io.sendHandshake(HandshakeType.new_session_ticket, encodeNewSessionTicket12(ticket));
      }
      io.sendChangeCipherSpec();
      io.setTls12Keys('write', agreed.suite, keys.serverWriteKey, keys.serverWriteIv);
      sendFinished12(io, agreed.suite, keys, 'server');
    }
    io.complete({
      version: TLS12,
      suite: agreed.suite,
      group: agreed.negotiated?.group,
      signatureScheme: agreed.negotiated?.scheme,
      alpn: agreed.alpn,
      serverName: agreed.serverName,
      peerCertificates: agreed.client?.chain ?? [],
      peerVerified: agreed.client?.verified ?? false,
      helloRetried: false,
      ...(agreed.resumed === undefined ? {} : { resumedPeerChain: agreed.resumed }),
      tls12: { masterSecret: keys.masterSecret, clientRandom: agreed.clientRandom, serverRandom: agreed.serverRandom, extendedMasterSecret: keys.extendedMasterSecret },
    });
    return new ExpectTraffic12(io, 'server');
  }
}

