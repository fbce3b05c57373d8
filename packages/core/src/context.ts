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
import { TLS12_SUITES, TLS13_SUITES, providerSupportsSuite, suite12ByName, suiteByName, type CipherSuite, type CipherSuite12 } from './suites.js';
import { parseCertificate, type Certificate } from './x509/index.js';
import type { TLSConnection } from './connection.js';
import { createConnection } from './connection.js';

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
}

export const DEFAULT_LIMITS: TLSLimits = Object.freeze({
  maxHandshakeMessageSize: 64 * 1024,
  maxCertificateChainLength: 10,
  maxEmptyRecords: 32,
  maxBufferedPlaintext: 256 * 1024,
  maxWarningAlerts: 4,
  maxKeyUpdates: 32,
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
/** Receives NSS key log lines (`CLIENT_HANDSHAKE_TRAFFIC_SECRET <client random> <secret>`), without newline. */
export type KeylogCallback = (line: string, connection: TLSConnection) => void;

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
