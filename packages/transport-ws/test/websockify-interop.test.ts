// The websockify convention, checked against existing peers (Debian packages, installed by scripts/peers.mjs): our
// client through a websockify relay, and a websockify-style client through our relay (Python's websocket-client: the
// Python client inside websockify 0.10 cannot send a masked frame on Python 3, a bug of its own).
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { connect as netConnect, createServer as createNetServer, type AddressInfo, type Server } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { WebSocket } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { connect, type WebSocketConstructor } from '../src/index.js';
import { createRelay, type Relay } from '../src/relay.js';
import { clientContext, pattern, pki, readAll, sha256, writeAll } from './helpers.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function listen(server: Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.push(() => server.close());
  return (server.address() as AddressInfo).port;
}

/** A port nobody listens on right now (websockify takes a port number, not 0). */
async function freePort(): Promise<number> {
  const probe = createNetServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

async function untilListening(port: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`websockify exited with ${child.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = netConnect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error('websockify did not start listening');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('websockify interop', () => {
  it('our TLS client through a websockify relay to Node tls: 256 KiB echoed exactly', async () => {
    const tls = createTlsServer({ cert: pki('server-ecdsa-chain.pem'), key: pki('server-ecdsa.key') }, (socket) => socket.pipe(socket));
    const target = await listen(tls as unknown as Server);
    const port = await freePort();
    const child = spawn('websockify', [`127.0.0.1:${port}`, `127.0.0.1:${target}`], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    cleanups.push(async () => {
      child.kill('SIGTERM');
      if (child.exitCode === null) await once(child, 'exit');
    });
    await untilListening(port, child);

    const stream = await connect(`ws://127.0.0.1:${port}/`, {
      WebSocket: WebSocket as unknown as WebSocketConstructor,
      context: clientContext(),
      serverHostname: 'localhost',
    }).catch((error: unknown) => {
      throw new Error(`${String(error)}\nwebsockify said:\n${stderr}`);
    });
    expect(stream.info().version).toBe('TLSv1.3');
    const data = pattern(256 * 1024);
    const [, echoed] = await Promise.all([writeAll(stream, data), readAll(stream.readable)]);
    expect(sha256(echoed)).toBe(sha256(data));
  });

  it("Python's websocket-client through our relay (binary frames, the binary sub-protocol): bytes echoed exactly", async () => {
    const echo = createNetServer((socket) => socket.pipe(socket));
    const target = await listen(echo);
    const relay: Relay = createRelay({ port: 0, host: '127.0.0.1', allow: [`127.0.0.1:${target}`], allowAddresses: ['127.0.0.1'], log: false });
    await relay.ready;
    cleanups.push(() => relay.close());
    const script = `
import hashlib, sys, websocket
ws = websocket.create_connection(sys.argv[1], subprotocols=['binary'])
data = bytes((i * 7 + 3) % 251 for i in range(100000))
for i in range(0, len(data), 10000):
    ws.send_binary(data[i:i + 10000])
got = b''
while len(got) < len(data):
    got += ws.recv()
protocol = ws.getsubprotocol()
ws.close()
print(protocol, hashlib.sha256(got).hexdigest() == hashlib.sha256(data).hexdigest())
`;
    // Asynchronously: the relay runs on this process's event loop.
    const child = spawn('/usr/bin/python3', ['-c', script, `ws://127.0.0.1:${relay.address()!.port}/127.0.0.1:${target}`]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = (await once(child, 'exit')) as [number];
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout.trim()).toBe('binary True');
    await expect.poll(() => relay.stats()).toMatchObject({ tunnels: 0, targetSockets: 0, refused: 0 });
  });
});
