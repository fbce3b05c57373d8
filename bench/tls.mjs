#!/usr/bin/env node
// tlsbio's TLS 1.3 engine against Node's native `tls` (OpenSSL), in one run, with the same certificate (ECDSA P-256),
// suite (TLS_AES_128_GCM_SHA256) and group (X25519):
//
//   node bench/tls.mjs [--quick] [--json] [--tls1_2]
//
// --tls1_2: the same rows in TLS 1.2 (ECDHE-ECDSA-AES128-GCM-SHA256, X25519; the client also lists P-256, the
// certificate's curve, as TLS 1.2 requires, RFC 8422 §5.1).
//
// Rows: bulk throughput over an in-memory pair, full handshakes per second with shared contexts (both in one process,
// client and server). Ratios are tlsbio/native: above 1 means tlsbio is faster. Run `pnpm build` first.

import { readFileSync } from 'node:fs';
import { Duplex } from 'node:stream';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import { MemoryBIO, TLSContext, nodeProvider, portableProvider } from '@tlsbio/core';

const args = new Set(process.argv.slice(2));
const quick = args.has('--quick');
const json = args.has('--json');
const windowMs = quick ? 400 : 2000;
const tls12 = args.has('--tls1_2');
const pki = (name) => readFileSync(fileURLToPath(new URL(`../packages/core/test/fixtures/pki/${name}`, import.meta.url)), 'utf8');
const cert = pki('server-ecdsa-chain.pem');
const key = pki('server-ecdsa.key');
const ca = pki('ca.pem');
const SUITE = tls12 ? 'ECDHE-ECDSA-AES128-GCM-SHA256' : 'TLS_AES_128_GCM_SHA256';
const VERSIONS = tls12 ? { minimumVersion: 0x0303, maximumVersion: 0x0303 } : {};
const RECORD = 16 * 1024;

// ---- tlsbio, synchronous over MemoryBIOs (the engine alone, no event loop) ----

function ourContexts(provider) {
  const server = new TLSContext('server', { provider, cipherSuites: [SUITE], groups: ['x25519'], ...VERSIONS });
  server.loadCertChain(cert, key);
  const client = new TLSContext('client', { provider, cipherSuites: [SUITE], groups: tls12 ? ['x25519', 'secp256r1'] : ['x25519'], ...VERSIONS });
  client.loadVerifyLocations({ cadata: ca });
  return { client, server };
}

function ourPair({ client, server }) {
  const bios = { cin: new MemoryBIO(), cout: new MemoryBIO(), sin: new MemoryBIO(), sout: new MemoryBIO() };
  const c = client.wrapBio(bios.cin, bios.cout, { serverHostname: 'localhost' });
  const s = server.wrapBio(bios.sin, bios.sout);
  const move = () => {
    if (bios.cout.pending) bios.sin.write(bios.cout.read());
    if (bios.sout.pending) bios.cin.write(bios.sout.read());
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
  return { c, s, bios, move };
}

function ourHandshakes(provider) {
  const contexts = ourContexts(provider);
  return measure(() => {
    ourPair(contexts);
    return 1;
  });
}

function ourBulk(provider) {
  const { c, s, bios } = ourPair(ourContexts(provider));
  const chunk = new Uint8Array(4 * RECORD).fill(7);
  return measure(() => {
    c.write(chunk);
    bios.sin.write(bios.cout.read());
    let got = 0;
    while (got < chunk.length) got += s.read().length;
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
  const start = performance.now();
  const count = until(windowMs);
  return count / ((performance.now() - start) / 1000);
}

// ---- Node's native tls over an in-memory duplex pair ----

function duplexPair() {
  const a = new Duplex({ read() {}, write: (chunk, _e, cb) => (b.push(chunk), cb()), final: (cb) => (b.push(null), cb()) });
  const b = new Duplex({ read() {}, write: (chunk, _e, cb) => (a.push(chunk), cb()), final: (cb) => (a.push(null), cb()) });
  return [a, b];
}

const nativeVersions = tls12
  ? { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', ciphers: SUITE }
  : { minVersion: 'TLSv1.3', ciphersuites: SUITE };
const nativeServerContext = tls.createSecureContext({ cert, key, ...nativeVersions, ecdhCurve: tls12 ? 'X25519:P-256' : 'X25519' });
const nativeClientContext = tls.createSecureContext({ ca, ...nativeVersions, ecdhCurve: tls12 ? 'X25519:P-256' : 'X25519' });

function nativePair() {
  const [a, b] = duplexPair();
  const server = new tls.TLSSocket(b, { isServer: true, secureContext: nativeServerContext });
  const client = tls.connect({ socket: a, secureContext: nativeClientContext, servername: 'localhost' });
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
  const start = performance.now();
  const count = await until(windowMs);
  return count / ((performance.now() - start) / 1000);
}

async function nativeHandshakes() {
  return measureAsync(async () => {
    const { client, server } = await nativePair();
    client.destroy();
    server.destroy();
    return 1;
  });
}

async function nativeBulk() {
  const { client, server } = await nativePair();
  const chunk = Buffer.alloc(4 * RECORD, 7);
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

// ---- report ----

const rows = [];
const add = (name, unit, ours, native, portable) => rows.push({ name, unit, tlsbio: ours, native, ratio: ours / native, portable });

const ourBulkNode = ourBulk(nodeProvider);
const ourBulkPortable = ourBulk(portableProvider);
const nativeBulkRate = await nativeBulk();
add('bulk, in-memory pair (16 KiB records)', 'MB/s', ourBulkNode / 1e6, nativeBulkRate / 1e6, ourBulkPortable / 1e6);

const ourHsNode = ourHandshakes(nodeProvider);
const ourHsPortable = ourHandshakes(portableProvider);
const nativeHs = await nativeHandshakes();
add('full handshakes, shared contexts', 'handshakes/s', ourHsNode, nativeHs, ourHsPortable);

if (json) {
  console.log(JSON.stringify({ node: process.version, quick, rows }, null, 2));
} else {
  const fmt = (n) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(1));
  console.log(`tlsbio TLS benchmark · Node ${process.version} · ${SUITE}, X25519, ECDSA P-256 · ${quick ? 'quick' : 'full'}`);
  console.log('');
  console.log('  row                                     unit          tlsbio(node)   native   ratio   tlsbio(portable)');
  for (const r of rows) {
    console.log(
      `  ${r.name.padEnd(40)}${r.unit.padEnd(14)}${fmt(r.tlsbio).padStart(12)}${fmt(r.native).padStart(9)}${(r.ratio.toFixed(2) + '×').padStart(8)}${fmt(r.portable).padStart(19)}`,
    );
  }
  console.log('');
  console.log('  ratio = tlsbio(node provider) / native. Same process, same run; figures move with machine load.');
}

