// The browser, proved in Debian's Chromium (driven by playwright-core; never a downloaded browser):
//  1. a page bundled from core (portable provider) + the WebSocket client runs TLS 1.3 itself, through our relay, to a
//     Node `https` server (OpenSSL), verifying it against the test CA and host name; and the same in TLS 1.2, the page
//     and Node both pinned to it;
//  2. Chromium (BoringSSL: X25519MLKEM768 key share, GREASE) is the client of a tlsbio server and reads its page; and
//     of a tlsbio server pinned to TLS 1.2.
//  3. the same page talks straight to a WS-terminating tlsbio server (createWsTlsServer, no relay), in both versions;
//  4. the same page as `tlsbio demo --browser` serves it, against the demo's relay and tlsbio server.
// Screenshots of the pages are left in test-results/ as artefacts.
import { createHash, X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect as netConnect, createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TLSContext, type SecureStream } from '../packages/core/dist/node.js';
import { TLSVersion } from '../packages/errors/dist/index.js';
import { createServer as createTlsbioServer, type SecureServer } from '../packages/transport-net/dist/index.js';
import { createRelay, type Relay, type RelayLogEntry } from '../packages/transport-ws/dist/relay.js';
import { createWsTlsServer, type WsTlsServer } from '../packages/transport-ws/dist/server.js';
import { PAGE_HTML } from '../apps/demo/src/browser/html.js';
import { startBrowserDemo, type BrowserDemo } from '../apps/demo/src/browser/serve.js';
// For its `window.tlsbioResult` declaration: what the page leaves for the test to read.
import type {} from '../apps/demo/src/browser/page.js';

const root = resolve(import.meta.dirname, '..');
const pki = (name: string) => readFileSync(join(root, 'packages/core/test/fixtures/pki', name), 'utf8');
const artefacts = join(root, 'test-results');
const CHROMIUM = '/usr/bin/chromium';
// The flags the machine's browser tests use: no sandbox as root, and no background traffic to closed networks.
const CHROMIUM_FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'];

const BODY = 'hello from Node https (OpenSSL), read by a browser through the tlsbio relay\n';

let pageJs: string;
let bundleInputs: string[];
let userDataDir: string;
let browser: BrowserContext;
const servers: Server[] = [];
const relays: Relay[] = [];
const tlsbioServers: SecureServer[] = [];
let browserDemo: BrowserDemo | undefined;
const wsTlsServers: WsTlsServer[] = [];
let pageOrigin: string;

async function listen(server: Server): Promise<number> {
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

/** The SPKI pin Chromium's --ignore-certificate-errors-spki-list takes: base64(SHA-256(SubjectPublicKeyInfo)). */
function spkiPin(certificatePem: string): string {
  const spki = new X509Certificate(certificatePem).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64');
}

beforeAll(async () => {
  const result = await build({
    entryPoints: [join(root, 'apps/demo/src/browser/page.ts')],
    bundle: true,
    write: false,
    platform: 'browser',
    conditions: ['browser'],
    format: 'esm',
    target: 'es2022',
    metafile: true,
    logLevel: 'silent',
  });
  pageJs = result.outputFiles[0]!.text;
  bundleInputs = Object.keys(result.metafile.inputs);

  // The page server: the page, its bundle, and the test CA it trusts.
  const pageServer = createHttpServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    if (path === '/') response.writeHead(200, { 'content-type': 'text/html' }).end(PAGE_HTML);
    else if (path === '/page.js') response.writeHead(200, { 'content-type': 'text/javascript' }).end(pageJs);
    else if (path === '/ca.pem') response.writeHead(200, { 'content-type': 'text/plain' }).end(pki('ca.pem'));
    else response.writeHead(404).end();
  });
  pageOrigin = `http://127.0.0.1:${await listen(pageServer)}`;

  mkdirSync(artefacts, { recursive: true });
  userDataDir = mkdtempSync(join(tmpdir(), 'tlsbio-chromium-'));
  browser = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [...CHROMIUM_FLAGS, `--ignore-certificate-errors-spki-list=${spkiPin(pki('server-ecdsa.pem'))}`],
    viewport: { width: 900, height: 600 },
  });
}, 120_000);

/** A failed test must not turn into a hung suite: each shutdown step gets a bounded time. */
const bounded = (step: Promise<unknown> | undefined) =>
  Promise.race([step?.catch(() => {}), new Promise((resolve) => setTimeout(resolve, 10_000).unref())]);

afterAll(async () => {
  await bounded(browser?.close());
  for (const relay of relays) await bounded(relay.close());
  for (const server of tlsbioServers) await bounded(server.close());
  await bounded(browserDemo?.close());
  for (const server of wsTlsServers) await bounded(server.close());
  for (const server of servers) server.close();
  if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
}, 60_000);

describe('the browser bundle', () => {
  it('holds core, its portable provider and the WebSocket client, and no Node built-in or ws', () => {
    expect(bundleInputs.some((path) => path.includes('packages/core/dist/index.js'))).toBe(true);
    expect(bundleInputs.some((path) => path.includes('packages/transport-ws/dist/index.js'))).toBe(true);
    expect(bundleInputs.some((path) => path.includes('@noble'))).toBe(true);
    expect(bundleInputs.filter((path) => path.startsWith('node:') || /node_modules\/(\.pnpm\/)?ws[@/]/.test(path))).toEqual([]);
    expect(pageJs).not.toMatch(/\bfrom\s*["']node:|require\(["']node:/);
  });
});

describe('Chromium runs TLS itself: page -> WebSocket -> tlsbio relay -> Node https', () => {
  // Each version on its own: the page's context and Node's server are both pinned to it, so neither can fall back.
  it.each([
    // tlsbio names suites as OpenSSL does (the TLS 1.3 names are also the IANA ones; TLS 1.2's are not).
    { version: 'TLSv1.3', pin: '1.3', suite: /^TLS_(AES_128_GCM_SHA256|AES_256_GCM_SHA384|CHACHA20_POLY1305_SHA256)$/, screenshot: 'chromium-relay-page.png' },
    { version: 'TLSv1.2', pin: '1.2', suite: /^ECDHE-ECDSA-(AES128-GCM-SHA256|AES256-GCM-SHA384|CHACHA20-POLY1305)$/, screenshot: 'chromium-relay-page-tls12.png' },
  ] as const)('completes a verified $version handshake and reads the exact answer', async ({ version, pin, suite, screenshot }) => {
    const seen: { version: string | null; cipher: string | undefined; url: string | undefined }[] = [];
    const https = createHttpsServer(
      { cert: pki('server-ecdsa-chain.pem'), key: pki('server-ecdsa.key'), minVersion: version, maxVersion: version },
      (request, response) => {
        const socket = request.socket as import('node:tls').TLSSocket;
        seen.push({ version: socket.getProtocol(), cipher: socket.getCipher()?.name, url: request.url });
        response.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(BODY) }).end(BODY);
      },
    );
    const httpsPort = await listen(https as unknown as Server);

    const page = await browser.newPage();
    const origin = pageOrigin;
    const relayLog: RelayLogEntry[] = [];
    const relay = createRelay({
      port: 0,
      host: '127.0.0.1',
      allow: [`localhost:${httpsPort}`],
      allowAddresses: ['127.0.0.1', '::1'],
      origins: [origin],
      log: (entry) => relayLog.push(entry),
    });
    relays.push(relay);
    await relay.ready;
    const relayUrl = `ws://127.0.0.1:${relay.address()!.port}`;

    const consoleLines: string[] = [];
    page.on('console', (message) => consoleLines.push(message.text()));
    await page.goto(`${origin}/?relay=${encodeURIComponent(relayUrl)}&target=localhost:${httpsPort}&version=${pin}`);
    await page.waitForSelector('body[data-done="true"]', { timeout: 60_000 });
    const result = await page.evaluate(() => window.tlsbioResult);
    await page.screenshot({ path: join(artefacts, screenshot) });
    await page.close();

    expect(result, consoleLines.join('\n')).toMatchObject({
      ok: true,
      version,
      provider: 'portable',
      status: 'HTTP/1.1 200 OK',
      body: BODY,
    });
    // What the page negotiated is what OpenSSL says it negotiated.
    expect(seen).toEqual([{ version, cipher: result!.cipher!, url: '/hello' }]);
    expect(result!.cipher).toMatch(suite);
    // The relay moved only ciphertext: more bytes than the plaintext, and ended normally.
    await expect.poll(() => relayLog.length).toBe(1);
    expect(relayLog[0]).toMatchObject({ event: 'closed', target: `localhost:${httpsPort}`, origin });
    expect(relayLog[0]!.bytesDown).toBeGreaterThan(BODY.length + 500);
    expect(relay.stats()).toMatchObject({ tunnels: 0, targetSockets: 0 });
  }, 120_000);
});

describe('Chromium runs TLS itself against a WS-terminating tlsbio server (no relay)', () => {
  // One server, both versions: the page's pinned context decides.
  it.each(['1.3', '1.2'] as const)('the page talks TLS %s straight to createWsTlsServer', async (pin) => {
    const context = new TLSContext('server');
    context.loadCertChain(pki('server-ecdsa-chain.pem'), pki('server-ecdsa.key'));
    const seen: string[] = [];
    const wsTlsServer = createWsTlsServer({ context, port: 0, host: '127.0.0.1', origins: [pageOrigin] }, async (stream, request) => {
      const reader = stream.readable.getReader();
      let text = '';
      while (!text.includes('\r\n\r\n')) {
        const { value, done } = await reader.read();
        if (done) return;
        text += new TextDecoder().decode(value);
      }
      reader.releaseLock();
      seen.push(`${request.url} ${text.split('\r\n')[0]}`);
      const body = `terminated by tlsbio: ${stream.info().version} ${stream.info().cipher}`;
      const writer = stream.writable.getWriter();
      await writer.write(new TextEncoder().encode(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}`));
      writer.releaseLock();
      await stream.close().catch(() => {});
    });
    wsTlsServers.push(wsTlsServer);
    await wsTlsServer.ready;
    const wsUrl = `ws://127.0.0.1:${wsTlsServer.address()!.port}`;
    const page = await browser.newPage();
    // The page appends /TARGET to the URL it is given: the WS-terminating server takes any path.
    await page.goto(`${pageOrigin}/?relay=${encodeURIComponent(wsUrl)}&target=service&version=${pin}`);
    await page.waitForSelector('body[data-done="true"]', { timeout: 60_000 });
    const result = await page.evaluate(() => window.tlsbioResult);
    await page.close();
    expect(result).toMatchObject({ ok: true, version: `TLSv${pin}`, status: 'HTTP/1.1 200 OK', body: `terminated by tlsbio: TLSv${pin} ${result!.cipher}` });
    expect(seen).toEqual(['/service GET /hello HTTP/1.1']);
  }, 120_000);
});

describe('`tlsbio demo --browser` in Chromium', () => {
  it('runs the handshake through the demo relay to the demo tlsbio server and shows the answer', async () => {
    browserDemo = await startBrowserDemo(pageJs);
    const page = await browser.newPage();
    await page.goto(browserDemo.url);
    await page.waitForSelector('body[data-done="true"]', { timeout: 60_000 });
    const result = await page.evaluate(() => window.tlsbioResult);
    await page.screenshot({ path: join(artefacts, 'chromium-demo-browser.png') });
    await page.close();
    expect(result).toMatchObject({ ok: true, version: 'TLSv1.3', provider: 'portable', status: 'HTTP/1.1 200 OK' });
    expect(result!.body).toBe(`Hello from a tlsbio server, through a tlsbio relay.\nversion TLSv1.3, cipher ${result!.cipher}, group ${result!.group}\n`);
    await expect.poll(() => browserDemo!.tunnel.relayLog.length).toBe(1);
    expect(browserDemo.tunnel.relayLog[0]).toMatchObject({ event: 'closed', code: 1000 });
  }, 120_000);
});

describe('Chromium (BoringSSL) as the client of a tlsbio server', () => {
  it('loads a page over TLS 1.3 from our server, with its X25519MLKEM768 key share and GREASE values', async () => {
    const context = new TLSContext('server', { groups: ['X25519MLKEM768', 'x25519', 'secp256r1', 'secp384r1'] });
    context.loadCertChain(pki('server-ecdsa-chain.pem'), pki('server-ecdsa.key'));
    const served: Served[] = [];
    const errors: unknown[] = [];
    const tlsbioServer = createTlsbioServer({ context, onError: (error) => errors.push(error) }, (stream) => void answerPage(stream, served).catch((error: unknown) => errors.push(error)));
    tlsbioServers.push(tlsbioServer);
    const { port: tlsbioPort } = await tlsbioServer.listen(0, '127.0.0.1');
    // A TCP tap in front of our server keeps the first bytes Chromium sends: its ClientHello, to show what we handled.
    const hellos: Buffer[] = [];
    const tap = createNetServer((client) => {
      const upstream = netConnect(tlsbioPort, '127.0.0.1');
      let first = Buffer.alloc(0);
      let captured = false;
      client.on('data', (chunk: Buffer) => {
        if (captured) return;
        first = Buffer.concat([first, chunk]);
        // The first record, once whole (Chromium's ClientHello fits one).
        if (first.length >= 5 && first.length >= 5 + first.readUInt16BE(3)) {
          captured = true;
          hellos.push(first.subarray(0, 5 + first.readUInt16BE(3)));
        }
      });
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
      client.pipe(upstream).pipe(client);
    });
    const port = await listen(tap as unknown as Server);

    const page = await browser.newPage();
    const response = await page.goto(`https://localhost:${port}/`);
    expect(response?.status()).toBe(200);
    expect(await page.textContent('h1')).toBe('Served by tlsbio');
    const negotiated = await page.textContent('#tls');
    const security = await response!.securityDetails();
    await page.screenshot({ path: join(artefacts, 'chromium-tlsbio-server.png') });
    await page.close();

    const main = served.find((entry) => entry.path === '/');
    expect(main).toMatchObject({ version: 'TLSv1.3', group: 'X25519MLKEM768', serverName: 'localhost' });
    expect(negotiated).toBe(`TLSv1.3 ${main!.cipher} X25519MLKEM768`);
    // Chromium's own view of the connection agrees.
    expect(security).toMatchObject({ protocol: 'TLS 1.3' });
    expect(errors.filter((error) => !browserWentAway(error))).toEqual([]);

    // What BoringSSL sent, and so what our server coped with: a hybrid post-quantum share first, and GREASE values
    // (RFC 8701) among the suites, extensions, groups and key shares.
    expect(hellos.length).toBeGreaterThan(0);
    const hello = parseClientHello(hellos[0]!);
    const isGrease = (value: number) => (value & 0x0f0f) === 0x0a0a && value >> 8 === (value & 0xff);
    expect(hello.suites.some(isGrease)).toBe(true);
    expect(hello.extensions.some(isGrease)).toBe(true);
    expect(hello.groups.some(isGrease)).toBe(true);
    expect(hello.shares.filter((group) => !isGrease(group))[0]).toBe(0x11ec); // X25519MLKEM768
    expect(hello.shares).toContain(0x001d); // and X25519
  }, 120_000);

  it('loads a page over TLS 1.2 from our server pinned to TLS 1.2 (the hybrid group is not usable there: X25519)', async () => {
    // The same groups as above, hybrid first: in TLS 1.2 ECDHE our server must pass over X25519MLKEM768.
    const context = new TLSContext('server', {
      groups: ['X25519MLKEM768', 'x25519', 'secp256r1', 'secp384r1'],
      minimumVersion: TLSVersion.TLSv1_2,
      maximumVersion: TLSVersion.TLSv1_2,
    });
    context.loadCertChain(pki('server-ecdsa-chain.pem'), pki('server-ecdsa.key'));
    const served: Served[] = [];
    const errors: unknown[] = [];
    const server = createTlsbioServer({ context, onError: (error) => errors.push(error) }, (stream) => void answerPage(stream, served).catch((error: unknown) => errors.push(error)));
    tlsbioServers.push(server);
    const { port } = await server.listen(0, '127.0.0.1');

    const page = await browser.newPage();
    const response = await page.goto(`https://localhost:${port}/`);
    expect(response?.status()).toBe(200);
    expect(await page.textContent('h1')).toBe('Served by tlsbio');
    const negotiated = await page.textContent('#tls');
    const security = await response!.securityDetails();
    await page.screenshot({ path: join(artefacts, 'chromium-tlsbio-server-tls12.png') });
    await page.close();

    const main = served.find((entry) => entry.path === '/');
    expect(main).toMatchObject({ version: 'TLSv1.2', group: 'x25519', serverName: 'localhost' });
    expect(main!.cipher).toMatch(/^ECDHE-ECDSA-(AES128-GCM-SHA256|AES256-GCM-SHA384|CHACHA20-POLY1305)$/);
    expect(negotiated).toBe(`TLSv1.2 ${main!.cipher} x25519`);
    expect(security).toMatchObject({ protocol: 'TLS 1.2' });
    expect(errors.filter((error) => !browserWentAway(error))).toEqual([]);
  }, 120_000);
});

/**
 * Chromium drops its spare and keep-alive connections when the page closes, with a FIN (our EOFError) or, when it
 * had unread bytes, a reset (SysCallError caused by ECONNRESET). Neither is a TLS failure; anything else is.
 */
function browserWentAway(error: unknown): boolean {
  const { code, cause } = error as { code?: string; cause?: { code?: string } };
  return code === 'ERR_TLS_EOF' || (code === 'ERR_TLS_SYSCALL' && cause?.code === 'ECONNRESET');
}

interface Served {
  path: string;
  version: string | null;
  cipher: string | null;
  group: string | null;
  serverName: string | null;
}

/** Our server's side of a page load: reads one request, answers with what was negotiated, closes with close_notify. */
async function answerPage(stream: SecureStream, served: Served[]): Promise<void> {
  const reader = stream.readable.getReader();
  let request = '';
  const decoder = new TextDecoder();
  while (!request.includes('\r\n\r\n')) {
    const { value, done } = await reader.read();
    if (done) return;
    request += decoder.decode(value, { stream: true });
  }
  reader.releaseLock();
  const path = request.split(' ')[1] ?? '';
  const info = stream.info();
  served.push({ path, version: info.version, cipher: info.cipher, group: info.group, serverName: info.serverName });
  const body =
    path === '/'
      ? `<!doctype html><title>tlsbio server</title><h1>Served by tlsbio</h1><p id="tls">${info.version} ${info.cipher} ${info.group}</p>`
      : 'not found';
  const head = `HTTP/1.1 ${path === '/' ? '200 OK' : '404 Not Found'}\r\nContent-Type: text/html\r\nContent-Length: ${new TextEncoder().encode(body).length}\r\nConnection: close\r\n\r\n`;
  const writer = stream.writable.getWriter();
  await writer.write(new TextEncoder().encode(head + body));
  writer.releaseLock();
  // close_notify, then read (and drop) until Chromium's, so the connection ends and the server can close.
  await stream.close().catch(() => {});
}

/** The cipher suites, extension types, supported groups and key-share groups of a ClientHello record. */
function parseClientHello(record: Buffer): { suites: number[]; extensions: number[]; groups: number[]; shares: number[] } {
  let at = 5 + 4 + 2 + 32; // record header, handshake header, legacy_version, random
  at += 1 + record[at]!; // legacy_session_id
  const suitesLength = record.readUInt16BE(at);
  const suites = Array.from({ length: suitesLength / 2 }, (_, i) => record.readUInt16BE(at + 2 + i * 2));
  at += 2 + suitesLength;
  at += 1 + record[at]!; // legacy_compression_methods
  const end = at + 2 + record.readUInt16BE(at);
  at += 2;
  const extensions: number[] = [];
  let groups: number[] = [];
  const shares: number[] = [];
  while (at < end) {
    const type = record.readUInt16BE(at);
    const length = record.readUInt16BE(at + 2);
    const body = record.subarray(at + 4, at + 4 + length);
    extensions.push(type);
    if (type === 0x000a) groups = Array.from({ length: body.readUInt16BE(0) / 2 }, (_, i) => body.readUInt16BE(2 + i * 2));
    if (type === 0x0033) {
      for (let p = 2; p < body.length; p += 4 + body.readUInt16BE(p + 2)) shares.push(body.readUInt16BE(p));
    }
    at += 4 + length;
  }
  return { suites, extensions, groups, shares };
}
