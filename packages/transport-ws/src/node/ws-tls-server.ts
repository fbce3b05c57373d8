import type { IncomingMessage } from 'node:http';
import { InvalidArgumentError } from '@tlsbio/errors';
import { TLSContext, secure, type SecureStream, type TransportInfo } from '@tlsbio/core';
import { WebSocketServer, type WebSocket } from 'ws';
import { CloseCode } from '../close-codes.js';
import { webSocketTransport, type WebSocketLike } from '../websocket-transport.js';
import { listenForUpgrades, type ListenOptions, type ListeningAddress } from './upgrade-server.js';

/** Where a failure happened: the connection's transport facts (its URL, the client's address). */
export type WsTlsErrorHandler = (error: unknown, transport: TransportInfo | undefined) => void;

/** Options of {@link createWsTlsServer}. */
export interface WsTlsServerOptions extends ListenOptions {
  /** A server context with its certificate(s) loaded, shared by every connection. */
  readonly context: TLSContext;
  /** Called once per failed connection (handshake failure, a later fatal error, a throwing handler). */
  readonly onError?: WsTlsErrorHandler;
  /** When given, a request's `Origin` must be one of these, else the socket is closed with 4403. */
  readonly origins?: readonly string[];
  /**
   * Only upgrade requests for this path are taken. Others are dropped on our own server and left to the other
   * `upgrade` listeners of a shared `server`. Default: any path.
   */
  readonly path?: string;
  /** Most connections at once; the next is closed with 1013. Default 1000. */
  readonly maxConnections?: number;
  /** Largest WebSocket message accepted; a larger one closes the connection with 1009. Default 256 KiB. */
  readonly maxFrameBytes?: number;
  /** Passed on to the transport (write backpressure and read buffer, bytes). */
  readonly highWaterMark?: number;
  readonly maxReadBuffer?: number;
  /** Passed on to `secure()`. */
  readonly incomingLimit?: number;
  readonly outgoingLimit?: number;
}

/** A WS-terminating TLS server, returned at once by {@link createWsTlsServer}, like a Node server after `listen()`. */
export interface WsTlsServer {
  /**
   * Resolves once the server listens on `port` (at once when attached to a `server`); rejects with `SysCallError`
   * when listening fails.
   */
  readonly ready: Promise<void>;
  /** `null` before `ready`. */
  address(): ListeningAddress | null;
  /** Stops accepting and closes every connection with 1001 (no close_notify: handlers should close theirs first). */
  close(): Promise<void>;
  /** Connections open now. */
  readonly connections: number;
  onError: WsTlsErrorHandler;
}

/**
 * A TLS server whose transport is WebSocket: each WebSocket connection carries one TLS connection in binary frames
 * (the websockify convention), terminated here with `context`. For services that accept browser tunnels
 * themselves, without a relay. `onSecureConnection` receives each stream once its handshake has completed; a
 * failure on one connection goes to `onError` once and never stops the server.
 *
 * Returns the handle at once and starts listening, as `createRelay()` does; `server.ready` settles when listening
 * has begun (or failed, with `SysCallError`).
 *
 * @example
 * const server = createWsTlsServer({ context, port: 8443 }, (stream) => void stream.readable.pipeTo(stream.writable));
 * await server.ready;
 * // client: await connect('ws://host:8443/', { context: clientContext, serverHostname: 'host' })
 *
 * @throws {InvalidArgumentError} synchronously, when `context` is not a server context, `onSecureConnection` is not
 *   a function, or not exactly one of `port` and `server` is given.
 */
export function createWsTlsServer(
  options: WsTlsServerOptions,
  onSecureConnection: (stream: SecureStream, request: IncomingMessage) => void,
): WsTlsServer {
  const { context } = options;
  if (!(context instanceof TLSContext) || context.role !== 'server') {
    throw new InvalidArgumentError('context', 'INVALID_ARGUMENT', 'must be a server TLSContext');
  }
  if (typeof onSecureConnection !== 'function') {
    throw new InvalidArgumentError('onSecureConnection', 'INVALID_ARGUMENT', 'must be a function');
  }
  const maxConnections = options.maxConnections ?? 1000;
  const origins = options.origins === undefined ? undefined : new Set(options.origins);
  const transportOptions = {
    ...(options.highWaterMark === undefined ? {} : { highWaterMark: options.highWaterMark }),
    ...(options.maxReadBuffer === undefined ? {} : { maxReadBuffer: options.maxReadBuffer }),
  };
  const secureOptions = {
    ...(options.incomingLimit === undefined ? {} : { incomingLimit: options.incomingLimit }),
    ...(options.outgoingLimit === undefined ? {} : { outgoingLimit: options.outgoingLimit }),
  };
  const sockets = new Set<WebSocket>();
  let closing = false;

  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxFrameBytes ?? 256 << 10, perMessageDeflate: false, clientTracking: false });
  const isOurs = (request: IncomingMessage) =>
    options.path === undefined || new URL(request.url ?? '/', 'http://server.invalid').pathname === options.path;
  const upgrades = listenForUpgrades(options, isOurs, (request, socket, head) => {
    if (closing) {
      socket.destroy();
      return;
    }
    socket.on('error', () => {});
    wss.handleUpgrade(request, socket, head, (ws) => accept(ws, request));
  });

  const server: WsTlsServer = {
    ready: upgrades.ready,
    onError: options.onError ?? (() => {}),
    address: () => upgrades.address(),
    get connections() {
      return sockets.size;
    },
    close: async () => {
      closing = true;
      const closed = [...sockets].map((ws) => new Promise<void>((resolve) => {
        ws.once('close', () => resolve());
        ws.close(CloseCode.GOING_AWAY);
        setTimeout(() => ws.terminate(), 5_000).unref();
      }));
      await Promise.all(closed);
      await upgrades.close();
    },
  };

  function accept(ws: WebSocket, request: IncomingMessage): void {
    sockets.add(ws);
    ws.once('close', () => sockets.delete(ws));
    const origin = request.headers.origin;
    if (origins && (origin === undefined || !origins.has(origin))) {
      ws.close(CloseCode.ORIGIN_NOT_ALLOWED, 'ORIGIN_NOT_ALLOWED');
      return;
    }
    if (sockets.size > maxConnections) {
      ws.close(CloseCode.TRY_AGAIN_LATER, 'TRY_AGAIN_LATER');
      return;
    }
    const transport = webSocketTransport(ws as unknown as WebSocketLike, transportOptions);
    const info = () => ({ ...transport.info(), remoteAddress: request.socket.remoteAddress, remotePort: request.socket.remotePort });
    let reported = false;
    const report = (error: unknown) => {
      if (reported) return;
      reported = true;
      try {
        server.onError(error, info());
      } catch {
        // The error handler is the end of the line.
      }
    };
    let stream: SecureStream;
    try {
      stream = secure({ ...transport, info }, context, secureOptions);
    } catch (error) {
      report(error);
      ws.terminate();
      return;
    }
    stream.closed.catch(report);
    stream.opened.then(
      () => {
        try {
          onSecureConnection(stream, request);
        } catch (error) {
          report(error);
          ws.terminate();
        }
      },
      () => {},
    );
  }

  return server;
}
