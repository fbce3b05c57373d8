import { rootCertificates } from 'node:tls';
import { InvalidArgumentError } from '@tlsbio/errors';
import { TLSContext, type SecureStream, type TLSSession } from '@tlsbio/core';
import { checkDestination, dial, stripBrackets } from './dial.js';

/** Options of {@link connect}. */
export interface ConnectOptions {
  readonly host: string;
  readonly port: number;
  /**
   * The name sent as SNI and checked against the server's certificate. Defaults to `host` (an IP address is checked
   * against the certificate's IP names and, as RFC 6066 §3 requires, not sent as SNI). `null` (or `''`, as in Node)
   * sends no SNI; the default context then checks the certificate against `host` once the handshake is over, and a
   * context of your own must have `checkHostname: false`.
   */
  readonly servername?: string | null;
  /** A client context to use. Without one, a default context is built from `ca`, `rejectUnauthorized` and `alpnProtocols`. */
  readonly context?: TLSContext;
  /** Trust anchors of the default context (PEM text, any number; or one DER certificate). Default: Node's bundled roots. */
  readonly ca?: string | Uint8Array;
  /** Default context only: `false` skips certificate and host name verification (testing only). Default `true`. */
  readonly rejectUnauthorized?: boolean;
  /** Default context only: the ALPN protocols to offer. */
  readonly alpnProtocols?: readonly string[];
  /** Disables Nagle's algorithm. Default `true`. */
  readonly noDelay?: boolean;
  /** Fails the attempt with `SysCallError` (cause `ETIMEDOUT`) when TCP connect + handshake take longer. */
  readonly timeoutMs?: number;
  /** Passed on to {@link secure}. */
  readonly incomingLimit?: number;
  readonly outgoingLimit?: number;
  /**
   * A session to resume (a `TLSSession` from an earlier stream's `info().session`, or `TLSSession.fromBytes()`), made
   * with the same context configuration and server name. A server that does not take it means a full handshake.
   */
  readonly session?: TLSSession;
  /** 0-RTT data to send with `session` (see `SecureOptions.earlyData`: only what is safe to replay). */
  readonly earlyData?: Uint8Array;
}

/**
 * Opens a TCP connection and runs a TLS client handshake over it. Resolves with the secure stream once the
 * handshake has completed (its `opened` is then already resolved), so that `await connect(...)` is the whole dance.
 *
 * @example
 * const stream = await connect({ host: 'db.internal', port: 5433, ca: caPem });
 * console.log(stream.info().cipher);
 * const writer = stream.writable.getWriter();
 * await writer.write(request);
 * await writer.close();
 * for await (const chunk of stream.readable) handle(chunk);
 *
 * @throws {InvalidArgumentError} for a bad host or port, or `context` given together with `ca`,
 *   `rejectUnauthorized` or `alpnProtocols` (they only configure the default context).
 * @throws {SysCallError} when TCP fails (`cause` is the socket error, e.g. `ECONNREFUSED`) or the timeout expires.
 * @throws {CertVerificationError|ProtocolError|AlertError|EOFError} when the handshake fails.
 */
export async function connect(options: ConnectOptions): Promise<SecureStream> {
  checkDestination(options.host, options.port, options.timeoutMs);
  if (options.context !== undefined && (options.ca !== undefined || options.rejectUnauthorized !== undefined || options.alpnProtocols !== undefined)) {
    throw new InvalidArgumentError('context', 'INVALID_ARGUMENT', 'ca, rejectUnauthorized and alpnProtocols configure the default context: set them on your context');
  }
  const servername = options.servername === '' ? null : options.servername;
  const context = options.context ?? defaultClientContext({ ...options, checkHostname: servername !== null });
  checkClientContext(context, servername);
  return dial({
    host: options.host,
    port: options.port,
    servername: servername === undefined ? stripBrackets(options.host) : servername,
    context,
    noDelay: options.noDelay ?? true,
    timeoutMs: options.timeoutMs,
    incomingLimit: options.incomingLimit,
    outgoingLimit: options.outgoingLimit,
    session: options.session,
    earlyData: options.earlyData,
  }).stream;
}

/** @internal */
export function checkClientContext(context: TLSContext, servername: string | null | undefined): void {
  if (!(context instanceof TLSContext) || context.role !== 'client') throw new InvalidArgumentError('context', 'INVALID_ARGUMENT', 'must be a client TLSContext');
  if (servername === null && context.checkHostname) {
    // The engine checks the name it sends as SNI; with no SNI it would have none. The default context checks the host
    // after the handshake instead; a context of your own must say it does not check names itself.
    throw new InvalidArgumentError('servername', 'INVALID_ARGUMENT', 'null (no SNI) needs a context with checkHostname: false');
  }
}

/**
 * Default contexts by what they are made of (trust anchors, verification, ALPN, client certificate): `https.request` calls
 * `createConnection` once per request, and parsing the same `ca` (or Node's ~140 roots) for each would cost time and
 * a copy of the anchors per connection. A context is immutable once in use, so sharing is safe. Bounded: the oldest
 * goes when a 33rd kind arrives.
 */
const defaultContexts = new Map<string, TLSContext>();
const MAX_DEFAULT_CONTEXTS = 32;

/** What the default client context is made of. @internal */
export interface DefaultContextOptions {
  readonly ca?: string | Uint8Array | readonly (string | Uint8Array)[];
  readonly rejectUnauthorized?: boolean;
  readonly alpnProtocols?: readonly string[];
  /** A client certificate chain and its key, both or neither. */
  readonly cert?: string | Uint8Array;
  readonly key?: string | Uint8Array;
  /** False when no SNI is sent: the name is then checked after the handshake. */
  readonly checkHostname: boolean;
  /** `TLSVersion` values; the context's defaults (TLS 1.2 to 1.3) when absent. */
  readonly minimumVersion?: number;
  readonly maximumVersion?: number;
}

/** The client context `connect()` builds when none is given. @internal */
export function defaultClientContext(options: DefaultContextOptions): TLSContext {
  const verify = options.rejectUnauthorized !== false;
  const alpn = options.alpnProtocols ?? [];
  const checkHostname = verify && options.checkHostname;
  const make = () => {
    const context = new TLSContext('client', {
      verifyMode: verify ? 'required' : 'none',
      checkHostname,
      alpnProtocols: alpn,
      ...(options.minimumVersion === undefined ? {} : { minimumVersion: options.minimumVersion }),
      ...(options.maximumVersion === undefined ? {} : { maximumVersion: options.maximumVersion }),
    });
    if (options.ca !== undefined) for (const cadata of [options.ca].flat()) context.loadVerifyLocations({ cadata });
    else if (verify) loadNodeRoots(context);
    if (options.cert !== undefined || options.key !== undefined) {
      if (options.cert === undefined || options.key === undefined) throw new InvalidArgumentError('cert', 'INVALID_ARGUMENT', 'cert and key go together');
      context.loadCertChain(options.cert, options.key);
    }
    return context;
  };
  const text = (value: string | Uint8Array | undefined) => (value === undefined || typeof value === 'string' ? value ?? null : Buffer.from(value).toString('base64'));
  const anchors = options.ca === undefined ? null : [options.ca].flat().map(text);
  const key = JSON.stringify([verify, checkHostname, alpn, anchors, text(options.cert), text(options.key), options.minimumVersion, options.maximumVersion]);
  let context = defaultContexts.get(key);
  if (context === undefined) {
    context = make();
    if (defaultContexts.size >= MAX_DEFAULT_CONTEXTS) defaultContexts.delete(defaultContexts.keys().next().value!);
    defaultContexts.set(key, context);
  }
  return context;
}

/** Node's bundled Mozilla roots, each on its own: a root our parser cannot read is skipped, not fatal. @internal */
export function loadNodeRoots(context: TLSContext): void {
  for (const pem of rootCertificates) {
    try {
      context.loadVerifyLocations({ cadata: pem });
    } catch {
      // An algorithm we do not implement (a P-521 or DSA root, say) cannot anchor a chain we could verify anyway.
    }
  }
}
