/**
 * What a handshake state needs from its connection, and what it gives back.
 *
 * Each state is an object named for the message it awaits (`ExpectServerHello`, `ExpectFinished`, …) holding only
 * what is valid at that point; `handle` consumes one message and returns the next state, or `null` when the
 * handshake is complete. The connection owns the records, the keys in use and the output queue; states ask it for
 * those through {@link HandshakeIO}, so they never touch a BIO.
 */
import type { TLSConnection } from '../connection.js';
import type { TLSContext } from '../context.js';
import type { CryptoProvider, GroupName, SignatureSchemeName } from '../crypto/provider.js';
import type { Transcript } from '../keyschedule/index.js';
import type { HandshakeMessage } from '../record/index.js';
import type { CipherSuite } from '../suites.js';
import type { TLSSession } from '../session/session.js';
import type { Certificate } from '../x509/index.js';

export interface HandshakeState {
  /** The state's name, for errors and debugging: `ExpectServerHello`. */
  readonly name: string;
  /** Consumes one handshake message; returns the next state, or `null` once the handshake is complete. */
  handle(message: HandshakeMessage): HandshakeState | null;
  /**
   * TLS 1.2 states only: the peer's ChangeCipherSpec (RFC 5246 §7.1), which switches its records to the new keys.
   * Every TLS 1.2 state has it (throwing where one is out of place); TLS 1.3 states leave it out, and the
   * connection drops the middlebox-compatibility change_cipher_spec for them (RFC 8446 §5).
   */
  handleChangeCipherSpec?(): HandshakeState;
  /**
   * Present on a state that waits for the application (an asynchronous certificate callback), not for the peer:
   * the connection calls it before reading anything, and it throws `WantX509LookupError` until `settled` has
   * resolved, then returns the next state (`null`: the handshake is complete).
   */
  resume?(): HandshakeState | null;
  /** With `resume`: resolves once the state can go on. */
  readonly settled?: Promise<void>;
}

/** Facts of a completed handshake, and the secrets the connection needs afterwards. */
export interface HandshakeResult {
  /** The cipher suites the client offered (recorded by a server, for `sharedCiphers()`). */
  readonly peerCipherSuites?: readonly number[];
  /** The negotiated protocol version (`TLSVersion`); TLS 1.3 when absent. */
  readonly version?: number;
  readonly suite: CipherSuite;
  /** The key exchange group; none in a resumed TLS 1.2 session (RFC 5246 §7.3: no key exchange). */
  readonly group: GroupName | undefined;
  readonly signatureScheme: SignatureSchemeName | undefined;
  readonly alpn: string | undefined;
  readonly serverName: string | undefined;
  /** The peer's chain, leaf first, as received (empty when the peer sent none). */
  readonly peerCertificates: readonly Certificate[];
  /** Whether the peer's chain was verified (false with verifyMode 'none'). */
  readonly peerVerified: boolean;
  /** TLS 1.3 secrets (absent in TLS 1.2). */
  readonly clientTrafficSecret?: Uint8Array;
  readonly serverTrafficSecret?: Uint8Array;
  readonly exporterMasterSecret?: Uint8Array;
  readonly resumptionMasterSecret?: Uint8Array;
  /** TLS 1.2: what RFC 5705 exporters and session tickets will need. */
  readonly tls12?: {
    readonly masterSecret: Uint8Array;
    readonly clientRandom: Uint8Array;
    readonly serverRandom: Uint8Array;
    readonly extendedMasterSecret: boolean;
  };
  readonly helloRetried: boolean;
  /** Server, TLS 1.3: the client offered post_handshake_auth (RFC 8446 §4.2.6). */
  readonly peerPostHandshakeAuth?: boolean;
  /**
   * Present when the handshake resumed a session: the peer's chain as the session recorded it (DER, leaf first),
   * which stands for the Certificate message a resumption does not carry. `peerCertificates` is then empty and
   * `peerVerified` says whether the chain was verified when the session was made.
   */
  readonly resumedPeerChain?: readonly Uint8Array[];
  /** Server: the client accepts tickets for psk_dhe_ke resumption (RFC 8446 §4.2.9), so NewSessionTickets are useful. */
  readonly peerAcceptsTickets?: boolean;
  /** Client: a session the handshake itself made (TLS 1.2 tickets, RFC 5077), handed to the application. */
  readonly newSession?: TLSSession;
}

export interface HandshakeIO {
  /** The connection's context (a server's SNI callback may replace it). */
  readonly context: TLSContext;
  readonly provider: CryptoProvider;
  readonly connection: TLSConnection;
  readonly serverHostname: string | undefined;
  /** Client: the session `wrapBio` was given to resume, if any (checked against the context already). */
  readonly session: TLSSession | undefined;
  readonly transcript: Transcript;
  /** Encodes, adds to the transcript and queues a handshake message under the current write protection. */
  sendHandshake(type: number, body: Uint8Array): void;
  /** Queues the middlebox-compatibility change_cipher_spec record (RFC 8446 §D.4), in plaintext. */
  sendChangeCipherSpec(): void;
  /**
   * Applies record_size_limit values (RFC 8449 §4), each counting TLS 1.3's content type byte: `send` is the peer's
   * limit on what we send from now on; `receive` is ours, enforced on the peer's protected records from now on.
   */
  limitRecordSizes(limits: { readonly send?: number; readonly receive?: number }): void;
  /** Switches the protection of incoming records to `secret`'s keys (RFC 8446 §7.3). */
  setReadSecret(suite: CipherSuite, secret: Uint8Array): void;
  /** Switches the protection of outgoing records to `secret`'s keys. */
  setWriteSecret(suite: CipherSuite, secret: Uint8Array): void;
  /** Reports a secret to the keylog callback (NSS key log format). */
  logSecret(label: string, clientRandom: Uint8Array, secret: Uint8Array): void;
  /** Runs a user callback: an exception becomes a `CALLBACK_FAILED` ProtocolError (internal_error) with it as cause. */
  callback<T>(run: () => T): T;
  /** TLS 1.2: the version is settled (alerts then follow RFC 5246 §7.2: warnings are not fatal). */
  setVersion(version: number): void;
  /** TLS 1.2: protects one direction with an AEAD key and IV from the key block (RFC 5246 §6.3, RFC 5288, RFC 7905). */
  setTls12Keys(direction: 'read' | 'write', suite: CipherSuite, key: Uint8Array, iv: Uint8Array): void;
  /** TLS 1.2: queues a warning alert (no_renegotiation, RFC 5246 §7.2.2) under the current write protection. */
  sendWarningAlert(description: number): void;
  /** Records the completed handshake; the connection enters its traffic phase. */
  complete(result: HandshakeResult): void;

  // ---- 0-RTT (RFC 8446 §4.2.10) ----
  /** Client: the application asked for 0-RTT (`connection.writeEarlyData`) before the first ClientHello. */
  readonly earlyDataRequested: boolean;
  /**
   * Client: protects outgoing records with the client_early_traffic_secret's keys (the flight queued so far goes out
   * under the old protection), and lets the application write up to `limit` bytes of early data until the next
   * {@link setWriteSecret} or {@link setWritePlaintext}. `exporterSecret` is the early_exporter_master_secret
   * (RFC 8446 §7.5), kept for `exportEarlyKeyingMaterial` while the early data stands.
   */
  startEarlyData(suite: CipherSuite, secret: Uint8Array, exporterSecret: Uint8Array, limit: number): void;
  /** Client: the server's answer to our early_data. After a rejection no more early data is written. */
  earlyDataAnswered(accepted: boolean): void;
  /** Client, after a HelloRetryRequest that ended 0-RTT: the second ClientHello goes out unprotected (RFC 8446 §4.1.4). */
  setWritePlaintext(): void;
  /** Server: what to do with the client's 0-RTT records (see {@link EarlyDataPlan}). Called once per ClientHello. */
  receiveEarlyData(plan: EarlyDataPlan): void;
}

/**
 * A server's treatment of the client's 0-RTT records (RFC 8446 §4.2.10):
 * - `none`: the ClientHello offered no early data;
 * - `accept`: early application data is opened with the client_early_traffic_secret's keys and kept for
 *   `readEarlyData()`, at most `limit` bytes (more is unexpected_message), until EndOfEarlyData switches keys;
 * - `skip-undecryptable`: rejected with a 1-RTT answer; records that fail to decrypt under the handshake keys are
 *   dropped (at most `limit` bytes) until one decrypts;
 * - `skip-application-data`: rejected with a HelloRetryRequest; every application_data record is dropped (at most
 *   `limit` bytes) until the second ClientHello.
 */
export type EarlyDataPlan =
  | { readonly action: 'none' }
  | {
      readonly action: 'accept';
      readonly suite: CipherSuite;
      readonly secret: Uint8Array;
      /** The early_exporter_master_secret (RFC 8446 §7.5), for `exportEarlyKeyingMaterial`. */
      readonly exporterSecret: Uint8Array;
      readonly limit: number;
    }
  | { readonly action: 'skip-undecryptable' | 'skip-application-data'; readonly limit: number };
