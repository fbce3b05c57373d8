import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { InvalidArgumentError, SysCallError } from '@tlsbio/errors';

export interface ListenOptions {
  /** Port to listen on (0 picks a free one). Ignored when `server` is given. */
  readonly port?: number;
  /** Interface to listen on; Node's default (every interface) when absent. */
  readonly host?: string;
  /** An existing HTTP(S) server to attach to instead: its `upgrade` requests are ours, it keeps serving the rest. */
  readonly server?: Server | HttpsServer;
}

export interface ListeningAddress {
  readonly address: string;
  readonly port: number;
}

export interface UpgradeServer {
  /** Settles once our own server listens (at once on the caller's); rejects with `SysCallError` if listening fails. */
  readonly ready: Promise<void>;
  /** `null` until listening. */
  address(): ListeningAddress | null;
  /** Stops taking upgrades; closes the server when it is our own. */
  close(): Promise<void>;
}

type UpgradeHandler = (request: IncomingMessage, socket: Socket, head: Buffer) => void;

/**
 * Takes WebSocket upgrade requests on our own HTTP server (`port`) or on the caller's (`server`). A plain HTTP
 * request to our own server gets 426 Upgrade Required. An upgrade that `isOurs` declines is dropped on our own server,
 * and left alone on the caller's, whose other `upgrade` listeners (other WebSocket endpoints) may take it.
 * Returns at once, like Node's `server.listen()`: `ready` says when (and whether) listening began.
 *
 * @throws {InvalidArgumentError} when neither or both of `port` and `server` are given.
 */
export function listenForUpgrades(
  options: ListenOptions,
  isOurs: (request: IncomingMessage) => boolean,
  onUpgrade: UpgradeHandler,
): UpgradeServer {
  if ((options.port === undefined) === (options.server === undefined)) {
    throw new InvalidArgumentError('port', 'INVALID_ARGUMENT', 'give exactly one of port and server');
  }
  const own = options.server === undefined;
  const server: Server | HttpsServer =
    options.server ??
    createServer((_request, response) => {
      response.writeHead(426, { 'content-type': 'text/plain', connection: 'close' }).end('WebSocket upgrade required\n');
    });
  const upgrade = (request: IncomingMessage, socket: Socket, head: Buffer) => {
    if (isOurs(request)) onUpgrade(request, socket, head);
    else if (own) socket.destroy();
  };
  server.on('upgrade', upgrade);
  const ready = !own
    ? Promise.resolve()
    : new Promise<void>((resolve, reject) => {
        const onError = (error: Error) => reject(new SysCallError(`listen on ${options.host ?? '*'}:${options.port} failed: ${error.message}`, { cause: error }));
        server.once('error', onError);
        server.listen(options.port, options.host, () => {
          server.off('error', onError);
          resolve();
        });
      });
  return {
    ready,
    address: () => {
      const address = server.address() as AddressInfo | string | null;
      if (address === null || typeof address === 'string') return null;
      return { address: address.address, port: address.port };
    },
    close: async () => {
      server.off('upgrade', upgrade);
      if (!own) return;
      await ready.catch(() => {}); // a close() right after creation waits for listen() to settle, then undoes it
      if (!server.listening) return;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
    },
  };
}
