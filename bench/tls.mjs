#!/usr/bin/env node
// tlsbio's TLS 1.3 engine against Node's native `tls` (OpenSSL), in one run, with the same certificate (ECDSA P-256),
// suite (TLS_AES_128_GCM_SHA256) and group (X25519):
//
//   node bench/tls.mjs [--quick] [--rounds N] [--json] [--only memory|loopback|handshake|resumed] [--tls1_2]
//
// --tls1_2: the same rows in TLS 1.2 (ECDHE-ECDSA-AES128-GCM-SHA256, X25519; the client also lists P-256, the
// certificate's curve, as TLS 1.2 requires, RFC 8422 §5.1).
//
// Rows (client and server both in this process):
// - bulk over an in-memory pair: the engine alone over MemoryBIOs, synchronous, against `tls` over a `Duplex` pair;
// - bulk over loopback TCP: the async driver `secure()` with @tlsbio/transport-net `connect()`/`createServer()`,
//   against `tls.connect()`/`tls.createServer()`, both on 127.0.0.1;
// - full handshakes per second with shared contexts;
// - resumed handshakes per second: the client offers the session (ticket) of an earlier handshake, psk_dhe_ke in
//   TLS 1.3 (a fresh X25519 exchange, no certificate), the RFC 5077 abbreviated handshake in TLS 1.2.
// Each round measures tlsbio and native back to back, row by row; the table shows the median of the rounds (figures
// and ratio), so a burst of load from other processes moves one round, not the result. Ratios are tlsbio/native:
// above 1 means tlsbio is faster. Run `pnpm build` first.

import { createCipheriv, createDecipheriv, createSecretKey, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { loadavg } from 'node:os';
import { Duplex } from 'node:stream';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import { MemoryBIO, TLSContext, nodeProvider, portableProvider } from '@tlsbio/core';
import { connect, createServer } from '@tlsbio/transport-net';

const argv = process.argv.slice(2);
const args = new Set(argv);
const option = (name) => {
  const at = argv.indexOf(name);
  return at >= 0 ? argv[at + 1] : undefined;
};
const quick = args.has('--quick');
const json = args.has('--json');
const rounds = Number(option('--rounds') ?? (quick ? 1 : 3));
const only = option('--only');
if (!(Number.isInteger(rounds) && rounds >= 1) || (only !== undefined && !['memory', 'loopback', 'handshake', 'resumed'].includes(only))) {
  console.error('usage: node bench/tls.mjs [--quick] [--rounds N] [--json] [--only memory|loopback|handshake|resumed] [--tls1_2]');
  process.exit(2);
}
const windowMs = quick ? 400 : 1500;
const pki = (name) => readFileSync(fileURLToPath(new URL(`../packages/core/test/fixtures/pki/${name}`, import.meta.url)), 'utf8');
const cert = pki('server-ecdsa-chain.pem');
const key = pki('server-ecdsa.key');
const ca = pki('ca.pem');
const tls12 = args.has('--tls1_2');
const SUITE = tls12 ? 'ECDHE-ECDSA-AES128-GCM-SHA256' : 'TLS_AES_128_GCM_SHA256';
const VERSIONS = tls12 ? { minimumVersion: 0x0303, maximumVersion: 0x0303 } : {};
/** Every bulk row writes 64 KiB at a time (four full records). */
const WRITE_SIZE = 64 * 1024;
const payload = new Uint8Array(WRITE_SIZE).fill(7);

// ---- tlsbio, synchronous over MemoryBIOs (the engine alone, no event loop) ----

function ourContexts(provider) {
  const server = new TLSContext('server', { provider, cipherSuites: [SUITE], groups: ['x25519'], ...VERSIONS });
  server.loadCertChain(cert, key);
  const client = new TLSContext('client', { provider, cipherSuites: [SUITE], groups: tls12 ? ['x25519', 'secp256r1'] : ['x25519'], ...VERSIONS });
  client.loadVerifyLocations({ cadata: ca });
  return { client, server };
}

function ourPair({ client, server }, session) {
  const bios = { cin: new MemoryBIO(), cout: new MemoryBIO(), sin: new MemoryBIO(), sout: new MemoryBIO() };
  const c = client.wrapBio(bios.cin, bios.cout, { serverHostname: 'localhost', ...(session === undefined ? {} : { session }) });
  const s = server.wrapBio(bios.sin, bios.sout);
  // What a transport does: what one side's outgoing BIO gives up goes, without a copy, into the other's incoming.
  const move = () => {
    if (bios.cout.pending) bios.sin.writeOwned(bios.cout.read());
    if (bios.sout.pending) bios.cin.writeOwned(bios.sout.read());
  };
  const step = (conn) => {
    try {
      conn.doHandshake();
      return true;
    } catch (error) {
      if (error.code === 'ERR_TLS_WANT_READ') return false;
      throw error;
    }
  };
  let done = false;
  for (let i = 0; i < 10 && !done; i++) {
    const a = step(c);
    move();
    const b = step(s);
    move();
    done = a && b;
  }
  if (!done) throw new Error('tlsbio handshake did not complete');
  return { c, s, move };
}

function ourHandshakes(provider) {
  const contexts = ourContexts(provider);
  return measure(() => {
    ourPair(contexts);
    return 1;
  });
}

/** A session from one full handshake (TLS 1.3 tickets come after it: the client reads them). */
function ourSession(contexts) {
  const { c, move } = ourPair(contexts);
  move();
  try {
    c.read();
  } catch (error) {
    if (error.code !== 'ERR_TLS_WANT_READ') throw error;
  }
  if (c.session === undefined) throw new Error('tlsbio: the server gave no session');
  return c.session;
}

function ourResumedHandshakes(provider) {
  const contexts = ourContexts(provider);
  const session = ourSession(contexts);
  return measure(() => {
    const { c } = ourPair(contexts, session);
    if (!c.sessionReused) throw new Error('tlsbio: the session was not resumed');
    return 1;
  });
}

function ourMemoryBulk(provider) {
  const { c, s, move } = ourPair(ourContexts(provider));
  return measure(() => {
    c.write(payload);
    move();
    let got = 0;
    while (got < payload.length) got += s.read().length;
    return got;
  });
}

/** Runs `op` (which returns a count) for the window, after a warm-up; returns counts per second. */
function measure(op) {
  const until = (ms) => {
    const end = performance.now() + ms;
    let count = 0;
    while (performance.now() < end) count += op();
    return count;
  };
  until(windowMs / 4);
  const window = startWindow();
  return window.end(until(windowMs));
}

/**
 * Wall-clock and CPU time of a measuring window. `end(count)` gives counts per second of each: the CPU figure (this
 * process's user + system time, client and server together) moves less with other processes' load than the wall
 * clock does, so the report shows both.
 */
function startWindow() {
  const cpu = process.cpuUsage();
  const start = performance.now();
  return {
    end(count) {
      const used = process.cpuUsage(cpu);
      return { wall: count / ((performance.now() - start) / 1000), cpu: count / ((used.user + used.system) / 1e6) };
    },
  };
}

// ---- tlsbio over loopback TCP: secure() through @tlsbio/transport-net ----

async function ourLoopbackBulk(provider) {
  const { client, server } = ourContexts(provider);
  const counter = receiveCounter();
  const listener = createServer({ context: server }, async (stream) => {
    const reader = stream.readable.getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      counter.add(value.length);
    }
    await stream.writable.close(); // our close_notify back, so that both sides end cleanly
  });
  const { port } = await listener.listen(0, '127.0.0.1');
  const stream = await connect({ host: '127.0.0.1', port, context: client, servername: 'localhost' });
  const writer = stream.writable.getWriter();
  // Keep one write queued behind the one in flight (the writable's high-water mark): the sender never waits on us.
  const rate = await counter.measure(async (stop) => {
    while (!stop()) {
      await writer.ready;
      writer.write(payload).catch(() => {});
    }
  });
  writer.releaseLock();
  await stream.close();
  await listener.close();
  return rate;
}

/** Counts bytes a server receives; `measure(send)` runs `send` for a warm-up and a window, returns bytes/s. */
function receiveCounter() {
  let received = 0;
  return {
    add(n) {
      received += n;
    },
    async measure(send) {
      let phaseEnd = performance.now() + windowMs / 4;
      const stop = () => performance.now() >= phaseEnd;
      await send(stop);
      const window = startWindow();
      const startBytes = received;
      phaseEnd = performance.now() + windowMs;
      await send(stop);
      return window.end(received - startBytes);
    },
  };
}

// ---- Node's native tls ----

function duplexPair() {
  const a = new Duplex({ read() {}, write: (chunk, _e, cb) => (b.push(chunk), cb()), final: (cb) => (b.push(null), cb()) });
  const b = new Duplex({ read() {}, write: (chunk, _e, cb) => (a.push(chunk), cb()), final: (cb) => (a.push(null), cb()) });
  return [a, b];
}

const nativeVersions = tls12
  ? { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', ciphers: SUITE, ecdhCurve: 'X25519:P-256' }
  : { minVersion: 'TLSv1.3', ciphersuites: SUITE, ecdhCurve: 'X25519' };
const nativeServerOptions = { cert, key, ...nativeVersions };
const nativeClientOptions = { ca, ...nativeVersions, servername: 'localhost' };
const nativeServerContext = tls.createSecureContext(nativeServerOptions);
const nativeClientContext = tls.createSecureContext(nativeClientOptions);

function nativePair(session) {
  const [a, b] = duplexPair();
  const server = new tls.TLSSocket(b, { isServer: true, secureContext: nativeServerContext });
  const client = tls.connect({ socket: a, secureContext: nativeClientContext, servername: 'localhost', ...(session === undefined ? {} : { session }) });
  return new Promise((resolve, reject) => {
    let ready = 0;
    const done = () => ++ready === 2 && resolve({ client, server });
    client.once('secureConnect', done);
    server.once('secure', done);
    client.once('error', reject);
    server.once('error', reject);
  });
}

async function measureAsync(op) {
  const until = async (ms) => {
    const end = performance.now() + ms;
    let count = 0;
    while (performance.now() < end) count += await op();
    return count;
  };
  await until(windowMs / 4);
  const window = startWindow();
  return window.end(await until(windowMs));
}

async function nativeHandshakes() {
  return measureAsync(async () => {
    const { client, server } = await nativePair();
    client.destroy();
    server.destroy();
    return 1;
  });
}

async function nativeResumedHandshakes() {
  const first = await nativePair();
  // TLS 1.3 tickets come after the handshake; in TLS 1.2 the session is there at once.
  const session = await new Promise((resolve) => {
    const now = tls12 ? first.client.getSession() : undefined;
    if (now !== undefined) resolve(now);
    else first.client.once('session', resolve);
  });
  first.client.destroy();
  first.server.destroy();
  return measureAsync(async () => {
    const { client, server } = await nativePair(session);
    if (!client.isSessionReused()) throw new Error('native: the session was not resumed');
    client.destroy();
    server.destroy();
    return 1;
  });
}

async function nativeMemoryBulk() {
  const { client, server } = await nativePair();
  const chunk = Buffer.from(payload);
  let received = 0;
  let waiter;
  server.on('data', (data) => {
    received += data.length;
    if (waiter && received >= waiter.target) {
      const w = waiter;
      waiter = undefined;
      w.resolve();
    }
  });
  let sent = 0;
  const rate = await measureAsync(async () => {
    client.write(chunk);
    sent += chunk.length;
    if (received < sent) await new Promise((resolve) => (waiter = { target: sent, resolve }));
    return chunk.length;
  });
  client.destroy();
  server.destroy();
  return rate;
}

async function nativeLoopbackBulk() {
  const counter = receiveCounter();
  const listener = tls.createServer(nativeServerOptions, (socket) => {
    socket.on('data', (data) => counter.add(data.length));
    socket.on('end', () => socket.end());
    socket.on('error', () => {});
  });
  await new Promise((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const socket = tls.connect({ ...nativeClientOptions, host: '127.0.0.1', port: listener.address().port });
  await new Promise((resolve, reject) => {
    socket.once('secureConnect', resolve);
    socket.once('error', reject);
  });
  const chunk = Buffer.from(payload);
  // Write while the socket accepts, wait for 'drain' when it says so: Node's own backpressure.
  const rate = await counter.measure(async (stop) => {
    while (!stop()) {
      if (!socket.write(chunk)) await new Promise((resolve) => socket.once('drain', resolve));
    }
  });
  await new Promise((resolve) => {
    socket.once('close', resolve);
    socket.end();
  });
  await new Promise((resolve) => listener.close(resolve));
  return rate;
}

// ---- the ceiling: node:crypto's AEAD calls alone ----

/**
 * Seal and open of four 16 KiB records with exactly the node:crypto calls the node provider makes per record
 * (createCipheriv/createDecipheriv, setAAD, update, final, tag), and nothing else: no framing, no engine, no I/O.
 * node:crypto cannot re-key a cipher object with a new nonce, so every record pays for two new cipher objects and
 * their buffers; OpenSSL inside native `tls` does not. Its CPU rate bounds what any engine on the node provider can
 * reach, so the report shows how it compares with native (the `ceiling` column).
 */
function aeadFloor() {
  const key = createSecretKey(randomBytes(16));
  const nonce = randomBytes(12);
  const aad = new Uint8Array(5);
  const inner = payload.subarray(0, 16 * 1024 + 1); // content + TLS 1.3 inner type byte
  return measure(() => {
    for (let i = 0; i < 4; i++) {
      const cipher = createCipheriv('aes-128-gcm', key, nonce, { authTagLength: 16 });
      cipher.setAAD(aad);
      const sealed = cipher.update(inner);
      cipher.final();
      const tag = cipher.getAuthTag();
      const decipher = createDecipheriv('aes-128-gcm', key, nonce, { authTagLength: 16 });
      decipher.setAuthTag(tag);
      decipher.setAAD(aad);
      decipher.update(sealed);
      decipher.final();
    }
    return WRITE_SIZE;
  });
}

/**
 * The kernel's part of the loopback row: the same bytes the TLS records take on the wire (four sealed 16 KiB
 * records per 64 KiB write) through a plain node:net socket pair on 127.0.0.1, written and read the way both engines
 * do (write until the socket says wait, then `drain`; the reader takes what the socket delivers), and nothing else.
 * Rates count plaintext bytes, so they add up with the AEAD floor's: an engine over node:crypto and node:net pays at
 * least both, which is the loopback row's ceiling.
 */
async function tcpFloor() {
  const wire = Buffer.alloc(4 * (16 * 1024 + 1 + 16 + 5), 7); // per record: inner type byte, tag, header
  const counter = receiveCounter();
  const listener = net.createServer((socket) => socket.on('data', (data) => counter.add((data.length * WRITE_SIZE) / wire.length)));
  await new Promise((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const socket = net.connect({ host: '127.0.0.1', port: listener.address().port });
  await new Promise((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const rate = await counter.measure(async (stop) => {
    while (!stop()) {
      if (!socket.write(wire)) await new Promise((resolve) => socket.once('drain', resolve));
    }
  });
  socket.destroy();
  await new Promise((resolve) => listener.close(resolve));
  return rate;
}

/** Two costs paid one after the other per byte: their rates combine as resistors in series. */
const inSeries = (a, b) => 1 / (1 / a + 1 / b);

// ---- rounds and report ----

const ROWS = [
  {
    id: 'memory',
    name: 'bulk, in-memory pair',
    unit: 'MB/s',
    scale: 1e-6,
    ours: () => ourMemoryBulk(nodeProvider),
    native: nativeMemoryBulk,
    portable: () => ourMemoryBulk(portableProvider),
  },
  {
    id: 'loopback',
    name: 'bulk, loopback TCP',
    unit: 'MB/s',
    scale: 1e-6,
    ours: () => ourLoopbackBulk(nodeProvider),
    native: nativeLoopbackBulk,
    portable: () => ourLoopbackBulk(portableProvider),
  },
  {
    id: 'handshake',
    name: 'full handshakes, shared contexts',
    unit: 'handshakes/s',
    scale: 1,
    ours: () => ourHandshakes(nodeProvider),
    native: nativeHandshakes,
    portable: () => ourHandshakes(portableProvider),
  },
  {
    id: 'resumed',
    name: 'resumed handshakes (tickets)',
    unit: 'handshakes/s',
    scale: 1,
    ours: () => ourResumedHandshakes(nodeProvider),
    native: nativeResumedHandshakes,
    portable: () => ourResumedHandshakes(portableProvider),
  },
].filter((row) => only === undefined || row.id === only);

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

const loadBefore = loadavg();
const samples = new Map(ROWS.map((row) => [row.id, []]));
for (let round = 0; round < rounds; round++) {
  for (const row of ROWS) {
    const ours = await row.ours();
    const native = await row.native();
    // The bulk rows' ceiling: the AEAD calls alone, plus the plain TCP transfer of the same bytes over loopback.
    let floor = row.unit === 'MB/s' ? aeadFloor() : undefined;
    if (row.id === 'loopback') floor = { cpu: inSeries(floor.cpu, (await tcpFloor()).cpu) };
    samples.get(row.id).push({
      ours: ours.wall * row.scale,
      native: native.wall * row.scale,
      ratio: ours.wall / native.wall,
      cpuRatio: ours.cpu / native.cpu,
      ceiling: floor === undefined ? undefined : floor.cpu / native.cpu,
    });
  }
}
// The portable provider is a figure beside the table, not a comparison: measured once, after the rounds.
const portable = new Map();
for (const row of ROWS) portable.set(row.id, (await row.portable()).wall * row.scale);
const loadAfter = loadavg();

const rows = ROWS.map((row) => {
  const runs = samples.get(row.id);
  return {
    name: row.name,
    unit: row.unit,
    tlsbio: median(runs.map((r) => r.ours)),
    native: median(runs.map((r) => r.native)),
    ratio: median(runs.map((r) => r.ratio)),
    ratios: runs.map((r) => r.ratio),
    cpuRatio: median(runs.map((r) => r.cpuRatio)),
    ceiling: runs[0].ceiling === undefined ? undefined : median(runs.map((r) => r.ceiling)),
    portable: portable.get(row.id),
  };
});
const load = { before: loadBefore.map((v) => +v.toFixed(2)), after: loadAfter.map((v) => +v.toFixed(2)) };

if (json) {
  console.log(JSON.stringify({ node: process.version, quick, rounds, windowMs, load, rows }, null, 2));
} else {
  const fmt = (n) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(1));
  console.log(`tlsbio TLS benchmark · Node ${process.version} · ${SUITE}, X25519, ECDSA P-256 · ${rounds} round(s) of ${windowMs} ms`);
  console.log(`load average before ${load.before.join(' ')}, after ${load.after.join(' ')}`);
  console.log('');
  console.log('  row                                unit          tlsbio(node)   native   ratio  cpu ratio  ceiling   (each round)        tlsbio(portable)');
  for (const r of rows) {
    const each = r.ratios.map((x) => x.toFixed(2)).join(' ');
    const ceiling = r.ceiling === undefined ? '-' : r.ceiling.toFixed(2) + '×';
    console.log(
      `  ${r.name.padEnd(35)}${r.unit.padEnd(14)}${fmt(r.tlsbio).padStart(12)}${fmt(r.native).padStart(9)}${(r.ratio.toFixed(2) + '×').padStart(8)}${(r.cpuRatio.toFixed(2) + '×').padStart(11)}${ceiling.padStart(9)}   ${each.padEnd(20)}${fmt(r.portable).padStart(12)}`,
    );
  }
  console.log('');
  console.log('  ratio = tlsbio(node provider) / native by the wall clock, median of the rounds (each measured back to back);');
  console.log('  cpu ratio = the same by CPU time of this process (work per byte, less sensitive to other processes);');
  console.log("  ceiling = node:crypto's AEAD calls alone (seal + open per 16 KiB record, nothing else) / native, by CPU time,");
  console.log('  for the loopback row plus a plain node:net transfer of the same wire bytes: the best cpu ratio any engine on');
  console.log('  the node provider (and node:net) could reach.');
  console.log('  Figures move with machine load; the ratios are the result.');
}
