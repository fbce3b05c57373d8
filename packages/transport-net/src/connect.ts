import { isIP } from 'node:net';
import { rootCertificates } from 'node:tls';
import { InvalidArgumentError, SysCallError } from '@tlsbio/errors';
import { TLSContext, secure, type SecureStream } from '@tlsbio/core';
import { connectSocket, socketTransport } from './socket-transport.js';

/** Options of {@link connect}. */
export interface ConnectOptions {
  readonly host: string;
  readonly port: number;
  /**
   * The name sent as SNI and checked against the server's certificate. Defaults to `host` (an IP address is checked
   * against the certificate's IP names and, as RFC 6066 §3 requires, not sent as SNI).
   */
  readonly servername?: string;
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
  const { host, port } = options;
  if (typeof host !== 'string' || host.length === 0) throw new InvalidArgumentError('host', 'INVALID_ARGUMENT', 'must be a non-empty string');
  if (!(Number.isInteger(port) && port > 0 && port < 65536)) throw new InvalidArgumentError('port', 'INVALID_ARGUMENT', 'must be 1 to 65535');
  const timeoutMs = options.timeoutMs;
  if (timeoutMs !== undefined && !(Number.isFinite(timeoutMs) && timeoutMs > 0)) {
    throw new InvalidArgumentError('timeoutMs', 'INVALID_ARGUMENT', 'must be a positive number of milliseconds');
  }
  const context = options.context ?? defaultClientContext(options);
  if (options.context !== undefined && (options.ca !== undefined || options.rejectUnauthorized !== undefined || options.alpnProtocols !== undefined)) {
    throw new InvalidArgumentError('context', 'INVALID_ARGUMENT', 'ca, rejectUnauthorized and alpnProtocols configure the default context: set them on your context');
  }
  if (context.role !== 'client') throw new InvalidArgumentError('context', 'INVALID_ARGUMENT', 'must be a client context');

  const abort = new AbortController();
  const timer =
    timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          const error = Object.assign(new Error(`no TLS connection to ${host}:${port} after ${timeoutMs} ms`), { code: 'ETIMEDOUT' });
          abort.abort(error);
        }, timeoutMs);
  try {
    const socket = await connectSocket({ host, port, noDelay: options.noDelay ?? true, signal: abort.signal });
    // From here the timeout fails the socket: the driver sees a transport error and rejects `opened` with it.
    const onAbort = () => socket.destroy(abort.signal.reason as Error);
    abort.signal.addEventListener('abort', onAbort, { once: true });
    let stream: SecureStream;
    try {
      stream = secure(socketTransport(socket), context, {
        serverHostname: options.servername ?? stripBrackets(host),
        ...(options.incomingLimit === undefined ? {} : { incomingLimit: options.incomingLimit }),
        ...(options.outgoingLimit === undefined ? {} : { outgoingLimit: options.outgoingLimit }),
      });
    } catch (error) {
      socket.destroy();
      throw error;
    }
    try {
      await stream.opened;
    } finally {
      abort.signal.removeEventListener('abort', onAbort);
    }
    return stream;
  } catch (error) {
    if (abort.signal.aborted && !SysCallError.isInstance(error)) {
      // The timer fired during the connect itself.
      throw new SysCallError(`connect to ${host}:${port} timed out`, { cause: abort.signal.reason });
    }
    throw error;
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}

function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') && isIP(host.slice(1, -1)) === 6 ? host.slice(1, -1) : host;
}

/** Default contexts without `ca`, by ALPN list: parsing Node's ~140 bundled roots once is enough. */
const rootContexts = new Map<string, TLSContext>();

/** The client context `connect()` builds when none is given. */
function defaultClientContext(options: ConnectOptions): TLSContext {
  const verify = options.rejectUnauthorized !== false;
  const alpn = options.alpnProtocols ?? [];
  const make = () => {
    const context = new TLSContext('client', { verifyMode: verify ? 'required' : 'none', checkHostname: verify, alpnProtocols: alpn });
    if (options.ca !== undefined) context.loadVerifyLocations({ cadata: options.ca });
    else if (verify) loadNodeRoots(context);
    return context;
  };
  if (options.ca !== undefined || !verify) return make();
  const key = JSON.stringify(alpn);
  let context = rootContexts.get(key);
  if (context === undefined) {
    context = make();
    rootContexts.set(key, context);
  }
  return context;
}

/** Node's bundled Mozilla roots, each on its own: a root our parser cannot read is skipped, not fatal. */
function loadNodeRoots(context: TLSContext): void {
  for (const pem of rootCertificates) {
    try {
      context.loadVerifyLocations({ cadata: pem });
    } catch {
      // An algorithm we do not implement (a P-521 or DSA root, say) cannot anchor a chain we could verify anyway.
    }
  }
}
