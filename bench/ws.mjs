#!/usr/bin/env node
// TLS over a WebSocket relay against TLS over direct TCP, in one run:
//
//   node bench/ws.mjs [--quick] [--json] [--no-browser] [--tls1_2]
//
// One tlsbio TLS server (node provider, @tlsbio/transport-net) on loopback; clients reach it
//   - directly over TCP (@tlsbio/transport-net connect, node provider),
//   - through the relay (@tlsbio/transport-ws connect -> createRelay -> TCP, node provider, `ws` client),
//   - from Chromium through the relay (portable provider in the page; Debian's /usr/bin/chromium via playwright-core).
// Rows: median time of a full handshake (including the TCP/WebSocket connect and, for the relay, its connect to the
// target), and bulk MB/s client -> server. Same certificate (ECDSA P-256 + P-384 intermediate), suite
// (TLS_AES_128_GCM_SHA256) and group (X25519) everywhere. Ratios are relay / direct. Run `pnpm build` first.
// --tls1_2: the same rows in TLS 1.2 (ECDHE-ECDSA-AES128-GCM-SHA256, X25519), every context pinned to it; the clients
// also list P-256, which TLS 1.2 reads as the curves accepted for the server's ECDSA key (RFC 8422 §5.1).

import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TLSContext } from '@tlsbio/core';
import { connect as tcpConnect, createServer } from '@tlsbio/transport-net';
import { connect as wsConnect } from '@tlsbio/transport-ws';
import { createRelay } from '@tlsbio/transport-ws/relay';
import { WebSocket } from 'ws';

const args = new Set(process.argv.slice(2));
const quick = args.has('--quick');
const json = args.has('--json');
const HANDSHAKES = quick ? 40 : 200;
const BULK = (quick ? 64 : 256) * 1024 * 1024;
const BROWSER_HANDSHAKES = quick ? 10 : 40;
const BROWSER_BULK = (quick ? 8 : 32) * 1024 * 1024;
const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const pki = (name) => readFileSync(here(`../packages/core/test/fixtures/pki/${name}`), 'utf8');
const tls12 = args.has('--tls1_2');
const SUITE = tls12 ? 'ECDHE-ECDSA-AES128-GCM-SHA256' : 'TLS_AES_128_GCM_SHA256';
const VERSION = tls12 ? '1.2' : '1.3';
const PINNED = tls12 ? { minimumVersion: 0x0303, maximumVersion: 0x0303 } : {}; // as bench/tls.mjs: TLS 1.2 on the wire

const serverContext = new TLSContext('server', { cipherSuites: [SUITE], groups: ['x25519'], ...PINNED });
serverContext.loadCertChain(pki('server-ecdsa-chain.pem'), pki('server-ecdsa.key'));
// In TLS 1.2 the client's groups also name the curves it accepts for ECDSA (RFC 8422 §5.1): P-256, for the leaf.
const clientGroups = tls12 ? ['x25519', 'secp256r1'] : ['x25519'];
const clientContext = new TLSContext('client', { cipherSuites: [SUITE], groups: clientGroups, ...PINNED });
clientContext.loadVerifyLocations({ cadata: pki('ca.pem') });

// The server: counts what the client sends until its close_notify, answers with the count, and closes.
const server = createServer({ context: serverContext }, async (stream) => {
  let received = 0;
  try {
    for await (const chunk of stream.readable) received += chunk.length;
    const writer = stream.writable.getWriter();
    await writer.write(new TextEncoder().encode(String(received)));
    await writer.close();
  } catch {
    // a benchmark client that went away
  }
});
const { port } = await server.listen(0, '127.0.0.1');
const relay = createRelay({ port: 0, host: '127.0.0.1', allow: [`localhost:${port}`], allowAddresses: ['127.0.0.1', '::1'], log: false, maxFrameBytes: 1 << 20 });
await relay.ready;
const relayUrl = `ws://127.0.0.1:${relay.address().port}`;

const clients = {
  direct: () => tcpConnect({ host: '127.0.0.1', port, servername: 'localhost', context: clientContext }),
  relay: () => wsConnect(`${relayUrl}/localhost:${port}`, { WebSocket, context: clientContext, serverHostname: 'localhost' }),
};

async function answer(stream) {
  let text = '';
  for await (const chunk of stream.readable) text += new TextDecoder().decode(chunk);
  return Number(text);
}

/** One full handshake (connect included), in ms; then a clean close, outside the timing. */
async function handshake(open) {
  const started = performance.now();
  const stream = await open();
  const elapsed = performance.now() - started;
  await stream.writable.close();
  await answer(stream);
  return elapsed;
}

/** Sends `bytes` and waits for the server's count; returns the seconds it took. */
async function bulk(open, bytes) {
  const stream = await open();
  const chunk = new Uint8Array(64 * 1024).fill(7);
  const started = performance.now();
  const counted = answer(stream);
  const writer = stream.writable.getWriter();
  for (let sent = 0; sent < bytes; sent += chunk.length) await writer.write(chunk);
  await writer.close();
  const received = await counted;
  if (received !== bytes) throw new Error(`the server counted ${received} bytes, not ${bytes}`);
  return (performance.now() - started) / 1000;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/**
 * The clients take turns (one handshake each, one bulk round each), so that a change in machine load (a shared
 * machine) hits every row alike.
 */
async function measureNode() {
  const names = Object.keys(clients);
  const times = Object.fromEntries(names.map((name) => [name, []]));
  for (let i = 0; i < HANDSHAKES + 5; i++) {
    for (const name of names) {
      const ms = await handshake(clients[name]);
      if (i >= 5) times[name].push(ms); // the first few warm up
    }
  }
  const seconds = Object.fromEntries(names.map((name) => [name, 0]));
  const ROUNDS = 4;
  for (let round = 0; round < ROUNDS; round++) {
    for (const name of names) seconds[name] += await bulk(clients[name], BULK / ROUNDS);
  }
  return Object.fromEntries(names.map((name) => [name, { handshakeMs: median(times[name]), bulkMBps: BULK / 1e6 / seconds[name] }]));
}

async function inChromium() {
  if (args.has('--no-browser') || !existsSync('/usr/bin/chromium')) return undefined;
  const [{ build }, { chromium }] = await Promise.all([import('esbuild'), import('playwright-core')]);
  const bundle = await build({ entryPoints: [here('ws-browser-page.js')], bundle: true, write: false, platform: 'browser', conditions: ['browser'], format: 'esm', logLevel: 'silent' });
  const page = createHttpServer((request, response) => {
    const path = new URL(request.url, 'http://x').pathname;
    if (path === '/') response.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><script type="module" src="page.js"></script>');
    else if (path === '/page.js') response.writeHead(200, { 'content-type': 'text/javascript' }).end(bundle.outputFiles[0].text);
    else if (path === '/ca.pem') response.end(pki('ca.pem'));
    else response.writeHead(404).end();
  });
  await new Promise((resolve) => page.listen(0, '127.0.0.1', resolve));
  const userDataDir = mkdtempSync(join(tmpdir(), 'tlsbio-bench-chromium-'));
  const browser = await chromium.launchPersistentContext(userDataDir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const tab = await browser.newPage();
    const query = new URLSearchParams({ relay: relayUrl, target: `localhost:${port}`, handshakes: String(BROWSER_HANDSHAKES), bytes: String(BROWSER_BULK), suite: SUITE, version: VERSION });
    await tab.goto(`http://127.0.0.1:${page.address().port}/?${query}`);
    await tab.waitForFunction(() => window.benchResult !== undefined, undefined, { timeout: 300_000 });
    const result = await tab.evaluate(() => window.benchResult);
    if (!result.ok) throw new Error(`in Chromium: ${result.error}`);
    if (result.answer !== BROWSER_BULK) throw new Error(`the server counted ${result.answer} bytes from Chromium, not ${BROWSER_BULK}`);
    return { handshakeMs: result.handshakeMs, bulkMBps: result.bulkMBps };
  } finally {
    await browser.close();
    page.close();
    rmSync(userDataDir, { recursive: true, force: true });
  }
}

const results = await measureNode();
results.chromium = await inChromium();
await relay.close();
await server.close();

if (json) {
  console.log(JSON.stringify(results, null, 2));
} else {
  const f = (value, digits) => (value === undefined ? 'n/a' : value.toFixed(digits));
  const rows = [
    ['full handshake, median ms', 'handshakeMs', 2],
    ['bulk client -> server, MB/s', 'bulkMBps', 0],
  ];
  console.log(`TLS ${VERSION} (${SUITE}, X25519) over a WebSocket relay vs direct TCP (tlsbio server, node provider, loopback; one run)\n`);
  console.log('| row | direct TCP (node) | relay (node) | relay / direct | Chromium via relay (portable) |');
  console.log('|---|---|---|---|---|');
  for (const [label, key, digits] of rows) {
    const ratio = results.relay[key] / results.direct[key];
    console.log(`| ${label} | ${f(results.direct[key], digits)} | ${f(results.relay[key], digits)} | ${ratio.toFixed(2)} | ${f(results.chromium?.[key], digits)} |`);
  }
  console.log(`\n${HANDSHAKES} handshakes and ${BULK / 2 ** 20} MiB per Node row; ${BROWSER_HANDSHAKES} handshakes and ${BROWSER_BULK / 2 ** 20} MiB in Chromium.`);
}
