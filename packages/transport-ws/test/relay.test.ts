// The relay against real sockets: every refusal and failure ends with its documented close code and one log entry,
// nothing leaks (no tunnel, no target socket left), and the relay goes on serving.
import { once } from 'node:events';
import { createServer as createNetServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createTlsServer } from 'node:tls';
import { WebSocket } from 'ws';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connect, type WebSocketConstructor } from '../src/index.js';
import { CloseCode, createRelay, type Relay, type RelayLogEntry, type RelayOptions } from '../src/relay.js';
import { clientContext, pattern, pki, readAll, sha256, writeAll } from './helpers.js';

const WS = WebSocket as unknown as WebSocketConstructor;

// ---- targets ----

const targets: Server[] = [];

async function listenTcp(onConnection: (socket: Socket) => void): Promise<number> {
  const server = createNetServer(onConnection);
  targets.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

const echoTarget = () => listenTcp((socket) => {
  socket.on('error', () => {});
  socket.pipe(socket);
});

// ---- the relay under test ----

let relay: Relay;
let logs: RelayLogEntry[];
let echoPort: number;

/**
 * A relay with `options`; unless `servesEcho` is false, it also allows the echo target at 127.0.0.1, through which
 * afterEach proves that the relay still serves after whatever the test did to it.
 */
async function startRelay(options: Partial<RelayOptions> = {}, servesEcho = true): Promise<Relay> {
  if (relay) await relay.close();
  checkServing = servesEcho;
  const allow = (options.allow ?? []) as string[];
  const allowAddresses = options.allowAddresses ?? [];
  relay = createRelay({
    port: 0,
    host: '127.0.0.1',
    log: (entry) => logs.push(entry),
    ...options,
    allow: servesEcho ? [...allow, `127.0.0.1:${echoPort}`] : allow,
    allowAddresses: servesEcho ? [...allowAddresses, '127.0.0.1'] : allowAddresses,
  });
  await relay.ready;
  return relay;
}
let checkServing = true;

const relayUrl = (path: string) => `ws://127.0.0.1:${relay.address()!.port}${path}`;

interface Tunnel {
  readonly ws: WebSocket;
  readonly opened: Promise<void>;
  readonly closed: Promise<{ code: number; reason: string }>;
  readonly received: Buffer[];
}

function tunnel(path: string, options: { origin?: string } = {}): Tunnel {
  const ws = new WebSocket(relayUrl(path), options);
  const received: Buffer[] = [];
  ws.on('message', (data: Buffer) => received.push(data));
  ws.on('error', () => {});
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', () => reject(new Error('upgrade refused')));
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  return { ws, opened, closed, received };
}

/** Sends `data` through a tunnel to the echo target and waits for all of it to come back. */
async function echo(t: Tunnel, data: Uint8Array): Promise<Buffer> {
  await t.opened;
  t.ws.send(data);
  while (t.received.reduce((n, b) => n + b.length, 0) < data.length) {
    await Promise.race([once(t.ws, 'message'), t.closed.then(() => { throw new Error('closed before the echo came back'); })]);
  }
  return Buffer.concat(t.received);
}

async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const lastLog = () => logs.at(-1);

beforeEach(async () => {
  logs = [];
  echoPort = await echoTarget();
  await startRelay();
});

afterEach(async () => {
  // Nothing leaks, and the relay still serves a good tunnel.
  await until(() => relay.stats().tunnels === 0 && relay.stats().targetSockets === 0, `a clean relay (${JSON.stringify(relay.stats())})`);
  if (!checkServing) {
    await relay.close();
    for (const server of targets.splice(0)) server.close();
    return;
  }
  const good = tunnel(`/127.0.0.1:${echoPort}`);
  expect((await echo(good, new Uint8Array([1, 2, 3]))).equals(Buffer.from([1, 2, 3]))).toBe(true);
  good.ws.close(1000);
  expect((await good.closed).code).toBe(1000);
  await until(() => relay.stats().tunnels === 0 && relay.stats().targetSockets === 0, 'the good tunnel to go');
  await relay.close();
  for (const server of targets.splice(0)) server.close();
});

async function expectRefused(t: Tunnel, code: number, name: string): Promise<RelayLogEntry> {
  expect(await t.closed).toEqual({ code, reason: name });
  await until(() => logs.length > 0, 'the log entry');
  const entry = lastLog()!;
  expect(entry).toMatchObject({ code, name });
  return entry;
}

describe('relay: tunnels that work', () => {
  it('forwards bytes both ways (path and query forms) and closes 1000 when the client closes', async () => {
    for (const path of [`/127.0.0.1:${echoPort}`, `/?target=127.0.0.1:${echoPort}`]) {
      const t = tunnel(path);
      const data = pattern(200_000);
      expect(sha256(await echo(t, data))).toBe(sha256(data));
      t.ws.close(1000);
      expect((await t.closed).code).toBe(1000);
    }
    await until(() => logs.length === 2, 'two log entries');
    expect(logs[0]).toMatchObject({ event: 'closed', code: 1000, target: `127.0.0.1:${echoPort}`, address: '127.0.0.1', bytesUp: 200_000, bytesDown: 200_000 });
  });

  it('carries 200 concurrent tunnels, each exact, and releases every one', async () => {
    const tunnels = Array.from({ length: 200 }, () => tunnel(`/127.0.0.1:${echoPort}`));
    const echoed = await Promise.all(tunnels.map((t, i) => echo(t, pattern(1024, i + 1))));
    echoed.forEach((bytes, i) => expect(bytes.equals(Buffer.from(pattern(1024, i + 1)))).toBe(true));
    expect(relay.stats().tunnels).toBe(200);
    for (const t of tunnels) t.ws.close(1000);
    const codes = await Promise.all(tunnels.map((t) => t.closed.then((c) => c.code)));
    expect(new Set(codes)).toEqual(new Set([1000]));
    const server = targets[0]!;
    await until(() => relay.stats().targetSockets === 0, 'target sockets to close');
    const open = await new Promise<number>((resolve) => server.getConnections((_e, n) => resolve(n)));
    expect(open).toBe(0);
  });

  it("speaks websockify's `binary` sub-protocol to clients that ask for it, and no other", async () => {
    const binary = new WebSocket(relayUrl(`/127.0.0.1:${echoPort}`), ['binary']);
    await once(binary, 'open');
    expect(binary.protocol).toBe('binary');
    binary.close(1000);
    await once(binary, 'close');
    const base64 = new WebSocket(relayUrl(`/127.0.0.1:${echoPort}`), ['base64']);
    const [error] = (await once(base64, 'error')) as [Error];
    expect(error.message).toMatch(/Server sent no subprotocol/);
  });

  it('ends the tunnel with 1000 after the last byte when the target closes its side', async () => {
    const port = await listenTcp((socket) => socket.end(Buffer.from('bye')));
    await startRelay({ allow: [`127.0.0.1:${port}`] });
    const t = tunnel(`/127.0.0.1:${port}`);
    expect(await t.closed).toEqual({ code: 1000, reason: 'NORMAL' });
    expect(Buffer.concat(t.received).toString()).toBe('bye');
  });

  it('resolves a name once and connects to the checked address (no DNS-rebinding window)', async () => {
    const asked: string[] = [];
    await startRelay({
      allow: [`rebind.test:${echoPort}`],
      // The system resolver does not know this name: only a connection to the checked address can succeed.
      lookup: async (name) => {
        asked.push(name);
        return ['127.0.0.1'];
      },
    });
    const t = tunnel(`/rebind.test:${echoPort}`);
    expect((await echo(t, new Uint8Array([9]))).equals(Buffer.from([9]))).toBe(true);
    t.ws.close(1000);
    await t.closed;
    expect(asked).toEqual(['rebind.test']);
  });

  it("attaches to the caller's https server (wss://), leaves its other requests alone, and does not close it", async () => {
    const https = createHttpsServer({ cert: pki('server-ecdsa-chain.pem'), key: pki('server-ecdsa.key') }, (_req, res) => res.end('page'));
    https.listen(0, '127.0.0.1');
    await once(https, 'listening');
    const port = (https.address() as AddressInfo).port;
    const attached = createRelay({ server: https, pathPrefix: '/relay/', allow: [`127.0.0.1:${echoPort}`], allowAddresses: ['127.0.0.1'], log: false });
    await attached.ready;
    expect(attached.address()).toMatchObject({ port });
    // An upgrade outside the prefix is not the relay's: another endpoint of the server takes it.
    https.on('upgrade', (request, socket) => {
      if (request.url === '/elsewhere') socket.end('HTTP/1.1 418 Teapot\r\n\r\n');
    });
    const elsewhere = new WebSocket(`wss://localhost:${port}/elsewhere`, { ca: pki('ca.pem') });
    elsewhere.on('error', () => {});
    const [, response] = (await once(elsewhere, 'unexpected-response')) as [unknown, { statusCode: number }];
    expect(response.statusCode).toBe(418);
    const ws = new WebSocket(`wss://localhost:${port}/relay/127.0.0.1:${echoPort}`, { ca: pki('ca.pem') });
    await once(ws, 'open');
    ws.send(new Uint8Array([4, 2]));
    const [data] = (await once(ws, 'message')) as [Buffer];
    expect([...data]).toEqual([4, 2]);
    ws.close(1000);
    await once(ws, 'close');
    await attached.close();
    expect(https.listening).toBe(true);
    const page = await new Promise<string>((resolve, reject) => {
      import('node:https').then(({ get }) =>
        get(`https://localhost:${port}/`, { ca: pki('ca.pem') }, (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString()));
          res.on('end', () => resolve(body));
        }).on('error', reject),
      );
    });
    expect(page).toBe('page');
    https.close();
  });

  it('closes every tunnel with 1001 when the relay shuts down', async () => {
    const t = tunnel(`/127.0.0.1:${echoPort}`);
    await echo(t, new Uint8Array([1]));
    await relay.close();
    expect(await t.closed).toEqual({ code: 1001, reason: 'GOING_AWAY' });
    expect(relay.stats()).toMatchObject({ tunnels: 0, targetSockets: 0 });
    await startRelay(); // for afterEach
  });
});

describe('relay: the handle', () => {
  it('is returned at once; ready resolves when listening, rejects with SysCallError on a port in use; bad options throw synchronously', async () => {
    const taken = relay.address()!.port;
    const second = createRelay({ port: taken, host: '127.0.0.1', allow: [], log: false });
    await expect(second.ready).rejects.toMatchObject({ code: 'ERR_TLS_SYSCALL' });
    expect(second.address()).toBeNull();
    await second.close(); // closing a relay that never listened settles
    expect(() => createRelay({ port: 0, allow: ['no port here'] })).toThrow(expect.objectContaining({ code: 'ERR_TLS_INVALID_ARGUMENT' }));
    expect(() => createRelay({ allow: [] })).toThrow(expect.objectContaining({ code: 'ERR_TLS_INVALID_ARGUMENT' }));
    // close() straight after creation, before listening began, still ends with nothing listening.
    const early = createRelay({ port: 0, host: '127.0.0.1', allow: [], log: false });
    await early.close();
    expect(early.address()).toBeNull();
  });
});

describe('relay: refusals', () => {
  it('4404 for a target not on the allow-list, without connecting', async () => {
    const t = tunnel(`/127.0.0.1:${echoPort + 1}`);
    const entry = await expectRefused(t, CloseCode.TARGET_NOT_ALLOWED, 'TARGET_NOT_ALLOWED');
    expect(entry).toMatchObject({ event: 'refused', target: `127.0.0.1:${echoPort + 1}`, address: undefined });
  });

  it('4404 with an empty allow-list (deny by default)', async () => {
    await startRelay({ allow: [] }, false);
    await expectRefused(tunnel(`/127.0.0.1:${echoPort}`), 4404, 'TARGET_NOT_ALLOWED');
  });

  it.each(['/', '/no-port', '/host:0', '/2130706433:80', '/0x7f.1:80', '/[::1:80'])('4400 for the malformed target %s', async (path) => {
    await expectRefused(tunnel(path), CloseCode.BAD_TARGET, 'BAD_TARGET');
  });

  it('4405 for an allow-listed name that resolves to loopback, when loopback is not allowed', async () => {
    await startRelay({ allow: [`localhost:${echoPort}`], allowAddresses: [] }, false);
    const entry = await expectRefused(tunnel(`/localhost:${echoPort}`), CloseCode.ADDRESS_NOT_ALLOWED, 'ADDRESS_NOT_ALLOWED');
    expect(entry.message).toMatch(/loopback/);
  });

  it.each([
    ['169.254.169.254:80', 'metadata'],
    ['10.0.0.1:5432', 'private'],
    ['[::ffff:127.0.0.2]:80', 'loopback'],
    ['0.0.0.0:80', 'unspecified'],
    ['[fe80::1]:80', 'link-local'],
  ])('4405 for the allow-listed address %s (%s)', async (target, kind) => {
    await startRelay({ allow: [target] });
    const entry = await expectRefused(tunnel(`/${target}`), CloseCode.ADDRESS_NOT_ALLOWED, 'ADDRESS_NOT_ALLOWED');
    expect(entry.message).toContain(kind);
  });

  it('4405 when a resolver answers only with private and metadata addresses', async () => {
    let calls = 0;
    await startRelay({ allow: ['evil.test:80'], lookup: async () => (calls++, ['10.0.0.5', '169.254.169.254']) });
    const entry = await expectRefused(tunnel('/evil.test:80'), 4405, 'ADDRESS_NOT_ALLOWED');
    expect(entry.message).toMatch(/10\.0\.0\.5 \(private\).*169\.254\.169\.254 \(metadata\)/);
    expect(calls).toBe(1);
  });

  it('4406 for a name that does not resolve', async () => {
    await startRelay({ allow: ['nowhere.invalid:80'] });
    await expectRefused(tunnel('/nowhere.invalid:80'), CloseCode.DNS_FAILED, 'DNS_FAILED');
  });

  it('4403 for a foreign or missing Origin; the listed one passes', async () => {
    await startRelay({ origins: ['https://app.example'] });
    await expectRefused(tunnel(`/127.0.0.1:${echoPort}`, { origin: 'https://evil.example' }), 4403, 'ORIGIN_NOT_ALLOWED');
    await expectRefused(tunnel(`/127.0.0.1:${echoPort}`), 4403, 'ORIGIN_NOT_ALLOWED');
    const good = tunnel(`/127.0.0.1:${echoPort}`, { origin: 'https://app.example' });
    await echo(good, new Uint8Array([5]));
    good.ws.close(1000);
    await good.closed;
    await startRelay();
  });

  it('4401 when authorize says no or throws; it sees the request and the target', async () => {
    const seen: string[] = [];
    await startRelay({
      authorize: async (request, target) => {
        seen.push(`${request.headers['x-token']} ${target.host}:${target.port}`);
        if (request.headers['x-token'] === 'throw') throw new Error('backend down');
        return request.headers['x-token'] === 'good';
      },
    });
    const withToken = (token: string) => {
      const ws = new WebSocket(relayUrl(`/127.0.0.1:${echoPort}`), { headers: { 'x-token': token } });
      ws.on('error', () => {});
      return new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    };
    expect(await withToken('bad')).toBe(4401);
    expect(await withToken('throw')).toBe(4401);
    expect(logs.map((e) => e.message)).toEqual(['authorize refused the request', 'authorize threw: backend down']);
    expect(seen).toEqual([`bad 127.0.0.1:${echoPort}`, `throw 127.0.0.1:${echoPort}`]);
    await startRelay();
  });

  it('1013 past maxConnections', async () => {
    await startRelay({ maxConnections: 3 });
    const open = [1, 2, 3].map(() => tunnel(`/127.0.0.1:${echoPort}`));
    await Promise.all(open.map((t) => echo(t, new Uint8Array([1]))));
    await expectRefused(tunnel(`/127.0.0.1:${echoPort}`), CloseCode.TRY_AGAIN_LATER, 'TRY_AGAIN_LATER');
    for (const t of open) t.ws.close(1000);
    await Promise.all(open.map((t) => t.closed));
  });
});

describe('relay: bad input and failing peers', () => {
  it('1009 for a frame over maxFrameBytes', async () => {
    await startRelay({ maxFrameBytes: 1024 });
    const t = tunnel(`/127.0.0.1:${echoPort}`);
    await t.opened;
    t.ws.send(new Uint8Array(2048));
    expect((await t.closed).code).toBe(CloseCode.MESSAGE_TOO_BIG);
    await until(() => logs.length > 0, 'the log entry');
    expect(lastLog()).toMatchObject({ code: 1009, name: 'MESSAGE_TOO_BIG' });
  });

  it('1003 for a text frame', async () => {
    const t = tunnel(`/127.0.0.1:${echoPort}`);
    await echo(t, new Uint8Array([1]));
    t.ws.send('GET / HTTP/1.1');
    await expectRefused(t, CloseCode.UNSUPPORTED_DATA, 'UNSUPPORTED_DATA');
    expect(lastLog()).toMatchObject({ event: 'closed' });
  });

  it('4502 when the target refuses the connection', async () => {
    const port = await listenTcp(() => {});
    targets.at(-1)!.close();
    await startRelay({ allow: [`127.0.0.1:${port}`] });
    const entry = await expectRefused(tunnel(`/127.0.0.1:${port}`), CloseCode.TARGET_UNREACHABLE, 'TARGET_UNREACHABLE');
    expect(entry.message).toContain('ECONNREFUSED');
  });

  it('4503 when the target resets the connection', async () => {
    const port = await listenTcp((socket) => socket.once('data', () => socket.resetAndDestroy()));
    await startRelay({ allow: [`127.0.0.1:${port}`] });
    const t = tunnel(`/127.0.0.1:${port}`);
    await t.opened;
    t.ws.send(new Uint8Array([1]));
    const entry = await expectRefused(t, CloseCode.TARGET_RESET, 'TARGET_RESET');
    expect(entry).toMatchObject({ event: 'closed', bytesUp: 1 });
    expect(entry.message).toContain('ECONNRESET');
  });

  it('4408 after idleTimeoutMs without traffic', async () => {
    await startRelay({ idleTimeoutMs: 1000 });
    const t = tunnel(`/127.0.0.1:${echoPort}`);
    await echo(t, new Uint8Array([1]));
    await expectRefused(t, CloseCode.IDLE_TIMEOUT, 'IDLE_TIMEOUT');
  });

  it('a client that never reads: the target is paused (bounded memory), then 4408, and the socket is dropped', async () => {
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    let writes = 0;
    let targetClosed = false;
    const port = await listenTcp((socket) => {
      socket.on('error', () => {});
      socket.on('close', () => (targetClosed = true));
      const pump = () => {
        while (!socket.destroyed && socket.write(chunk)) writes++;
        writes++;
      };
      socket.on('drain', pump);
      pump();
    });
    await startRelay({ allow: [`127.0.0.1:${port}`], maxBufferedBytes: 256 * 1024, idleTimeoutMs: 2500, closeTimeoutMs: 300 });
    const t = tunnel(`/127.0.0.1:${port}`);
    await t.opened;
    t.ws.pause(); // never reads again
    // Only a tunnel where nothing moves for idleTimeoutMs times out: without backpressure the relay would go on
    // reading the endless target into its memory and the tunnel would never be idle.
    await until(() => logs.length > 0, 'the idle timeout', 20_000);
    const entry = lastLog()!;
    expect(entry).toMatchObject({ event: 'closed', code: 4408, name: 'IDLE_TIMEOUT' });
    // What the relay took from the target is bounded by its limit plus the kernel's socket buffers; and so is what
    // the target could write at all.
    expect(entry.bytesDown).toBeLessThan(64 * 1024 * 1024);
    expect(writes * chunk.length).toBeLessThan(128 * 1024 * 1024);
    await until(() => targetClosed, 'the target socket to close');
    t.ws.terminate();
  });

  it('a target that never reads: the client is no longer read once maxBufferedBytes wait, then 4408', async () => {
    const sockets: Socket[] = [];
    const port = await listenTcp((socket) => {
      sockets.push(socket);
      socket.pause(); // never reads
      socket.on('error', () => {});
    });
    await startRelay({ allow: [`127.0.0.1:${port}`], maxBufferedBytes: 256 * 1024, idleTimeoutMs: 2500, closeTimeoutMs: 300 });
    const t = tunnel(`/127.0.0.1:${port}`);
    await t.opened;
    const frame = new Uint8Array(64 * 1024);
    let sent = 0;
    const deadline = Date.now() + 1500;
    while (Date.now() < deadline) {
      if (t.ws.bufferedAmount < 1 << 20) {
        t.ws.send(frame);
        sent += frame.length;
      }
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    // The relay stopped reading the client: the client's own buffer filled up instead of the relay's memory.
    expect(t.ws.bufferedAmount).toBeGreaterThan(0);
    await until(() => logs.length > 0, 'the idle timeout', 10_000);
    const entry = lastLog()!;
    expect(entry).toMatchObject({ code: 4408 });
    expect(entry.bytesUp).toBeLessThan(sent);
    t.ws.terminate();
  });
});

describe('relay: TLS end to end (the relay sees only ciphertext)', () => {
  it('our client through the relay to Node tls (OpenSSL): 1 MiB echoed exactly, then a clean close', async () => {
    const server = createTlsServer({ cert: pki('server-ecdsa-chain.pem'), key: pki('server-ecdsa.key') }, (socket) => socket.pipe(socket));
    targets.push(server as unknown as Server);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as AddressInfo).port;
    await startRelay({ allow: [`localhost:${port}`], allowAddresses: ['127.0.0.1', '::1'] });
    const stream = await connect(relayUrl(`/localhost:${port}`), { WebSocket: WS, context: clientContext(), serverHostname: 'localhost' });
    expect(stream.info()).toMatchObject({ version: 'TLSv1.3' });
    const data = pattern(1 << 20);
    const [, echoed] = await Promise.all([writeAll(stream, data), readAll(stream.readable)]);
    expect(sha256(echoed)).toBe(sha256(data));
    await stream.closed;
  });

  it('a refusal reaches the TLS client as SysCallError with the close code', async () => {
    const error = await connect(relayUrl('/db.internal:5432'), { WebSocket: WS, context: clientContext(), serverHostname: 'db.internal' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ERR_TLS_SYSCALL', cause: { closeCode: 4404, closeReason: 'TARGET_NOT_ALLOWED' } });
  });

  it('a target that drops the connection without close_notify is reported as EOFError', async () => {
    const server = createTlsServer({ cert: pki('server-ecdsa-chain.pem'), key: pki('server-ecdsa.key') }, (socket) => {
      socket.write('partial', () => socket.destroy());
    });
    targets.push(server as unknown as Server);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as AddressInfo).port;
    await startRelay({ allow: [`127.0.0.1:${port}`] });
    const stream = await connect(relayUrl(`/127.0.0.1:${port}`), { WebSocket: WS, context: clientContext(), serverHostname: '127.0.0.1' });
    const reader = stream.readable.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('partial');
    await expect(reader.read()).rejects.toMatchObject({ code: 'ERR_TLS_EOF' });
  });
});
