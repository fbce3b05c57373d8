import type { Socket } from 'node:net';
import type { SecureStream } from '@tlsbio/core';

/**
 * The socket under each stream this package made. The stream itself stays transport-agnostic (no pass-through to
 * the socket, DESIGN.md §6); the package's own Node `Duplex` looks the socket up here to answer `setNoDelay()`,
 * `setKeepAlive()`, `ref()` and to release it on `destroy()`.
 */
const sockets = new WeakMap<SecureStream, Socket>();

/** @internal */
export function rememberSocket(stream: SecureStream, socket: Socket): void {
  sockets.set(stream, socket);
}

/** The TCP socket under `stream`, when this package made it. @internal */
export function socketOf(stream: SecureStream): Socket | undefined {
  return sockets.get(stream);
}
