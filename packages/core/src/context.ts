/**
 * `TLSContext`: the configuration many connections share, shaped like Python's `ssl.SSLContext` (DESIGN.md §3).
 *
 * A context is mutable until its first connection is made and frozen from then on: a connection reads its context
 * at every step of the handshake, so a setter that ran mid-handshake would give a connection half of one
 * configuration and half of another.
 */
import { InvalidArgumentError, TLSVersion } from '@tlsbio/errors';
import { decodePem } from './asn1/pem.js';
import { MemoryBIO } from './bio/memory-bio.js';
import { currentDefaultProvider } from './default-provider.js';
import type { CryptoProvider, GroupName, PrivateKey, SignatureSchemeName } from './crypto/provider.js';
import { equalBytes } from './crypto/bytes.js';
import { DEFAULT_GCM_RECORD_LIMIT } from './record/index.js';
import { MAX_RECORD_SIZE_LIMIT } from './msgs/index.js';
import { TLS13_SUITES, providerSupportsSuite, suiteByName, type CipherSuite } from './suites.js';
import { parseCertificate, type Certificate } from './x509/index.js';
import type { TLSConnection } from './connection.js';
import { createConnection } from './connection.js';
import { wireList } from './handshake/common13.js';

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
}

export const DEFAULT_LIMITS: TLSLimits = Object.freeze({
  maxHandshakeMessageSize: 64 * 1024,
  maxCertificateChainLength: 10,
  maxEmptyRecords: 32,
  maxBufferedPlaintext: 256 * 1024,
  maxWarningAlerts: 4,
  maxKeyUpdates: 32,
  maxRecordsPerKey: DEFAULT_GCM_RECORD_LIMIT,
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
/** Receives NSS key log lines (`CLIENT_HANDSHAKE_TRAFFIC_SECRET <client random> <secret>`), without newline. */
export type KeylogCallback = (line: string, connection: TLSConnection) => void;

export interface TLSContextOptions {
  /** Defaults to the platform's default provider (node:crypto on Node, portable elsewhere). */
  readonly provider?: CryptoProvider;
  readonly minimumVersion?: number;
  readonly maximumVersion?: number;
  /** TLS 1.3 suite names in preference order (OpenSSL's `-ciphersuites`). */
  readonly cipherSuites?: readonly string[];
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

  #minimumVersion: number = TLSVersion.TLSv1_3;
  #maximumVersion: number = TLSVersion.TLSv1_3;
  #suites: readonly CipherSuite[];
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
  #wireCodepoints: WireCodepoints;
  #helloRetryCookieCallback: HelloRetryCookieCallback | undefined;
  #certifiedKeys: CertifiedKey[] = [];
  #trustAnchors: Certificate[] = [];
  #servernameCallback: ServernameCallback | undefined;
  #alpnSelectCallback: AlpnSelectCallback | undefined;
  #keylogCallback: KeylogCallback | undefined;
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
  /** @internal see {@link TLSContextOptions.testingOnlyWireCodepoints} */
  get testingOnlyWireCodepoints(): WireCodepoints {
    return this.#wireCodepoints;
  }
  get helloRetryCookieCallback(): HelloRetryCookieCallback | undefined {
    return this.#helloRetryCookieCallback;
  }
  get certifiedKeys(): readonly CertifiedKey[] {
    return this.#certifiedKeys;
  }
  get trustAnchors(): readonly Certificate[] {
    return this.#trustAnchors;
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
  /** The current time by the context's clock. */
  now(): Date {
    return this.#now();
  }

  /** @throws {InvalidArgumentError} for an unknown or unavailable suite, an empty list, or once in use. */
  setCipherSuites(names: readonly string[]): void {
    this.#checkMutable();
    this.#suites = resolveSuites(this.provider, names);
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
   * Adds trust anchors: `cadata` as PEM text (any number of certificates) or DER bytes (one).
   * (Reading files is the transport's business: core does no I/O.)
   * @throws {InvalidArgumentError} `BAD_PEM`/`BAD_DER` for unreadable input, or once in use.
   */
  loadVerifyLocations(locations: { readonly cadata: string | Uint8Array }): void {
    this.#checkMutable();
    for (const der of readCertificates('cadata', locations.cadata)) {
      this.#trustAnchors.push(parseCertificate(der, 'local'));
    }
  }

  setServernameCallback(callback: ServernameCallback | undefined): void {
    this.#checkMutable();
    this.#servernameCallback = callback;
  }
  setAlpnSelectCallback(callback: AlpnSelectCallback | undefined): void {
    this.#checkMutable();
    this.#alpnSelectCallback = callback;
  }
  setKeylogCallback(callback: KeylogCallback | undefined): void {
    this.#checkMutable();
    this.#keylogCallback = callback;
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
   *   make a handshake (a server without a certificate, no version in range).
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
    this.#frozen = true;
    return createConnection(this, incoming, outgoing, { serverHostname: hostname, appData: options.appData });
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
 * A client context with safe defaults: certificates verified against `cadata`, the host name checked.
 * (Default system roots arrive with the certificate-validation milestone.)
 */
export function createDefaultContext(options: TLSContextOptions & { readonly cadata?: string | Uint8Array } = {}): TLSContext {
  const { cadata, ...rest } = options;
  const context = new TLSContext('client', { ...rest, verifyMode: 'required', checkHostname: true });
  if (cadata !== undefined) context.loadVerifyLocations({ cadata });
  return context;
}

function checkVersion(argument: string, version: number): number {
  // TLS 1.2 arrives with its own milestone; until then a context can only speak TLS 1.3.
  if (version !== TLSVersion.TLSv1_3) {
    throw new InvalidArgumentError(argument, 'UNSUPPORTED_PROTOCOL', `only TLS 1.3 (0x0304) is supported, got 0x${version.toString(16)}`);
  }
  return version;
}

function resolveSuites(provider: CryptoProvider, names: readonly string[] | undefined): readonly CipherSuite[] {
  if (names === undefined) return TLS13_SUITES.filter((suite) => providerSupportsSuite(provider, suite));
  if (names.length === 0) throw new InvalidArgumentError('cipherSuites', 'NO_CIPHERS_AVAILABLE', 'is empty');
  return names.map((name) => {
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

function checkRecordSizeLimit(value: number): number {
  // RFC 8449 §4: at least 64; in TLS 1.3 at most 2^14 + 1 (the content type byte counts).
  if (!(Number.isInteger(value) && value >= 64 && value <= MAX_RECORD_SIZE_LIMIT)) {
    throw new InvalidArgumentError('recordSizeLimit', 'INVALID_ARGUMENT', `must be an integer in 64..${MAX_RECORD_SIZE_LIMIT}, got ${value}`);
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
