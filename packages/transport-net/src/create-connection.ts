import { InvalidArgumentError, TLSVersion } from '@tlsbio/errors';
import { TLSContext, TLSSession } from '@tlsbio/core';
import { checkClientContext, defaultClientContext } from './connect.js';
import { checkDestination, dial, stripBrackets } from './dial.js';
import { SecureSocket } from './duplex.js';

type Pem = string | Uint8Array;

/**
 * The options of `tls.connect()` that {@link createConnection} understands, so that it drops in where `tls.connect`
 * is used (`https.request(url, { createConnection })`). Other keys (`path`, `method`, `headers`, ... which `http`
 * passes along) are ignored.
 */
export interface CreateConnectionOptions {
  /** Default `'localhost'`; `http` fills it from the URL. */
  readonly host?: string;
  readonly port?: number;
  /** SNI and the certificate's name; default `host`. `''` or `null`: no SNI (the name is still checked against `host`). */
  readonly servername?: string | null;
  /** Trust anchors: PEM text (any number of certificates), DER, or a list of either. Default: Node's bundled roots. */
  readonly ca?: Pem | readonly Pem[];
  /** A client certificate chain and its key (PEM or DER), loaded into a (shared) default context. */
  readonly cert?: Pem;
  readonly key?: Pem;
  /** `false` skips certificate and name verification (testing only). Default `true`. */
  readonly rejectUnauthorized?: boolean;
  /** Protocols to offer, as strings or their bytes. */
  readonly ALPNProtocols?: readonly (string | Uint8Array)[];
  /** `'TLSv1.2'` or `'TLSv1.3'`: the context's version range (both allowed when absent). */
  readonly minVersion?: string;
  readonly maxVersion?: string;
  /**
   * A session to resume, as `tls.connect`'s: the bytes an earlier socket's `getSession()` or `'session'` event gave
   * (or a `TLSSession`). It must come from a connection with the same settings and server name: another is refused
   * (an `'error'` event), not silently dropped. A server that does not resume it means a full handshake.
   */
  readonly session?: Uint8Array | TLSSession;
  /** A client context of your own instead of the options above (which must then be left out). */
  readonly context?: TLSContext;
  /** An idle timeout in ms, as `tls.connect`'s `timeout`: emits `'timeout'` (it closes nothing by itself). */
  readonly timeout?: number;
  /** Fails the connection with `SysCallError` (cause `ETIMEDOUT`) when TCP connect + handshake take longer. */
  readonly connectTimeout?: number;
  /** Disables Nagle's algorithm. Default `true`. */
  readonly noDelay?: boolean;
  /** Keep our side open after the server's close_notify, until `end()`. Default `false`, as `tls.connect`. */
  readonly allowHalfOpen?: boolean;
}

const VERSIONS: Readonly<Record<string, number>> = { 'TLSv1.2': TLSVersion.TLSv1_2, 'TLSv1.3': TLSVersion.TLSv1_3 };

/**
 * Connects like `tls.connect(options)` and returns a Node `Duplex` at once (writes queue until the handshake is
 * done), so that `https.request(url, { createConnection })`, `http.request` over TLS and libraries taking a socket
 * work unchanged. `callback` is a `'secureConnect'` listener, as for `tls.connect`.
 *
 * @example
 * https.get('https://localhost:8443/', { createConnection, ca: caPem }, (res) => res.pipe(process.stdout));
 *
 * @throws {InvalidArgumentError} synchronously for unusable options (a bad port, an unknown or empty version range,
 *   `context` next to options that configure the default context). Connection failures are `'error'` events:
 *   `SysCallError` with the socket error as `cause`, or the handshake's error.
 */
export function createConnection(options: CreateConnectionOptions, callback?: () => void): SecureSocket {
  const host = options.host ?? 'localhost';
  const port = typeof options.port === 'string' ? Number(options.port) : options.port;
  checkDestination(host, port, options.connectTimeout);
  const servername = options.servername === '' ? null : options.servername;
  const context = options.context ?? contextFrom(options, servername !== null);
  if (options.context !== undefined) {
    const defaults = ['ca', 'cert', 'key', 'rejectUnauthorized', 'ALPNProtocols', 'minVersion', 'maxVersion'] as const;
    const given = defaults.filter((name) => options[name] !== undefined);
    if (given.length > 0) {
      throw new InvalidArgumentError('context', 'INVALID_ARGUMENT', `${given.join(', ')} configure the default context: set them on your context`);
    }
  }
  checkClientContext(context, servername);
  const session = sessionFrom(options.session);
  const dialing = dial({
    host,
    port: port!,
    servername: servername === undefined ? stripBrackets(host) : servername,
    context,
    noDelay: options.noDelay ?? true,
    timeoutMs: options.connectTimeout,
    incomingLimit: undefined,
    outgoingLimit: undefined,
    session,
  });
  const socket = new SecureSocket(dialing.stream, {
    socket: dialing.socket,
    ...(options.allowHalfOpen === undefined ? {} : { allowHalfOpen: options.allowHalfOpen }),
    ...(options.timeout === undefined ? {} : { timeout: options.timeout }),
  });
  if (callback !== undefined) socket.once('secureConnect', callback);
  return socket;
}

/** @throws {InvalidArgumentError} `BAD_SESSION` for bytes that are not a serialised `TLSSession`. */
function sessionFrom(session: Uint8Array | TLSSession | undefined): TLSSession | undefined {
  if (session === undefined || session instanceof TLSSession) return session;
  if (!(session instanceof Uint8Array)) throw new InvalidArgumentError('session', 'INVALID_ARGUMENT', 'must be the bytes of getSession() or a TLSSession');
  return TLSSession.fromBytes(session);
}

function contextFrom(options: CreateConnectionOptions, checkHostname: boolean): TLSContext {
  const versions = versionRange(options.minVersion, options.maxVersion);
  const alpnProtocols = options.ALPNProtocols?.map((name) => (typeof name === 'string' ? name : new TextDecoder().decode(name)));
  return defaultClientContext({
    checkHostname,
    ...versions,
    ...(options.ca === undefined ? {} : { ca: options.ca }),
    ...(options.rejectUnauthorized === undefined ? {} : { rejectUnauthorized: options.rejectUnauthorized }),
    ...(alpnProtocols === undefined ? {} : { alpnProtocols }),
    ...(options.cert === undefined ? {} : { cert: options.cert }),
    ...(options.key === undefined ? {} : { key: options.key }),
  });
}

/** Node's version names (`'TLSv1.2'`, `'TLSv1.3'`) as the context's version range; absent ones keep its defaults. */
function versionRange(minVersion: string | undefined, maxVersion: string | undefined): { minimumVersion?: number; maximumVersion?: number } {
  const read = (name: string, value: string | undefined) => {
    if (value === undefined) return undefined;
    const version = VERSIONS[value];
    if (version === undefined) throw new InvalidArgumentError(name, 'UNSUPPORTED_PROTOCOL', `must be 'TLSv1.2' or 'TLSv1.3', got ${String(value)}`);
    return version;
  };
  const min = read('minVersion', minVersion);
  const max = read('maxVersion', maxVersion);
  if (min !== undefined && max !== undefined && min > max) {
    throw new InvalidArgumentError('minVersion', 'NO_PROTOCOLS_AVAILABLE', `${minVersion} is above maxVersion ${maxVersion}`);
  }
  return { ...(min === undefined ? {} : { minimumVersion: min }), ...(max === undefined ? {} : { maximumVersion: max }) };
}
