import { createServer as netCreateServer, type AddressInfo, type Socket } from 'node:net';
import { InvalidArgumentError, SysCallError } from '@tlsbio/errors';
import { TLSContext, secure, type SecureStream, type TransportInfo } from '@tlsbio/core';
import { rememberSocket } from './socket-registry.js';
import { socketTransport } from './socket-transport.js';

/** Where a failure happened: the connection's transport facts (remote address and port), when known. */
export type ServerErrorHandler = (error: unknown, transport: TransportInfo | undefined) => void;

/** Options of {@link createServer}. */
export interface ServerOptions {
  /** A server context with its certificate(s) loaded. Shared by every connection. */
  readonly context: TLSContext;
  /** Called once per failed connection (handshake failure, a later fatal error, a throwing handler). */
  readonly onError?: ServerErrorHandler;
  /** Disables Nagle's algorithm on accepted sockets. Default `true`. */
  readonly noDelay?: boolean;
  /**
   * Drops a connection whose handshake has not completed this long after accept (a client that connects and says
   * nothing holds a socket otherwise); reported to `onError` as `SysCallError` with an `ETIMEDOUT` cause. Default
   * 120,000 ms, as Node's `tls.Server`; `0` turns it off.
   */
  readonly handshakeTimeoutMs?: number;
  /** Passed on to {@link secure}. */
  readonly incomingLimit?: number;
  readonly outgoingLimit?: number;
}

export interface ListeningAddress {
  readonly address: string;
  readonly port: number;
}

/** A TLS server over TCP. */
export interface SecureServer {
  /** Starts listening (port 0 picks a free one; host defaults to Node's, every interface). */
  listen(port?: number, host?: string): Promise<ListeningAddress>;
  /**
   * Stops accepting; resolves once every open connection has ended, as `net.Server.close()` does. With
   * `dropConnections: true` the open connections are dropped at once (their sockets destroyed, no close_notify: their
   * peers see a truncation), and those drops are not reported to `onError`.
   */
  close(options?: { readonly dropConnections?: boolean }): Promise<void>;
  /** How many accepted connections are open (in handshake or after). */
  readonly connections: number;
  /** The address listened on, or `null` when not listening. */
  address(): ListeningAddress | null;
  /** Receives each connection's failure; replaceable at any time. An exception it throws is ignored. */
  onError: ServerErrorHandler;
}

/**
 * Creates a TLS server: every accepted socket is secured with `options.context`, and `onSecureConnection` receives
 * the stream once its handshake has completed (Node's `secureConnection`). A failure on one connection — a failed
 * handshake, a fatal error later, an exception thrown by `onSecureConnection` — is reported to `onError` once, and
 * never stops the server. Sockets allow half-open connections: a client's close_notify (and FIN) ends only its
 * direction, and our close_notify follows when the handler closes its writable.
 *
 * @example
 * const server = createServer({ context }, (stream) => void stream.readable.pipeTo(stream.writable));
 * server.onError = (error, peer) => console.warn(peer?.remoteAddress, error);
 * const { port } = await server.listen(8443);
 *
 * @throws {InvalidArgumentError} when `context` is not a server context, or `onSecureConnection` is not a function.
 */
export function createServer(options: ServerOptions, onSecureConnection: (stream: SecureStream) => void): SecureServer {
  const { context } = options;
  if (!(context instanceof TLSContext) || context.role !== 'server') {
    throw new InvalidArgumentError('context', 'INVALID_ARGUMENT', 'must be a server TLSContext');
  }
  if (typeof onSecureConnection !== 'function') {
    throw new InvalidArgumentError('onSecureConnection', 'INVALID_ARGUMENT', 'must be a function');
  }
  const handshakeTimeoutMs = options.handshakeTimeoutMs ?? 120_000;
  if (!(Number.isFinite(handshakeTimeoutMs) && handshakeTimeoutMs >= 0)) {
    throw new InvalidArgumentError('handshakeTimeoutMs', 'INVALID_ARGUMENT', 'must be a number of milliseconds, 0 for none');
  }
  const server: SecureServer = {
    onError: options.onError ?? (() => {}),
    listen: (port = 0, host) =>
      new Promise((resolve, reject) => {
        const onError = (error: Error) => reject(new SysCallError(`listen on ${host ?? '*'}:${port} failed: ${error.message}`, { cause: error }));
        net.once('error', onError);
        net.listen(port, host, () => {
          net.off('error', onError);
          resolve(server.address()!);
        });
      }),
    close: (closeOptions = {}) => {
      // A second close() (or one before listen()) has nothing to stop; it can still drop connections.
      const closing = !net.listening
        ? Promise.resolve()
        : new Promise<void>((resolve, reject) => {
            net.close((error) => (error ? reject(new SysCallError(`close failed: ${error.message}`, { cause: error })) : resolve()));
          });
      if (closeOptions.dropConnections === true) {
        dropping = true;
        for (const socket of open) socket.destroy();
        open.clear();
      }
      return closing;
    },
    get connections() {
      return open.size;
    },
    address: () => {
      const address = net.address() as AddressInfo | string | null;
      if (address === null || typeof address === 'string') return null;
      return { address: address.address, port: address.port };
    },
  };

  /** Accepted sockets not yet closed: what `close({ dropConnections })` drops. */
  const open = new Set<Socket>();
  /** One listener for every accepted socket (Node calls it with the socket as `this`), not a closure each. */
  const forget = function (this: Socket) {
    open.delete(this);
  };
  let dropping = false;
  /** Connections already reported: each failure is reported once. */
  const reported = new WeakSet<SecureStream>();
  const report = (error: unknown, transport: TransportInfo, stream: SecureStream | undefined) => {
    if (dropping || (stream !== undefined && reported.has(stream))) return;
    if (stream !== undefined) reported.add(stream);
    try {
      server.onError(error, transport);
    } catch {
      // The error handler is the end of the line: a throw here must not reach the server.
    }
  };
  // Handshake failures and later fatal errors all reject `closed` (after the alert went out); this one function
  // hears of them for every connection (a handler on each `closed` would cost each a promise and a reaction).
  const secureOptions = {
    ...(options.incomingLimit === undefined ? {} : { incomingLimit: options.incomingLimit }),
    ...(options.outgoingLimit === undefined ? {} : { outgoingLimit: options.outgoingLimit }),
    onError: (error: unknown, stream: SecureStream) => report(error, stream.info().transport, stream),
  };

  const accept = (socket: Socket) => {
    if (dropping) {
      socket.destroy();
      return;
    }
    open.add(socket);
    socket.once('close', forget);
    if (options.noDelay ?? true) socket.setNoDelay(true);
    const transport = socketTransport(socket);
    let stream: SecureStream;
    try {
      stream = secure(transport, context, secureOptions);
    } catch (error) {
      report(error, transport.info(), undefined);
      socket.destroy();
      return;
    }
    rememberSocket(stream, socket);
    let timer =
      handshakeTimeoutMs > 0
        ? setTimeout(() => {
            socket.destroy(Object.assign(new Error(`no TLS handshake within ${handshakeTimeoutMs} ms`), { code: 'ETIMEDOUT' }));
          }, handshakeTimeoutMs).unref()
        : undefined;
    void stream.opened
      .catch(() => {})
      .finally(() => {
        clearTimeout(timer);
        timer = undefined;
      });
    stream.opened.then(
      () => {
        try {
          onSecureConnection(stream);
        } catch (error) {
          report(error, transport.info(), stream);
          socket.destroy();
        }
      },
      () => {},
    );
  };

  // allowHalfOpen: the peer's FIN must not end our side while we still owe it data (TLS 1.3 half-close).
  const net = netCreateServer({ allowHalfOpen: true }, accept);
  // A listening socket's later errors (rare: EMFILE on accept) are reported, never thrown.
  net.on('error', (error) => {
    if (net.listening) {
      try {
        server.onError(new SysCallError(`server error: ${error.message}`, { cause: error }), undefined);
      } catch {
        // see above
      }
    }
  });
  return server;
}
