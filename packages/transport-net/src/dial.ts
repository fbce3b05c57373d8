import { X509Certificate } from 'node:crypto';
import { checkServerIdentity } from 'node:tls';
import { isIP, type Socket } from 'node:net';
import { CertVerificationError, InvalidArgumentError, SysCallError, X509VerifyCode } from '@tlsbio/errors';
import { secure, type SecureStream, type TLSContext, type TLSSession } from '@tlsbio/core';
import { connectSocket, socketTransport } from './socket-transport.js';
import { rememberSocket } from './socket-registry.js';

/** What both `connect()` and `createConnection()` need, once their options are read. @internal */
export interface DialOptions {
  readonly host: string;
  readonly port: number;
  /** The SNI and certificate name; `null` sends no SNI (the name is then checked against `host` after the handshake). */
  readonly servername: string | null;
  readonly context: TLSContext;
  readonly noDelay: boolean;
  readonly timeoutMs: number | undefined;
  readonly incomingLimit: number | undefined;
  readonly outgoingLimit: number | undefined;
  /** A session to resume, and 0-RTT data to send with it (see `SecureOptions`). */
  readonly session?: TLSSession | undefined;
  readonly earlyData?: Uint8Array | undefined;
}

/** A client connection under way: the TCP socket once connected, the secure stream once its handshake completed. */
export interface Dialing {
  readonly socket: Promise<Socket>;
  readonly stream: Promise<SecureStream>;
}

/** Checks the options common to every client entry point. @internal */
export function checkDestination(host: unknown, port: unknown, timeoutMs: unknown): void {
  if (typeof host !== 'string' || host.length === 0) throw new InvalidArgumentError('host', 'INVALID_ARGUMENT', 'must be a non-empty string');
  if (!(Number.isInteger(port) && (port as number) > 0 && (port as number) < 65536)) {
    throw new InvalidArgumentError('port', 'INVALID_ARGUMENT', 'must be 1 to 65535');
  }
  if (timeoutMs !== undefined && !(typeof timeoutMs === 'number' && Number.isFinite(timeoutMs) && timeoutMs > 0)) {
    throw new InvalidArgumentError('timeoutMs', 'INVALID_ARGUMENT', 'must be a positive number of milliseconds');
  }
}

/** `[::1]` -> `::1`: the name a certificate's IP SAN is matched against. */
export function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') && isIP(host.slice(1, -1)) === 6 ? host.slice(1, -1) : host;
}

/**
 * Opens TCP, then runs the client handshake. The timeout covers both: before the socket connects it aborts the
 * attempt, after it destroys the socket, and either way the failure is a `SysCallError` with an `ETIMEDOUT` cause.
 * @internal
 */
export function dial(options: DialOptions): Dialing {
  const { host, port, timeoutMs } = options;
  const abort = new AbortController();
  const timer =
    timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          abort.abort(Object.assign(new Error(`no TLS connection to ${host}:${port} after ${timeoutMs} ms`), { code: 'ETIMEDOUT' }));
        }, timeoutMs);
  const socket = connectSocket({ host, port, noDelay: options.noDelay, signal: abort.signal });
  const stream = (async () => {
    let connected: Socket;
    try {
      connected = await socket;
    } catch (error) {
      if (abort.signal.aborted && !SysCallError.isInstance(error)) throw new SysCallError(`connect to ${host}:${port} timed out`, { cause: abort.signal.reason });
      throw error;
    }
    // From here the timeout fails the socket: the driver sees a transport error and rejects `opened` with it.
    const onAbort = () => connected.destroy(abort.signal.reason as Error);
    abort.signal.addEventListener('abort', onAbort, { once: true });
    try {
      let secured: SecureStream;
      try {
        secured = secure(socketTransport(connected), options.context, {
          ...(options.servername === null ? {} : { serverHostname: options.servername }),
          ...(options.incomingLimit === undefined ? {} : { incomingLimit: options.incomingLimit }),
          ...(options.outgoingLimit === undefined ? {} : { outgoingLimit: options.outgoingLimit }),
          ...(options.session === undefined ? {} : { session: options.session }),
          ...(options.earlyData === undefined ? {} : { earlyData: options.earlyData }),
        });
      } catch (error) {
        connected.destroy();
        throw error;
      }
      rememberSocket(secured, connected);
      await secured.opened;
      if (options.servername === null && options.context.verifyMode !== 'none') checkHostAfterHandshake(secured, connected, stripBrackets(host));
      return secured;
    } finally {
      abort.signal.removeEventListener('abort', onAbort);
    }
  })();
  stream.then(
    () => clearTimeout(timer),
    () => clearTimeout(timer),
  );
  socket.catch(() => {});
  return { socket, stream };
}

/**
 * Without SNI the engine has no name to check during the handshake (it checks the name it sends), so the server's
 * certificate is matched against `host` here, with Node's own `checkServerIdentity`, before a byte of application
 * data is written. A mismatch drops the connection (no alert: the handshake is over) and throws.
 */
function checkHostAfterHandshake(stream: SecureStream, socket: Socket, host: string): void {
  const der = stream.info().peerCertificate;
  const mismatch =
    der === null ? new Error('no certificate') : checkServerIdentity(host, new X509Certificate(der).toLegacyObject());
  if (mismatch === undefined) return;
  void stream.readable.cancel().catch(() => {});
  socket.destroy();
  throw new CertVerificationError(X509VerifyCode.X509_V_ERR_HOSTNAME_MISMATCH, 0, { cause: mismatch });
}
