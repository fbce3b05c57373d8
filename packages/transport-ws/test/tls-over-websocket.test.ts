// TLS end to end over the client transport: our client against our engine terminating TLS on a plain `ws` server.
import { secure, TLSContext } from '@tlsbio/core';
import { WebSocket, WebSocketServer } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { connect, webSocketTransport, type WebSocketConstructor, type WebSocketLike } from '../src/index.js';
import { clientContext, pattern, readAll, serverContext, sha256, writeAll } from './helpers.js';

let server: WebSocketServer | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

function listen(context: TLSContext): Promise<string> {
  server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  server.on('connection', (socket) => {
    const stream = secure(webSocketTransport(socket as unknown as WebSocketLike), context);
    stream.opened.then(() => stream.readable.pipeTo(stream.writable)).catch(() => {});
  });
  return new Promise((resolve) => server!.on('listening', () => resolve(`ws://127.0.0.1:${(server!.address() as { port: number }).port}/`)));
}

const WS = WebSocket as unknown as WebSocketConstructor;

describe('connect() over WebSocket', () => {
  it('echoes 1 MiB exactly through a TLS 1.3 connection and closes cleanly', async () => {
    const url = await listen(serverContext());
    const stream = await connect(url, { WebSocket: WS, context: clientContext(), serverHostname: 'localhost' });
    expect(stream.info()).toMatchObject({ version: 'TLSv1.3', transport: { kind: 'websocket', url } });
    const data = pattern(1 << 20);
    const [, echoed] = await Promise.all([writeAll(stream, data), readAll(stream.readable)]);
    expect(sha256(echoed)).toBe(sha256(data));
    await stream.closed;
  });

  it('fails the handshake with a certificate error when the name does not match', async () => {
    const url = await listen(serverContext());
    await expect(connect(url, { WebSocket: WS, context: clientContext(), serverHostname: 'other.example' })).rejects.toMatchObject({
      code: 'ERR_TLS_CERT_VERIFICATION',
    });
  });

  it('reports a tunnel lost mid-stream as EOFError (a truncation), not a clean end', async () => {
    server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    server.on('connection', (socket) => {
      const stream = secure(webSocketTransport(socket as unknown as WebSocketLike), serverContext());
      stream.opened
        .then(async () => {
          const writer = stream.writable.getWriter();
          await writer.write(new Uint8Array(100).fill(7));
          socket.terminate(); // no close_notify, no close frame
        })
        .catch(() => {});
    });
    await new Promise((resolve) => server!.on('listening', resolve));
    const url = `ws://127.0.0.1:${(server.address() as { port: number }).port}/`;
    const stream = await connect(url, { WebSocket: WS, context: clientContext(), serverHostname: 'localhost' });
    const error = await readAll(stream.readable).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ERR_TLS_EOF' });
  });

  it('refuses a server context', async () => {
    await expect(connect('ws://127.0.0.1:1/', { WebSocket: WS, context: serverContext() })).rejects.toMatchObject({ code: 'ERR_TLS_INVALID_ARGUMENT' });
  });
});

describe('connect() timeoutMs', () => {
  it('fails with SysCallError when the peer opens the WebSocket and then never answers the handshake', async () => {
    server = new WebSocketServer({ host: '127.0.0.1', port: 0 }); // accepts, reads nothing, says nothing
    await new Promise((resolve) => server!.on('listening', resolve));
    const url = `ws://127.0.0.1:${(server.address() as { port: number }).port}/`;
    const started = Date.now();
    const error = await connect(url, { WebSocket: WS, context: clientContext(), serverHostname: 'localhost', timeoutMs: 300 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ERR_TLS_SYSCALL', message: expect.stringContaining('after 300 ms') });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('fails with SysCallError when the WebSocket does not even open in time', async () => {
    // A TCP listener that never answers the upgrade request.
    const { createServer } = await import('node:net');
    const silent = createServer(() => {});
    silent.listen(0, '127.0.0.1');
    await new Promise((resolve) => silent.on('listening', resolve));
    const url = `ws://127.0.0.1:${(silent.address() as { port: number }).port}/`;
    const error = await connect(url, { WebSocket: WS, context: clientContext(), serverHostname: 'localhost', timeoutMs: 300 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ERR_TLS_SYSCALL', message: expect.stringContaining('after 300 ms') });
    silent.close();
  });

  it('rejects a timeout that is not a positive number', async () => {
    await expect(connect('ws://127.0.0.1:1/', { WebSocket: WS, context: clientContext(), timeoutMs: 0 })).rejects.toMatchObject({ code: 'ERR_TLS_INVALID_ARGUMENT' });
  });
});
