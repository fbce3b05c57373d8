// createWsTlsServer: TLS terminated by tlsbio on each WebSocket connection.
import { createServer } from 'node:http';
import { once } from 'node:events';
import { WebSocket } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { connect, connectWebSocket, type WebSocketConstructor } from '../src/index.js';
import { createWsTlsServer, type WsTlsServer } from '../src/server.js';
import { clientContext, pattern, readAll, serverContext, sha256, writeAll } from './helpers.js';

const WS = WebSocket as unknown as WebSocketConstructor;
let server: WsTlsServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const echo = (stream: { readable: ReadableStream<Uint8Array>; writable: WritableStream<Uint8Array> }) => void stream.readable.pipeTo(stream.writable).catch(() => {});

describe('createWsTlsServer', () => {
  it('terminates TLS on each WebSocket: 8 clients at once, 256 KiB each echoed exactly', async () => {
    const seen: string[] = [];
    server = createWsTlsServer({ context: serverContext(), port: 0, host: '127.0.0.1' }, (stream, request) => {
      seen.push(`${stream.info().version} ${stream.info().transport.kind} ${request.url}`);
      echo(stream);
    });
    await server.ready;
    const url = `ws://127.0.0.1:${server.address()!.port}/tls`;
    await Promise.all(
      Array.from({ length: 8 }, async (_, i) => {
        const stream = await connect(url, { WebSocket: WS, context: clientContext(), serverHostname: 'localhost' });
        const data = pattern(256 * 1024, i + 1);
        const [, echoed] = await Promise.all([writeAll(stream, data), readAll(stream.readable)]);
        expect(sha256(echoed)).toBe(sha256(data));
        await stream.closed;
      }),
    );
    expect(seen).toHaveLength(8);
    expect(new Set(seen)).toEqual(new Set(['TLSv1.3 websocket /tls']));
    await until(() => server!.connections === 0);
  });

  it('reports a failed handshake to onError once and goes on serving', async () => {
    const errors: unknown[] = [];
    server = createWsTlsServer({ context: serverContext(), port: 0, host: '127.0.0.1', onError: (e) => errors.push(e) }, echo);
    await server.ready;
    const url = `ws://127.0.0.1:${server.address()!.port}/`;
    // Not TLS at all: a binary frame of garbage.
    const transport = await connectWebSocket(url, { WebSocket: WS });
    await transport.write(new TextEncoder().encode('GET / HTTP/1.1\r\n\r\n'));
    while ((await transport.read().catch(() => null)) !== null);
    await until(() => errors.length === 1);
    expect(errors[0]).toMatchObject({ code: 'ERR_TLS_PROTOCOL' });
    const stream = await connect(url, { WebSocket: WS, context: clientContext(), serverHostname: 'localhost' });
    const [, echoed] = await Promise.all([writeAll(stream, pattern(10)), readAll(stream.readable)]);
    expect(echoed).toEqual(pattern(10));
  });

  it('closes with 4403 for a foreign or missing Origin, and leaves other paths of a shared server to their endpoints', async () => {
    const http = createServer((_req, res) => res.end('plain http'));
    http.listen(0, '127.0.0.1');
    await once(http, 'listening');
    const port = (http.address() as { port: number }).port;
    server = createWsTlsServer({ context: serverContext(), server: http, path: '/tls', origins: ['https://app.example'] }, echo);
    await server.ready;
    const closeCode = (path: string, origin?: string) =>
      new Promise<number>((resolve) => {
        const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, origin === undefined ? {} : { origin });
        ws.on('error', () => resolve(-1));
        ws.on('close', (code) => resolve(code));
      });
    expect(await closeCode('/tls', 'https://evil.example')).toBe(4403);
    // Another WebSocket endpoint on the same server goes on working: its upgrades are left to it.
    const { WebSocketServer } = await import('ws');
    const other = new WebSocketServer({ noServer: true });
    http.on('upgrade', (request, socket, head) => {
      if (request.url === '/other') other.handleUpgrade(request, socket, head, (ws) => ws.close(4000, 'the other endpoint'));
    });
    expect(await closeCode('/other', 'https://app.example')).toBe(4000);
    const first = await connect(`ws://127.0.0.1:${port}/tls`, { WebSocket: WS, context: clientContext(), serverHostname: 'localhost', protocols: [] }).catch((e) => e);
    // Without an Origin header (Node's ws sends none by default) the origin check refuses too.
    expect(first).toMatchObject({ code: 'ERR_TLS_SYSCALL', cause: { closeCode: 4403 } });
    const res = await fetch(`http://127.0.0.1:${port}/`);
    expect(await res.text()).toBe('plain http');
    await server.close();
    server = undefined;
    http.close();
  });

  it('closes with 1013 past maxConnections', async () => {
    server = createWsTlsServer({ context: serverContext(), port: 0, host: '127.0.0.1', maxConnections: 1 }, echo);
    await server.ready;
    const url = `ws://127.0.0.1:${server.address()!.port}/`;
    const first = await connect(url, { WebSocket: WS, context: clientContext(), serverHostname: 'localhost' });
    const second = await connect(url, { WebSocket: WS, context: clientContext(), serverHostname: 'localhost' }).catch((e) => e);
    expect(second).toMatchObject({ code: 'ERR_TLS_SYSCALL', cause: { closeCode: 1013, closeReason: 'TRY_AGAIN_LATER' } });
    await first.close();
  });

  it('rejects ready with SysCallError when its port is taken', async () => {
    server = createWsTlsServer({ context: serverContext(), port: 0, host: '127.0.0.1' }, echo);
    await server.ready;
    const second = createWsTlsServer({ context: serverContext(), port: server.address()!.port, host: '127.0.0.1' }, echo);
    await expect(second.ready).rejects.toMatchObject({ code: 'ERR_TLS_SYSCALL' });
    expect(second.address()).toBeNull();
    await second.close();
  });

  it('refuses a client context', async () => {
    expect(() => createWsTlsServer({ context: clientContext(), port: 0 }, echo)).toThrow(expect.objectContaining({ code: 'ERR_TLS_INVALID_ARGUMENT' }));
  });
});

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
