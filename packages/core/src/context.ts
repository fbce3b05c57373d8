/**
 * `TLSContext`: the configuration many connections share, shaped like Python's `ssl.SSLContext` (DESIGN.md §3).
 *
 * A context is mutable until its first connection is made and frozen from then on: a connection reads its context
 * at every step of the handshake, so a setter that ran mid-handshake would give a connection half of one
 * configuration and half of another.
 */
import { InvalidArgumentError, TLSVersion, isTLSError } from '@tlsbio/errors';
import { DerReader } from './asn1/der.js';
import { decodePem } from './asn1/pem.js';
import { MemoryBIO } from './bio/memory-bio.js';
import { currentDefaultProvider } from './default-provider.js';
import type { CryptoProvider, GroupName, PrivateKey, SignatureSchemeName } from './crypto/provider.js';
import { equalBytes } from './crypto/bytes.js';
import { DEFAULT_GCM_RECORD_LIMIT } from './record/index.js';
import { MAX_RECORD_SIZE_LIMIT } from './msgs/index.js';
import { TLS12_SUITES, TLS13_SUITES, providerSupportsSuite, suite12ByName, suiteByName, type CipherSuite, type CipherSuite12 } from './suites.js';
import { CertificatePool, parseCertificate, type Certificate } from './x509/index.js';
import { toHex } from './x509/names.js';
import { currentTrustSource } from './trust-source.js';
import type { TLSConnection } from './connection.js';
import { createConnection } from './connection.js';
import { wireList } from './handshake/common13.js';
import { EarlyDataAntiReplay } from './anti-replay.js';
import { TLSSession } from './session/session.js';
import { TicketKeys } from './session/ticket-keys.js';
import { MAX_SESSION_ID_CONTEXT_LENGTH, MAX_SESSION_LIFETIME } from './session/ticket-state.js';
import { deriveSessionIdContext } from './session/session-id-context.js';

export type Role = 'client' | 'server';
export type VerifyMode = 'none' | 'optional' | 'required';

/** Bounds on what a peer can make us hold. Every one has a safe default (see {@link DEFAULT_LIMITS}). */
export interface TLSLimits {
  /** Largest handshake message accepted, in bytes (a certificate chain is one message). */
  readonly maxHandshakeMessageSize: number;
  /** Most certificates accepted in the peer's chain. */
  readonly maxCertificateChainLength: number;
  /** Most consecutive records without content (empty application data, ignored change_cipher_spec). */
  readonly maxEmptyRecords: number;
  /** Decrypted bytes held for the application before we stop reading records: `read()` drains them. */
  readonly maxBufferedPlaintext: number;
  /** Most warning alerts (user_canceled) accepted in a row. */
  readonly maxWarningAlerts: number;
  /** Most KeyUpdate messages accepted with no application data between them. */
  readonly maxKeyUpdates: number;
  /**
   * Records we seal under one write key before we send a KeyUpdate and switch to the next (RFC 8446 §5.5). The
   * default, 2^24, keeps AES-GCM well inside its 2^24.5-record limit; a value above an AEAD's hard limit is capped
   * there. Lower it to rekey more often (the engine's tests lower it to watch the KeyUpdate happen).
   */
  readonly maxRecordsPerKey: number;
  /**
   * Server: 0-RTT bytes skipped when it rejects the client's early data (RFC 8446 §4.2.10: records that do not
   * decrypt, or after a HelloRetryRequest every application_data record) before it gives up with unexpected_message.
   * The larger of this and `maxEarlyData` applies. Skipped records are counted by their ciphertext less the tag and
   * content type byte. Default 16384, OpenSSL's `recv_max_early_data`, so that a server that never enables 0-RTT
   * still completes handshakes with clients that try it.
   */
  readonly maxSkippedEarlyData: number;
}

/** How many distinct peer certificates a context keeps parsed (see {@link TLSContext.internCertificate}). */
export const CERTIFICATE_CACHE_SIZE = 256;

export const DEFAULT_LIMITS: TLSLimits = Object.freeze({
  maxHandshakeMessageSize: 64 * 1024,
  maxCertificateChainLength: 10,
  maxEmptyRecords: 32,
  maxBufferedPlaintext: 256 * 1024,
  maxWarningAlerts: 4,
  maxKeyUpdates: 32,
  maxRecordsPerKey: DEFAULT_GCM_RECORD_LIMIT,
  maxSkippedEarlyData: 16384,
});

/** A certificate chain with its private key, as {@link TLSContext.loadCertChain} loaded it. */
export interface CertifiedKey {
  /** DER certificates, leaf first, as they go on the wire. */
  readonly chain: readonly Uint8Array[];
  readonly leaf: Certificate;
  readonly key: PrivateKey;
}

/** Called on the server with the client's SNI name (or `undefined`); may set `connection.context` to serve another. */
export type ServernameCallback = (connection: TLSConnection, serverName: string | undefined, context: TLSContext) => void;
/** Chooses the ALPN protocol from the client's offer; `undefined` selects none. */
export type AlpnSelectCallback = (connection: TLSConnection, offered: readonly string[]) => string | undefined;
/**
 * Called on a server that sends a HelloRetryRequest: the bytes returned (1..65535) go out as its cookie extension
 * (RFC 8446 §4.2.2) and the second ClientHello must echo them exactly; `undefined` sends none.
 */
export type HelloRetryCookieCallback = (connection: TLSConnection) => Uint8Array | undefined;

/**
 * pyOpenSSL's verify callback: called for each failure of the peer's chain (`ok` false, `errno` an `X509_V_ERR_*`
 * code, `depth` 0 for the peer's own certificate) — return true to accept it and go on — and, once the chain has
 * passed, for each certificate from the anchor down (`ok` true, `errno` 0) — return false to refuse it. Any truthy
 * result accepts (pyOpenSSL callbacks often return 1 or 0); a missing return refuses. A callback that throws aborts
 * the handshake with internal_error.
 */
export type VerifyCallback = (
  connection: TLSConnection,
  cert: Certificate,
  errno: number,
  depth: number,
  ok: boolean,
) => boolean;

/** Where {@link TLSContext.loadVerifyLocations} reads trust anchors. At least one is required. */
export interface VerifyLocations {
  /** A file of PEM certificates (any number) or one or more DER certificates back to back. Needs the node entry. */
  readonly cafile?: string;
  /** A directory of such files (OpenSSL's hashed `c_rehash` layout, or any names). Needs the node entry. */
  readonly capath?: string;
  /** PEM text (any number of certificates), or DER bytes (one or more certificates back to back). */
  readonly cadata?: string | Uint8Array;
}

/** What a server's CertificateRequest asks of the client (RFC 8446 §4.3.2), as the client-certificate callback sees it. */
export interface CertificateRequestInfo {
  /** The schemes the server accepts in CertificateVerify (those this library knows), in the server's order. */
  readonly signatureSchemes: readonly SignatureSchemeName[];
  /** DER distinguished names of the CAs the server trusts (certificate_authorities, RFC 8446 §4.2.4); often empty. */
  readonly certificateAuthorities: readonly Uint8Array[];
  /**
   * The chains loaded with `loadCertChain()` whose key can sign with a scheme the server accepts: the one the client
   * would choose by itself first, then the others — those issued under a CA in `certificateAuthorities` before the
   * rest, each group in load order. Return one of these.
   */
  readonly candidates: readonly CertifiedKey[];
  /** True for a request after the handshake (post-handshake authentication, RFC 8446 §4.6.2). */
  readonly postHandshake: boolean;
}

/**
 * Chooses the client's certificate when a server asks for one: one of `request.candidates`, or `null` to send an
 * empty Certificate (the server decides whether that is acceptable). It may return a Promise: the handshake then
 * throws `WantX509LookupError` until it settles (await `connection.pendingLookup`, then call again; the async driver
 * `secure()` does this itself). A callback that throws or rejects aborts the handshake with internal_error.
 */
export type ClientCertificateCallback = (
  connection: TLSConnection,
  request: CertificateRequestInfo,
) => CertifiedKey | null | undefined | PromiseLike<CertifiedKey | null | undefined>;

/**
 * Receives NSS key log lines (`<label> <client random> <secret>` in hex, without newline), as `SSLKEYLOGFILE` holds
 * them: TLS 1.3 `CLIENT_HANDSHAKE_TRAFFIC_SECRET`, `SERVER_HANDSHAKE_TRAFFIC_SECRET`, `CLIENT_TRAFFIC_SECRET_0`,
 * `SERVER_TRAFFIC_SECRET_0`, `EXPORTER_SECRET`, and with 0-RTT `CLIENT_EARLY_TRAFFIC_SECRET`,
 * `EARLY_EXPORTER_SECRET`; TLS 1.2 `CLIENT_RANDOM` (the master secret). Whoever has them can decrypt the session:
 * for debugging only.
 */
export type KeylogCallback = (line: string, connection: TLSConnection) => void;

/**
 * Called on a client each time a connection receives a resumable session (OpenSSL's `new_session_cb`, Node's
 * `'session'` event): in TLS 1.3 once per NewSessionTicket, which the server may send at any time after the
 * handshake (so it runs during a `read()`); in TLS 1.2 once the handshake has completed. Keep the newest to pass to
 * `wrapBio(…, { session })` later. A callback that throws fails the connection with internal_error.
 */
export type SessionCallback = (connection: TLSConnection, session: TLSSession) => void;

/** Ticket lifetime a server announces by default: two hours, as OpenSSL's. */
export const DEFAULT_TICKET_LIFETIME = 7200;
/** TLS 1.3 tickets a server sends after a full handshake by default, as OpenSSL (one after a resumption). */
export const DEFAULT_TICKETS_PER_HANDSHAKE = 2;
/** Most TLS 1.3 tickets a server may be told to send per handshake. */
export const MAX_TICKETS_PER_HANDSHAKE = 16;

export interface TLSContextOptions {
  /** Defaults to the platform's default provider (node:crypto on Node, portable elsewhere). */
  readonly provider?: CryptoProvider;
  readonly minimumVersion?: number;
  readonly maximumVersion?: number;
  /**
   * Suite names in preference order: TLS 1.3 names (OpenSSL's `-ciphersuites`) and TLS 1.2 names, OpenSSL's
   * (`ECDHE-RSA-AES128-GCM-SHA256`) or IANA's. As in OpenSSL the two versions keep separate lists: a version none of
   * whose suites is named keeps its defaults.
   */
  readonly cipherSuites?: readonly string[];
  /**
   * TLS 1.2 only: refuse a peer without extended_master_secret (RFC 7627) with handshake_failure. Default true;
   * false allows such peers (their sessions are open to the triple-handshake attack, RFC 7627 §1).
   */
  readonly requireExtendedMasterSecret?: boolean;
  /** Groups in preference order. */
  readonly groups?: readonly GroupName[];
  /** Groups the client sends key shares for up front; by default the first of `groups`. */
  readonly keyShareGroups?: readonly GroupName[];
  /** Signature schemes in preference order. */
  readonly signatureSchemes?: readonly SignatureSchemeName[];
  readonly verifyMode?: VerifyMode;
  readonly checkHostname?: boolean;
  readonly alpnProtocols?: readonly string[];
  readonly limits?: Partial<TLSLimits>;
  /** The clock certificates are checked against. */
  readonly now?: () => Date;
  /**
   * Middlebox compatibility mode (RFC 8446 §D.4): a client sends a 32-byte legacy_session_id and a
   * change_cipher_spec before its second flight. On by default, as in OpenSSL and browsers.
   */
  readonly middleboxCompatibility?: boolean;
  /**
   * Signature schemes accepted in the peer's certificate chain, sent as signature_algorithms_cert (RFC 8446
   * §4.2.3); a server prefers a chain signed only with schemes the client lists there. Defaults to
   * `signatureSchemes`; signature_algorithms then lists only the schemes a TLS 1.3 CertificateVerify may use
   * (RSASSA-PKCS1-v1_5 only signs certificates), and signature_algorithms_cert is left out when both lists are the
   * same. `null`: send no signature_algorithms_cert and let signature_algorithms (all of `signatureSchemes`) cover
   * certificates too, as browsers do.
   */
  readonly certificateSignatureSchemes?: readonly SignatureSchemeName[] | null;
  /**
   * The largest protected record we accept, as RFC 8449 counts it in TLS 1.3 (content, content type byte and
   * padding): 64..16385, default 16385 (no limit below the protocol's). Always announced in record_size_limit (a
   * client's ClientHello; a server's EncryptedExtensions when the client sent one), so that peers which support the
   * extension tell us their own limit, which we then honour.
   */
  readonly recordSizeLimit?: number;
  /**
   * Server: list our groups in EncryptedExtensions (RFC 8446 §4.2.7), so that a client can send a key share we
   * prefer next time and save the HelloRetryRequest. Off by default.
   */
  readonly announceGroups?: boolean;
  /**
   * Server: when the client supports a group we prefer to every group it sent a key share for, ask for that group
   * with a HelloRetryRequest (as NSS does; a way to insist on X25519MLKEM768) instead of taking a share the client
   * sent, which saves a round trip (the default, as rustls and OpenSSL do).
   */
  readonly retryForPreferredGroup?: boolean;
  /**
   * Client: pad a ClientHello of 256..511 bytes to 512 with the padding extension (RFC 7685), as NSS, BoringSSL and
   * OpenSSL's `SSL_OP_TLSEXT_PADDING` do for servers and middleboxes that hang on those lengths. Off by default.
   */
  readonly clientHelloPadding?: boolean;
  /**
   * Post-handshake client authentication (RFC 8446 §4.6.2), as Python's `SSLContext.post_handshake_auth`. A client
   * offers it (post_handshake_auth) and answers a server's later CertificateRequest on its next read. A server with
   * verifyMode 'optional' or 'required' then asks for no certificate during the handshake, only when the application
   * calls `connection.verifyClientPostHandshake()` (and only of clients that offered it). Off by default.
   */
  readonly postHandshakeAuth?: boolean;
  /**
   * Server: the most 0-RTT application data (RFC 8446 §4.2.10) a client may send on a resumed connection, in bytes
   * (0..2^32-1). Announced in each NewSessionTicket's early_data extension; 0 (the default) turns 0-RTT off: no
   * ticket allows it and every attempt is rejected (its records skipped, up to `limits.maxSkippedEarlyData`).
   * Early data can be replayed by an attacker (RFC 8446 §8, §E.5): accept it only for requests that are safe to
   * repeat. Accepted data is read with `connection.readEarlyData()`, apart from 1-RTT data.
   */
  readonly maxEarlyData?: number;
  /**
   * Server: the anti-replay register 0-RTT is checked against (see {@link EarlyDataAntiReplay}): pass one object to
   * several contexts to protect them together. By default each context makes its own when 0-RTT is on.
   */
  readonly earlyDataAntiReplay?: EarlyDataAntiReplay;
  /**
   * Server: issue session tickets (TLS 1.3 NewSessionTicket, TLS 1.2 RFC 5077 tickets) and resume sessions from
   * them. Default true; false sends none and accepts none, as OpenSSL's `SSL_OP_NO_TICKET` (`-no_ticket`).
   */
  readonly sessionTickets?: boolean;
  /** Server: seconds a ticket may be resumed for (ticket_lifetime_hint); 1..604800 (RFC 8446 §4.6.1), default 7200. */
  readonly ticketLifetime?: number;
  /** Server, TLS 1.3: NewSessionTickets sent after a full handshake (0..16, default 2; one after a resumption). */
  readonly ticketsPerHandshake?: number;
  /** See {@link TLSContext.sessionIdContext}: 1..32 bytes; by default derived from the configuration. */
  readonly sessionIdContext?: Uint8Array;
  /**
   * @internal Test seam, not for applications (the name says so, after Go's `testingOnly…` hooks): lists as they go
   * on the wire, holding codepoints this library does not implement and never negotiates, so that a test can
   * reproduce another implementation's messages byte for byte (RFC 8448's traces come from NSS, whose hello offers
   * secp521r1, FFDHE, SHA-1 and DSA). Each list must hold the context's own codepoints in the context's order.
   */
  readonly testingOnlyWireCodepoints?: WireCodepoints;
}

/** See {@link TLSContextOptions.testingOnlyWireCodepoints}. @internal */
export interface WireCodepoints {
  /** The whole supported_groups list a client sends and, with `announceGroups`, a server announces. */
  readonly supportedGroups?: readonly number[];
  /** The whole signature_algorithms list a client sends. */
  readonly signatureAlgorithms?: readonly number[];
  /** Extensions a client adds as they are, each just before the extension of type `before` (or last). */
  readonly clientHelloExtensions?: readonly { readonly type: number; readonly data: Uint8Array; readonly before?: number }[];
}


const DEFAULT_GROUPS: readonly GroupName[] = ['x25519', 'X25519MLKEM768', 'secp256r1', 'secp384r1'];
const DEFAULT_SCHEMES: readonly SignatureSchemeName[] = [
  'ecdsa_secp256r1_sha256',
  'ecdsa_secp384r1_sha384',
  'ed25519',
  'rsa_pss_rsae_sha256',
  'rsa_pss_rsae_sha384',
  'rsa_pss_rsae_sha512',
  'rsa_pss_pss_sha256',
  'rsa_pss_pss_sha384',
  'rsa_pss_pss_sha512',
  'rsa_pkcs1_sha256',
  'rsa_pkcs1_sha384',
  'rsa_pkcs1_sha512',
];

/** Options of {@link TLSContext.wrapBio}. */
export interface WrapBioOptions {
  /** Defaults to the context's role. */
  readonly serverSide?: boolean;
  /** The name the client sends as SNI and checks the certificate against. */
  readonly serverHostname?: string;
  /** The application's own object, reachable from every callback as `connection.appData`. */
  readonly appData?: unknown;
  /**
   * Client: a session to resume (from `connection.session`, the session callback or `TLSSession.fromBytes`). It
   * must come from a context with the same {@link TLSContext.sessionIdContext} and be for the same
   * `serverHostname`; an expired one, or one the server no longer accepts, gives a full handshake
   * (`connection.sessionReused` tells).
   */
  readonly session?: TLSSession;
}

/**
 * Configuration shared by many connections: role, versions, algorithms, certificates, trust and callbacks.
 *
 * @example
 * const context = new TLSContext('client');
 * context.loadVerifyLocations({ cadata: caPem });
 * const connection = context.wrapBio(new MemoryBIO(), new MemoryBIO(), { serverHostname: 'example.com' });
 */
export class TLSContext {
  readonly role: Role;
  readonly provider: CryptoProvider;

  #minimumVersion: number = TLSVersion.TLSv1_2;
  #maximumVersion: number = TLSVersion.TLSv1_3;
  #suites: readonly CipherSuite[];
  #suites12: readonly CipherSuite12[];
  #requireExtendedMasterSecret: boolean;
  #groups: readonly GroupName[];
  #keyShareGroups: readonly GroupName[] | undefined;
  #schemes: readonly SignatureSchemeName[];
  #verifyMode: VerifyMode;
  #checkHostname: boolean;
  #alpn: readonly string[] = [];
  #limits: TLSLimits;
  #now: () => Date;
  #middleboxCompatibility: boolean;
  #certificateSchemes: readonly SignatureSchemeName[] | null | undefined;
  #recordSizeLimit: number;
  #announceGroups: boolean;
  #retryForPreferredGroup: boolean;
  #clientHelloPadding: boolean;
  #postHandshakeAuth: boolean;
  #maxEarlyData: number;
  #antiReplay: EarlyDataAntiReplay | undefined;
  #wireCodepoints: WireCodepoints;
  #helloRetryCookieCallback: HelloRetryCookieCallback | undefined;
  #certifiedKeys: CertifiedKey[] = [];
  #trustStore = new CertificatePool();
  // Peer certificates by DER, most recently used last (see internCertificate).
  #seenCertificates = new Map<string, Certificate>();
  #verifyCallback: VerifyCallback | undefined;
  #servernameCallback: ServernameCallback | undefined;
  #alpnSelectCallback: AlpnSelectCallback | undefined;
  #keylogCallback: KeylogCallback | undefined;
  #clientCertificateCallback: ClientCertificateCallback | undefined;
  #sessionCallback: SessionCallback | undefined;
  #sessionTickets: boolean;
  #ticketLifetime: number;
  #ticketsPerHandshake: number;
  #sessionIdContext: Uint8Array | undefined;
  #ticketKeys: TicketKeys | undefined;
  #frozen = false;

  /**
   * @throws {InvalidArgumentError} for an unknown role, suite, group or scheme, or one the provider lacks.
   */
  constructor(role: Role, options: TLSContextOptions = {}) {
    if (role !== 'client' && role !== 'server') {
      throw new InvalidArgumentError('role', 'INVALID_ARGUMENT', `must be 'client' or 'server', got ${String(role)}`);
    }
    this.role = role;
    this.provider = options.provider ?? currentDefaultProvider();
    this.#suites = resolveSuites(this.provider, options.cipherSuites);
    this.#suites12 = resolveSuites12(this.provider, options.cipherSuites);
    this.#requireExtendedMasterSecret = options.requireExtendedMasterSecret ?? true;
    this.#groups = resolveNames('groups', this.provider.groups, options.groups ?? DEFAULT_GROUPS, options.groups);
    this.#schemes = resolveNames(
      'signatureSchemes',
      this.provider.signatures,
      options.signatureSchemes ?? DEFAULT_SCHEMES,
      options.signatureSchemes,
    );
    if (options.keyShareGroups !== undefined) this.setKeyShareGroups(options.keyShareGroups);
    // Python's PROTOCOL_TLS_CLIENT defaults: a client verifies the server and its name; a server asks nothing.
    this.#verifyMode = options.verifyMode ?? (role === 'client' ? 'required' : 'none');
    this.#checkHostname = options.checkHostname ?? role === 'client';
    this.#limits = resolveLimits(options.limits);
    this.#now = options.now ?? (() => new Date());
    this.#middleboxCompatibility = options.middleboxCompatibility ?? true;
    const certificateSchemes = options.certificateSignatureSchemes;
    this.#certificateSchemes =
      certificateSchemes == null
        ? certificateSchemes
        : resolveNames('certificateSignatureSchemes', this.provider.signatures, certificateSchemes, certificateSchemes);
    this.#recordSizeLimit = checkRecordSizeLimit(options.recordSizeLimit ?? MAX_RECORD_SIZE_LIMIT);
    this.#announceGroups = options.announceGroups ?? false;
    this.#retryForPreferredGroup = options.retryForPreferredGroup ?? false;
    this.#clientHelloPadding = options.clientHelloPadding ?? false;
    this.#postHandshakeAuth = options.postHandshakeAuth ?? false;
    this.#maxEarlyData = checkMaxEarlyData(options.maxEarlyData ?? 0);
    if (options.earlyDataAntiReplay !== undefined && !(options.earlyDataAntiReplay instanceof EarlyDataAntiReplay)) {
      throw new InvalidArgumentError('earlyDataAntiReplay', 'INVALID_ARGUMENT', 'must be an EarlyDataAntiReplay');
    }
    this.#antiReplay = options.earlyDataAntiReplay;
    this.#sessionTickets = options.sessionTickets ?? true;
    this.#ticketLifetime = checkInteger('ticketLifetime', options.ticketLifetime ?? DEFAULT_TICKET_LIFETIME, 1, MAX_SESSION_LIFETIME);
    this.#ticketsPerHandshake = checkInteger('ticketsPerHandshake', options.ticketsPerHandshake ?? DEFAULT_TICKETS_PER_HANDSHAKE, 0, MAX_TICKETS_PER_HANDSHAKE);
    if (options.sessionIdContext !== undefined) this.sessionIdContext = options.sessionIdContext;
    this.#wireCodepoints = options.testingOnlyWireCodepoints ?? {};
    const wireGroups = this.#wireCodepoints.supportedGroups;
    if (wireGroups !== undefined) wireList('supportedGroups', this.#groups.map((name) => this.provider.groups[name]!.id), wireGroups);
    if (options.minimumVersion !== undefined) this.minimumVersion = options.minimumVersion;
    if (options.maximumVersion !== undefined) this.maximumVersion = options.maximumVersion;
    if (options.alpnProtocols !== undefined) this.setAlpnProtocols(options.alpnProtocols);
  }

  get minimumVersion(): number {
    return this.#minimumVersion;
  }
  /** @throws {InvalidArgumentError} for a version we do not speak, or once the context is in use. */
  set minimumVersion(version: number) {
    this.#checkMutable();
    this.#minimumVersion = checkVersion('minimumVersion', version);
  }
  get maximumVersion(): number {
    return this.#maximumVersion;
  }
  /** @throws {InvalidArgumentError} for a version we do not speak, or once the context is in use. */
  set maximumVersion(version: number) {
    this.#checkMutable();
    this.#maximumVersion = checkVersion('maximumVersion', version);
  }
  get verifyMode(): VerifyMode {
    return this.#verifyMode;
  }
  set verifyMode(mode: VerifyMode) {
    this.#checkMutable();
    if (mode !== 'none' && mode !== 'optional' && mode !== 'required') {
      throw new InvalidArgumentError('verifyMode', 'INVALID_ARGUMENT', `must be none, optional or required`);
    }
    this.#verifyMode = mode;
  }
  get checkHostname(): boolean {
    return this.#checkHostname;
  }
  set checkHostname(value: boolean) {
    this.#checkMutable();
    this.#checkHostname = Boolean(value);
  }
  get cipherSuites(): readonly CipherSuite[] {
    return this.#suites;
  }
  /** The TLS 1.2 suites, in preference order. */
  get tls12CipherSuites(): readonly CipherSuite12[] {
    return this.#suites12;
  }
  /** Whether a TLS 1.2 peer must use extended_master_secret (RFC 7627). */
  get requireExtendedMasterSecret(): boolean {
    return this.#requireExtendedMasterSecret;
  }
  get groups(): readonly GroupName[] {
    return this.#groups;
  }
  /** The groups a client sends key shares for in its first ClientHello. */
  get keyShareGroups(): readonly GroupName[] {
    return this.#keyShareGroups ?? this.#groups.slice(0, 1);
  }
  get signatureSchemes(): readonly SignatureSchemeName[] {
    return this.#schemes;
  }
  get alpnProtocols(): readonly string[] {
    return this.#alpn;
  }
  get limits(): TLSLimits {
    return this.#limits;
  }
  get middleboxCompatibility(): boolean {
    return this.#middleboxCompatibility;
  }
  /**
   * Schemes accepted in the peer's certificates, for signature_algorithms_cert; `null` when signature_algorithms
   * covers certificates (see {@link TLSContextOptions.certificateSignatureSchemes}).
   */
  get certificateSignatureSchemes(): readonly SignatureSchemeName[] | null {
    return this.#certificateSchemes === undefined ? this.#schemes : this.#certificateSchemes;
  }
  /** The record_size_limit we announce (RFC 8449): the largest protected record we accept, type byte included. */
  get recordSizeLimit(): number {
    return this.#recordSizeLimit;
  }
  get announceGroups(): boolean {
    return this.#announceGroups;
  }
  get retryForPreferredGroup(): boolean {
    return this.#retryForPreferredGroup;
  }
  get clientHelloPadding(): boolean {
    return this.#clientHelloPadding;
  }
  /** See {@link TLSContextOptions.postHandshakeAuth}. */
  get postHandshakeAuth(): boolean {
    return this.#postHandshakeAuth;
  }
  /** @internal see {@link TLSContextOptions.testingOnlyWireCodepoints} */
  /** Server: the 0-RTT bytes a resumed client may send (see {@link TLSContextOptions.maxEarlyData}); 0 = off. */
  get maxEarlyData(): number {
    return this.#maxEarlyData;
  }
  /** Server: the anti-replay register 0-RTT is checked against, made on first use unless one was given. */
  get earlyDataAntiReplay(): EarlyDataAntiReplay {
    return (this.#antiReplay ??= new EarlyDataAntiReplay());
  }
  get testingOnlyWireCodepoints(): WireCodepoints {
    return this.#wireCodepoints;
  }
  /** See {@link TLSContextOptions.sessionTickets}. */
  get sessionTickets(): boolean {
    return this.#sessionTickets;
  }
  /** See {@link TLSContextOptions.ticketLifetime}. */
  get ticketLifetime(): number {
    return this.#ticketLifetime;
  }
  /** See {@link TLSContextOptions.ticketsPerHandshake}. */
  get ticketsPerHandshake(): number {
    return this.#ticketsPerHandshake;
  }
  get sessionCallback(): SessionCallback | undefined {
    return this.#sessionCallback;
  }

  /**
   * What binds sessions to this configuration (OpenSSL's session id context): a client's sessions record it and
   * `wrapBio` refuses a session made under another; a server seals it into its tickets and resumes only tickets that
   * carry its own. By default a SHA-256 (32 bytes) of the role, version range, verifyMode, checkHostname, the trust
   * anchors and the loaded certificate chains — so the same configuration in another process resumes the same
   * sessions, and a context that would check the peer differently does not. Set it (1..32 bytes) to share sessions
   * between contexts that differ in other ways, or to keep apart contexts that do not. Returns a copy.
   * @throws {InvalidArgumentError} (setter) for anything but 1..32 bytes, or once in use.
   * @example
   * context.sessionIdContext = new TextEncoder().encode('mail-frontend');
   */
  get sessionIdContext(): Uint8Array {
    return this.#currentSessionIdContext().slice();
  }
  set sessionIdContext(value: Uint8Array) {
    this.#checkMutable();
    if (!(value instanceof Uint8Array) || value.length === 0 || value.length > MAX_SESSION_ID_CONTEXT_LENGTH) {
      throw new InvalidArgumentError('sessionIdContext', 'INVALID_ARGUMENT', `must be 1..${MAX_SESSION_ID_CONTEXT_LENGTH} bytes`);
    }
    this.#sessionIdContext = value.slice();
    this.#sessionIdContextExplicit = true;
  }
  #sessionIdContextExplicit = false;

  /** The sessionIdContext without a copy; derived once the context is frozen, recomputed while it may change. @internal */
  #currentSessionIdContext(): Uint8Array {
    if (this.#sessionIdContext !== undefined && (this.#sessionIdContextExplicit || this.#frozen)) return this.#sessionIdContext;
    const sha256 = this.provider.hashes.sha256;
    if (sha256 === undefined) throw new InvalidArgumentError('provider', 'UNSUPPORTED_ALGORITHM', 'sessionIdContext needs SHA-256');
    const derived = deriveSessionIdContext(sha256, {
      role: this.role,
      minimumVersion: this.#minimumVersion,
      maximumVersion: this.#maximumVersion,
      verifyMode: this.#verifyMode,
      checkHostname: this.#checkHostname,
      trustAnchors: this.#trustStore.certificates.map((cert) => cert.der),
      ownChains: this.#certifiedKeys.map((certified) => certified.chain),
    });
    if (this.#frozen) this.#sessionIdContext = derived;
    return derived;
  }
  /** The sessionIdContext, no copy. @internal (the handshake and session checks) */
  get sessionIdContextBytes(): Uint8Array {
    return this.#currentSessionIdContext();
  }

  /**
   * Server: the keys that protect session tickets, the current one first, then previous ones still accepted
   * (several server processes given the same keys resume each other's sessions). Each is 32 secret bytes (say
   * `crypto.getRandomValues(new Uint8Array(32))`); from each HKDF derives a key name and an AES-256-GCM key.
   * Without this a context makes one random key on first use. May be called at any time (rotation): tickets sealed
   * under a key no longer listed just mean a full handshake.
   * @throws {InvalidArgumentError} `INVALID_ARGUMENT` unless 1..16 keys of 32 bytes; `UNSUPPORTED_ALGORITHM` when the
   *   provider lacks AES-256-GCM.
   * @example
   * // Rotate daily: the new key seals, yesterday's still opens.
   * context.setTicketKeys([todayKey, yesterdayKey]);
   */
  setTicketKeys(keys: readonly Uint8Array[]): void {
    this.#ticketKeys = new TicketKeys(this.provider, keys);
  }
  /** The ticket keys in force (a random one made on first use). @internal */
  get ticketKeys(): TicketKeys {
    return (this.#ticketKeys ??= TicketKeys.random(this.provider));
  }

  get helloRetryCookieCallback(): HelloRetryCookieCallback | undefined {
    return this.#helloRetryCookieCallback;
  }
  get certifiedKeys(): readonly CertifiedKey[] {
    return this.#certifiedKeys;
  }
  /** The trust anchors loaded so far. */
  get trustAnchors(): readonly Certificate[] {
    return this.#trustStore.certificates;
  }
  /** The trust anchors, indexed for path building. @internal */
  get trustStore(): CertificatePool {
    return this.#trustStore;
  }
  get verifyCallback(): VerifyCallback | undefined {
    return this.#verifyCallback;
  }
  get servernameCallback(): ServernameCallback | undefined {
    return this.#servernameCallback;
  }
  get alpnSelectCallback(): AlpnSelectCallback | undefined {
    return this.#alpnSelectCallback;
  }
  get keylogCallback(): KeylogCallback | undefined {
    return this.#keylogCallback;
  }
  get clientCertificateCallback(): ClientCertificateCallback | undefined {
    return this.#clientCertificateCallback;
  }
  /** The current time by the context's clock. */
  now(): Date {
    return this.#now();
  }

  /** @throws {InvalidArgumentError} for an unknown or unavailable suite, an empty list, or once in use. */
  setCipherSuites(names: readonly string[]): void {
    this.#checkMutable();
    this.#suites = resolveSuites(this.provider, names);
    this.#suites12 = resolveSuites12(this.provider, names);
  }
  /** @throws {InvalidArgumentError} for an unknown or unavailable group, an empty list, or once in use. */
  setGroups(groups: readonly GroupName[]): void {
    this.#checkMutable();
    this.#groups = resolveNames('groups', this.provider.groups, groups, groups);
  }
  /** @throws {InvalidArgumentError} for a group not in {@link groups}, or once in use. */
  setKeyShareGroups(groups: readonly GroupName[]): void {
    this.#checkMutable();
    const known = resolveNames('keyShareGroups', this.provider.groups, groups, groups);
    for (const group of known) {
      if (!this.#groups.includes(group)) {
        throw new InvalidArgumentError('keyShareGroups', 'INVALID_ARGUMENT', `${group} is not in the context's groups`);
      }
    }
    this.#keyShareGroups = known;
  }
  /** @throws {InvalidArgumentError} for an unknown or unavailable scheme, an empty list, or once in use. */
  setSignatureSchemes(schemes: readonly SignatureSchemeName[]): void {
    this.#checkMutable();
    this.#schemes = resolveNames('signatureSchemes', this.provider.signatures, schemes, schemes);
  }

  /**
   * The ALPN protocols to offer (client) or accept, in preference order (server).
   * @throws {InvalidArgumentError} for an empty name or one longer than 255 bytes, or once in use.
   */
  setAlpnProtocols(protocols: readonly string[]): void {
    this.#checkMutable();
    const encoder = new TextEncoder();
    for (const protocol of protocols) {
      if (typeof protocol !== 'string' || protocol.length === 0 || encoder.encode(protocol).length > 255) {
        throw new InvalidArgumentError('alpnProtocols', 'INVALID_ARGUMENT', 'each protocol must be 1 to 255 bytes');
      }
    }
    this.#alpn = [...protocols];
  }

  /**
   * Loads a certificate chain (leaf first) and its private key, PEM or DER. A server may load several (ECDSA, RSA,
   * Ed25519): each handshake uses the first whose key can sign with a scheme the client offers, preferring one whose
   * names match the client's SNI.
   * @throws {InvalidArgumentError} `BAD_PEM`/`BAD_DER` for unreadable input, `KEY_MISMATCH` when the key is not the
   *   leaf's, or once in use.
   */
  loadCertChain(certChain: string | Uint8Array | readonly Uint8Array[], key: string | Uint8Array): void {
    this.#checkMutable();
    const chain = readCertificates('certChain', certChain);
    const [leafDer] = chain;
    if (leafDer === undefined) throw new InvalidArgumentError('certChain', 'BAD_PEM', 'contains no certificate');
    const leaf = parseCertificate(leafDer, 'local');
    const privateKey = this.provider.importPrivateKey(key);
    if (!equalBytes(privateKey.publicKey.spki, leaf.spki)) {
      throw new InvalidArgumentError('key', 'KEY_MISMATCH', "is not the private key of the chain's first certificate");
    }
    this.#certifiedKeys.push(Object.freeze({ chain, leaf, key: privateKey }));
  }

  /**
   * Adds trust anchors, as Python's `SSLContext.load_verify_locations`: from `cafile` (a file), `capath` (every file
   * of a directory) and `cadata` (PEM text or DER bytes). PEM input may hold any number of certificates; DER input
   * one or more, back to back. Any certificate in the store anchors a path, also an intermediate (partial chains, as
   * in Python 3.13 and Go). Files are read through the platform's trust source: with the `node` entry point; in a
   * browser only `cadata` works.
   * @throws {InvalidArgumentError} `BAD_PEM`/`BAD_DER` for unreadable input (naming the file), `INVALID_ARGUMENT`
   *   when no location is given, a file cannot be read, or files are asked for without a trust source; or once in use.
   * @example
   * context.loadVerifyLocations({ cafile: '/etc/ssl/certs/ca-certificates.crt' });
   * context.loadVerifyLocations({ cadata: caPem });
   */
  loadVerifyLocations(locations: VerifyLocations): void {
    this.#checkMutable();
    const { cafile, capath, cadata } = locations ?? {};
    if (cafile === undefined && capath === undefined && cadata === undefined) {
      throw new InvalidArgumentError('locations', 'INVALID_ARGUMENT', 'give at least one of cafile, capath and cadata');
    }
    const parsed: Certificate[] = [];
    if (cadata !== undefined) parsed.push(...parseCertificates('cadata', cadata));
    if (cafile !== undefined) parsed.push(...parseCertificates(`cafile ${cafile}`, readTrustFile('cafile', cafile)));
    if (capath !== undefined) {
      const source = trustSource('capath');
      let names: string[];
      try {
        names = source.listDirectory(capath).sort();
      } catch (error) {
        throw new InvalidArgumentError('capath', 'INVALID_ARGUMENT', `cannot list ${capath}: ${String(error)}`, { cause: error });
      }
      for (const name of names) {
        const path = `${capath.replace(/\/+$/, '')}/${name}`;
        parsed.push(...parseCertificates(`capath ${path}`, readTrustFile('capath', path)));
      }
    }
    // All or nothing: a bad file leaves the store as it was.
    for (const cert of parsed) this.#trustStore.add(cert);
  }

  /**
   * Adds the platform's default trust anchors: on Node (the `node` entry point), Node's bundled Mozilla roots
   * (`tls.rootCertificates`). A root this parser refuses or whose key no provider takes is skipped: it could not
   * anchor a path we can verify. Returns how many were added.
   * @throws {InvalidArgumentError} `INVALID_ARGUMENT` where there is no default store (browsers, Workers: load a
   *   bundle with `loadVerifyLocations({ cadata })`), or once in use.
   * @example
   * const context = new TLSContext('client');
   * context.loadDefaultCerts();
   */
  loadDefaultCerts(): number {
    this.#checkMutable();
    let added = 0;
    for (const pem of trustSource('loadDefaultCerts').defaultCertificates()) {
      try {
        for (const cert of parseCertificates('default certificates', pem)) if (this.#trustStore.add(cert)) added++;
      } catch (error) {
        if (!isTLSError(error)) throw error;
      }
    }
    return added;
  }

  /**
   * Sets the verify callback (pyOpenSSL's `set_verify` callback; see {@link VerifyCallback}). It runs only when
   * `verifyMode` is not `'none'`.
   * @throws {InvalidArgumentError} for a non-function, or once in use.
   * @example
   * // Accept an expired certificate from a test server, refuse nothing else.
   * context.setVerifyCallback((connection, cert, errno, depth, ok) => ok || errno === X509VerifyCode.X509_V_ERR_CERT_HAS_EXPIRED);
   */
  setVerifyCallback(callback: VerifyCallback | undefined): void {
    this.#checkMutable();
    if (callback !== undefined && typeof callback !== 'function') {
      throw new InvalidArgumentError('callback', 'INVALID_ARGUMENT', 'must be a function');
    }
    this.#verifyCallback = callback;
  }

  setServernameCallback(callback: ServernameCallback | undefined): void {
    this.#checkMutable();
    this.#servernameCallback = callback;
  }
  setAlpnSelectCallback(callback: AlpnSelectCallback | undefined): void {
    this.#checkMutable();
    this.#alpnSelectCallback = callback;
  }
  /**
   * Sets (or clears) the {@link KeylogCallback}, called during each handshake as secrets are derived.
   * @throws {InvalidArgumentError} once the context has made a connection.
   * @example
   * context.setKeylogCallback((line) => appendFileSync(process.env.SSLKEYLOGFILE!, `${line}\n`, { mode: 0o600 }));
   */
  setKeylogCallback(callback: KeylogCallback | undefined): void {
    this.#checkMutable();
    this.#keylogCallback = callback;
  }
  /**
   * Sets the client's certificate selection (see {@link ClientCertificateCallback}); without one, a client answers a
   * CertificateRequest with the first of `request.candidates`.
   * @throws {InvalidArgumentError} for a non-function, or once in use.
   * @example
   * // Answer with the chain issued by the CA the server names, after asking a token for it.
   * context.setClientCertificateCallback(async (connection, request) =>
   *   request.candidates.find((chain) => request.certificateAuthorities.some((ca) => sameBytes(ca, issuerOf(chain)))) ?? null);
   */
  setClientCertificateCallback(callback: ClientCertificateCallback | undefined): void {
    this.#checkMutable();
    if (callback !== undefined && typeof callback !== 'function') {
      throw new InvalidArgumentError('callback', 'INVALID_ARGUMENT', 'must be a function');
    }
    this.#clientCertificateCallback = callback;
  }
  /**
   * Sets (or clears) the client's {@link SessionCallback}, told of every resumable session a connection receives.
   * @throws {InvalidArgumentError} for a non-function, or once in use.
   * @example
   * let latest: TLSSession | undefined;
   * context.setSessionCallback((connection, session) => { latest = session; });
   */
  setSessionCallback(callback: SessionCallback | undefined): void {
    this.#checkMutable();
    if (callback !== undefined && typeof callback !== 'function') {
      throw new InvalidArgumentError('callback', 'INVALID_ARGUMENT', 'must be a function');
    }
    this.#sessionCallback = callback;
  }
  /**
   * Sets the server's HelloRetryRequest cookie (see {@link HelloRetryCookieCallback}).
   * @throws {InvalidArgumentError} once in use.
   * @example
   * context.setHelloRetryCookieCallback(() => crypto.getRandomValues(new Uint8Array(16)));
   */
  setHelloRetryCookieCallback(callback: HelloRetryCookieCallback | undefined): void {
    this.#checkMutable();
    this.#helloRetryCookieCallback = callback;
  }

  /**
   * Creates a connection over a BIO pair: the application (or a transport) writes the peer's bytes into `incoming`
   * and sends what appears in `outgoing`. Freezes the context.
   * @throws {InvalidArgumentError} when `serverSide` contradicts the context's role, or the configuration cannot
   *   make a handshake (a server without a certificate, no version in range); for a `session` that is not a
   *   TLSSession or is given to a server (`INVALID_ARGUMENT`), comes from a context with another sessionIdContext
   *   (`ATTEMPT_TO_REUSE_SESSION_IN_DIFFERENT_CONTEXT`) or was made for another `serverHostname`
   *   (`SESSION_SERVER_NAME_MISMATCH`).
   */
  wrapBio(incoming: MemoryBIO, outgoing: MemoryBIO, options: WrapBioOptions = {}): TLSConnection {
    if (!(incoming instanceof MemoryBIO) || !(outgoing instanceof MemoryBIO)) {
      throw new InvalidArgumentError('incoming', 'INVALID_ARGUMENT', 'incoming and outgoing must be MemoryBIOs');
    }
    const serverSide = options.serverSide ?? this.role === 'server';
    if (serverSide !== (this.role === 'server')) {
      throw new InvalidArgumentError('serverSide', 'INVALID_ARGUMENT', `a ${this.role} context cannot make a ${serverSide ? 'server' : 'client'} connection`);
    }
    if (this.#minimumVersion > this.#maximumVersion) {
      throw new InvalidArgumentError('minimumVersion', 'NO_PROTOCOLS_AVAILABLE', 'is above maximumVersion');
    }
    if (serverSide && this.#certifiedKeys.length === 0) {
      throw new InvalidArgumentError('context', 'INVALID_ARGUMENT', 'a server context needs loadCertChain() first');
    }
    const hostname = options.serverHostname;
    if (hostname !== undefined && (typeof hostname !== 'string' || hostname.length === 0)) {
      throw new InvalidArgumentError('serverHostname', 'INVALID_ARGUMENT', 'must be a non-empty string');
    }
    if (!serverSide && this.#checkHostname && hostname === undefined) {
      // Python refuses the same: checking a name that was never given would silently check nothing.
      throw new InvalidArgumentError('serverHostname', 'INVALID_ARGUMENT', 'is required when checkHostname is set');
    }
    const session = options.session;
    if (session !== undefined) this.#checkSession(session, serverSide, hostname);
    this.#frozen = true;
    return createConnection(this, incoming, outgoing, { serverHostname: hostname, appData: options.appData, session });
  }

  /**
   * The context's one copy of a peer certificate: the first parsed certificate with the same DER, or `cert` itself.
   * Keys and verified signatures are cached per certificate object, so interning makes a busy client or server
   * import each intermediate's key and check its signature once, not per handshake. Holds the last
   * {@link CERTIFICATE_CACHE_SIZE} distinct certificates. @internal (called by the handshake's verification)
   */
  internCertificate(cert: Certificate): Certificate {
    return this.#intern(toHex(cert.der), cert);
  }

  /**
   * A certificate the peer sent, parsed — or the context's parsed copy of the same DER, so that a busy client or
   * server parses each intermediate (and a returning peer's leaf) once, not per handshake. @internal (called by the
   * handshake when a Certificate message arrives)
   * @throws {ProtocolError} `BAD_CERTIFICATE`-family errors of {@link parseCertificate} for DER it cannot parse.
   */
  parsePeerCertificate(der: Uint8Array): Certificate {
    const key = toHex(der);
    return this.#intern(key, this.#seenCertificates.get(key) ?? parseCertificate(der, 'peer'));
  }

  #intern(key: string, cert: Certificate): Certificate {
    const known = this.#seenCertificates.get(key);
    this.#seenCertificates.delete(key);
    this.#seenCertificates.set(key, known ?? cert);
    if (this.#seenCertificates.size > CERTIFICATE_CACHE_SIZE) {
      this.#seenCertificates.delete(this.#seenCertificates.keys().next().value as string);
    }
    return known ?? cert;
  }

  /** A session may be offered by a client connection of this context to `hostname` (see {@link WrapBioOptions.session}). */
  #checkSession(session: TLSSession, serverSide: boolean, hostname: string | undefined): void {
    if (!(session instanceof TLSSession)) throw new InvalidArgumentError('session', 'INVALID_ARGUMENT', 'must be a TLSSession');
    if (serverSide) throw new InvalidArgumentError('session', 'INVALID_ARGUMENT', 'only a client resumes a session');
    // A session verified under another configuration would skip this context's checks (OpenSSL refuses the same).
    if (!equalBytes(session.state.sessionIdContext, this.#currentSessionIdContext())) {
      throw new InvalidArgumentError('session', 'ATTEMPT_TO_REUSE_SESSION_IN_DIFFERENT_CONTEXT', "was made by a context with another sessionIdContext (trust anchors, verification, certificates or versions differ)");
    }
    if (session.serverName !== hostname) {
      throw new InvalidArgumentError('session', 'SESSION_SERVER_NAME_MISMATCH', `was made for ${session.serverName ?? 'no server name'}, not ${hostname ?? 'no server name'}`);
    }
  }

  /** Marks the context in use (a connection moved to it by an SNI callback). @internal */
  freeze(): void {
    this.#frozen = true;
  }

  #checkMutable(): void {
    if (this.#frozen) {
      throw new InvalidArgumentError('context', 'INVALID_ARGUMENT', 'is in use by a connection and can no longer change');
    }
  }
}

/**
 * A client context with safe defaults, as Python's `ssl.create_default_context()`: certificates verified, the host
 * name checked, and the trust anchors of `cafile`/`capath`/`cadata` — or, when none is given, the platform's default
 * roots (Node's bundled Mozilla store; elsewhere there are none, so every verification fails until a bundle is
 * loaded).
 * @throws {InvalidArgumentError} for unreadable trust anchors or bad options.
 * @example
 * const context = createDefaultContext();
 */
export function createDefaultContext(options: TLSContextOptions & VerifyLocations = {}): TLSContext {
  const { cadata, cafile, capath, ...rest } = options;
  const context = new TLSContext('client', { ...rest, verifyMode: 'required', checkHostname: true });
  if (cadata !== undefined || cafile !== undefined || capath !== undefined) {
    context.loadVerifyLocations({
      ...(cadata === undefined ? {} : { cadata }),
      ...(cafile === undefined ? {} : { cafile }),
      ...(capath === undefined ? {} : { capath }),
    });
  } else if (currentTrustSource() !== undefined) {
    context.loadDefaultCerts();
  }
  return context;
}

function trustSource(argument: string) {
  const source = currentTrustSource();
  if (source === undefined) {
    throw new InvalidArgumentError(
      argument,
      'INVALID_ARGUMENT',
      'this platform has no files or default store: import the node entry point, or give certificates as cadata',
    );
  }
  return source;
}

function readTrustFile(argument: string, path: string): Uint8Array {
  const source = trustSource(argument);
  try {
    return source.readFile(path);
  } catch (error) {
    throw new InvalidArgumentError(argument, 'INVALID_ARGUMENT', `cannot read ${path}: ${String(error)}`, { cause: error });
  }
}

/** Parses a certificate, naming where it came from (a file) in the error. */
function parseNamed(argument: string, der: Uint8Array): Certificate {
  try {
    return parseCertificate(der, 'local');
  } catch (error) {
    if (!InvalidArgumentError.isInstance(error)) throw error;
    throw new InvalidArgumentError(argument, error.reason as 'BAD_DER', error.message, { cause: error });
  }
}

/** The certificates of PEM text or of DER bytes (PEM text in bytes is read as PEM, as files come). */
function parseCertificates(argument: string, input: string | Uint8Array): Certificate[] {
  if (typeof input === 'string' || (input instanceof Uint8Array && input[0] !== 0x30)) {
    const blocks = decodePem(input, argument).filter((block) => block.label === 'CERTIFICATE');
    if (blocks.length === 0) throw new InvalidArgumentError(argument, 'BAD_PEM', 'contains no CERTIFICATE block');
    return blocks.map((block) => parseNamed(argument, block.der));
  }
  if (!(input instanceof Uint8Array)) throw new InvalidArgumentError(argument, 'INVALID_ARGUMENT', 'must be PEM text or DER bytes');
  // DER certificates back to back: each top-level element is one.
  const reader = new DerReader(input, argument);
  const certs: Certificate[] = [];
  while (!reader.done) certs.push(parseNamed(argument, reader.read('Certificate').encoded));
  if (certs.length === 0) throw new InvalidArgumentError(argument, 'BAD_DER', 'contains no certificate');
  return certs;
}

function checkVersion(argument: string, version: number): number {
  // DESIGN.md §5: TLS 1.2 and TLS 1.3 only.
  if (version !== TLSVersion.TLSv1_3 && version !== TLSVersion.TLSv1_2) {
    throw new InvalidArgumentError(argument, 'UNSUPPORTED_PROTOCOL', `only TLS 1.2 (0x0303) and TLS 1.3 (0x0304) are supported, got 0x${version.toString(16)}`);
  }
  return version;
}

/** The TLS 1.2 suites among `names` (all the provider can do when none is named). */
function resolveSuites12(provider: CryptoProvider, names: readonly string[] | undefined): readonly CipherSuite12[] {
  const named = (names ?? []).filter((name) => suite12ByName(name) !== undefined);
  if (named.length === 0) return TLS12_SUITES.filter((suite) => providerSupportsSuite(provider, suite));
  return [...new Set(named.map((name) => suite12ByName(name)!))].map((suite) => {
    if (!providerSupportsSuite(provider, suite)) {
      throw new InvalidArgumentError('cipherSuites', 'NO_CIPHERS_AVAILABLE', `the ${provider.name} provider lacks ${suite.name}`);
    }
    return suite;
  });
}

function resolveSuites(provider: CryptoProvider, names: readonly string[] | undefined): readonly CipherSuite[] {
  if (names !== undefined && names.length === 0) throw new InvalidArgumentError('cipherSuites', 'NO_CIPHERS_AVAILABLE', 'is empty');
  const named = names?.filter((name) => suite12ByName(name) === undefined);
  if (named === undefined || named.length === 0) return TLS13_SUITES.filter((suite) => providerSupportsSuite(provider, suite));
  return named.map((name) => {
    const suite = suiteByName(name);
    if (suite === undefined) throw new InvalidArgumentError('cipherSuites', 'NO_CIPHERS_AVAILABLE', `unknown suite ${name}`);
    if (!providerSupportsSuite(provider, suite)) {
      throw new InvalidArgumentError('cipherSuites', 'NO_CIPHERS_AVAILABLE', `the ${provider.name} provider lacks ${name}`);
    }
    return suite;
  });
}

/** Checks names against a provider capability table; by default keeps only the ones the provider has. */
function resolveNames<N extends string>(
  argument: string,
  table: Readonly<Partial<Record<N, unknown>>>,
  names: readonly N[],
  explicit: readonly N[] | undefined,
): readonly N[] {
  if (explicit === undefined) return names.filter((name) => table[name] !== undefined);
  if (names.length === 0) throw new InvalidArgumentError(argument, 'INVALID_ARGUMENT', 'is empty');
  for (const name of names) {
    if (table[name] === undefined) throw new InvalidArgumentError(argument, 'UNSUPPORTED_ALGORITHM', `unknown or unavailable: ${name}`);
  }
  return [...new Set(names)];
}

function checkInteger(argument: string, value: number, min: number, max: number): number {
  if (!(Number.isInteger(value) && value >= min && value <= max)) {
    throw new InvalidArgumentError(argument, 'INVALID_ARGUMENT', `must be an integer in ${min}..${max}, got ${value}`);
  }
  return value;
}

function checkRecordSizeLimit(value: number): number {
  // RFC 8449 §4: at least 64; in TLS 1.3 at most 2^14 + 1 (the content type byte counts).
  if (!(Number.isInteger(value) && value >= 64 && value <= MAX_RECORD_SIZE_LIMIT)) {
    throw new InvalidArgumentError('recordSizeLimit', 'INVALID_ARGUMENT', `must be an integer in 64..${MAX_RECORD_SIZE_LIMIT}, got ${value}`);
  }
  return value;
}

function checkMaxEarlyData(value: number): number {
  // RFC 8446 §4.2.10: max_early_data_size is a uint32.
  if (!(Number.isSafeInteger(value) && value >= 0 && value <= 0xffffffff)) {
    throw new InvalidArgumentError('maxEarlyData', 'INVALID_ARGUMENT', `must be an integer in 0..2^32-1, got ${value}`);
  }
  return value;
}

function resolveLimits(limits: Partial<TLSLimits> | undefined): TLSLimits {
  const resolved = { ...DEFAULT_LIMITS, ...limits };
  for (const [name, value] of Object.entries(resolved)) {
    if (!(Number.isSafeInteger(value) && value > 0)) {
      throw new InvalidArgumentError(`limits.${name}`, 'INVALID_ARGUMENT', `must be a positive integer, got ${value}`);
    }
  }
  return Object.freeze(resolved);
}

function readCertificates(argument: string, input: string | Uint8Array | readonly Uint8Array[]): Uint8Array[] {
  if (typeof input === 'string') {
    const blocks = decodePem(input).filter((block) => block.label === 'CERTIFICATE');
    if (blocks.length === 0) throw new InvalidArgumentError(argument, 'BAD_PEM', 'contains no CERTIFICATE block');
    return blocks.map((block) => block.der);
  }
  if (input instanceof Uint8Array) return [input];
  if (Array.isArray(input) && input.every((item) => item instanceof Uint8Array)) return [...input];
  throw new InvalidArgumentError(argument, 'INVALID_ARGUMENT', 'must be PEM text, DER bytes or an array of DER');
}
