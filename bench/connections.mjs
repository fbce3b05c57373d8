#!/usr/bin/env node
// Connections at scale, tlsbio against Node's native `tls` in one run, with the same certificate (ECDSA P-256 leaf +
// P-384 intermediate), suite (TLS_AES_128_GCM_SHA256) and group (X25519), shared contexts on both sides:
//
//   node bench/connections.mjs [--connections N] [--warm W] [--json]   (after pnpm build; default N = 1000, W = 20)
//
// Rows (each measured in a fresh child process started with --expose-gc, so one cannot skew the other's memory):
// - memory per idle established connection pair: N loopback client+server pairs in one process, handshakes done, no
//   data in flight; RSS and V8 heap+external deltas after GC, divided by N. W pairs are opened (and kept) before
//   the baseline, so that it includes warmed code and contexts; the code V8 optimises while the N pairs are made is
//   counted with them. A large W (e.g. --warm 1000) measures the marginal cost of N more pairs instead.
// - load: N connections open at once (handshakes 100 at a time), then 64 KiB echoed each way on every one; the time
//   for all of it, errors and lost bytes (must be 0). tlsbio client -> tlsbio server, tlsbio client -> native server,
//   and native -> native as the reference.
// Ratios are tlsbio / native: for memory, below 1 means tlsbio uses less.

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';

const argv = process.argv.slice(2);
const option = (name, fallback) => {
  const index = argv.indexOf(name);
  return index === -1 ? fallback : argv[index + 1];
};
const N = Number(option('--connections', 1000));
const WARM = Number(option('--warm', 20));
const json = argv.includes('--json');
const pki = (name) => readFileSync(fileURLToPath(new URL(`../packages/core/test/fixtures/pki/${name}`, import.meta.url)), 'utf8');
const cert = pki('server-ecdsa-chain.pem');
const key = pki('server-ecdsa.key');
const ca = pki('ca.pem');
const SUITE = 'TLS_AES_128_GCM_SHA256';
const SIZE = 64 * 1024;

// ---- the two implementations, behind one shape: listen(onConnection) and dial() ----

async function implementation(name) {
  if (name === 'native') {
    const clientContext = tls.createSecureContext({ ca, ciphersuites: SUITE, ecdhCurve: 'X25519', minVersion: 'TLSv1.3' });
    return {
      async listen(onSocket) {
        // (tls.createServer builds one context from these options, shared by every connection.)
        const server = tls.createServer({ key, cert, ciphersuites: SUITE, ecdhCurve: 'X25519', minVersion: 'TLSv1.3', allowHalfOpen: true }, onSocket);
        server.listen(0, '127.0.0.1');
        await once(server, 'listening');
        return { port: server.address().port, close: () => new Promise((resolve) => server.close(resolve)) };
      },
      async dial(port) {
        const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', secureContext: clientContext, allowHalfOpen: true });
        await once(socket, 'secureConnect');
        return socket;
      },
    };
  }
  const { TLSContext } = await import('@tlsbio/core');
  const net = await import('@tlsbio/transport-net');
  const server = new TLSContext('server', { cipherSuites: [SUITE], groups: ['x25519'] });
  server.loadCertChain(cert, key);
  const client = new TLSContext('client', { cipherSuites: [SUITE], groups: ['x25519'] });
  client.loadVerifyLocations({ cadata: ca });
  return {
    async listen(onStream) {
      const listener = net.createServer({ context: server }, onStream);
      const { port } = await listener.listen(0, '127.0.0.1');
      return { port, close: () => listener.close({ dropConnections: true }) };
    },
    dial: (port) => net.connect({ host: '127.0.0.1', port, servername: 'localhost', context: client }),
  };
}

/** Opens `count` connections 100 at a time; returns them. */
async function openAll(dial, count) {
  const open = [];
  for (let next = 0; next < count; next += 100) open.push(...(await Promise.all(Array.from({ length: Math.min(100, count - next) }, dial))));
  return open;
}

// ---- child: memory per idle pair ----

async function memoryChild(name) {
  const impl = await implementation(name);
  const servers = [];
  const listener = await impl.listen((connection) => servers.push(connection));
  // Warm the code paths (and the contexts' lazily built state) so the baseline includes them.
  const warm = await openAll(() => impl.dial(listener.port), WARM);
  await settle();
  const before = measure();
  const clients = await openAll(() => impl.dial(listener.port), N);
  while (servers.length < N + WARM) await new Promise((resolve) => setImmediate(resolve));
  await settle();
  const after = measure();
  const result = {
    rssPerPair: (after.rss - before.rss) / N,
    heapExternalPerPair: (after.heapExternal - before.heapExternal) / N,
  };
  if (clients.length + warm.length !== servers.length) throw new Error('lost a connection');
  process.stdout.write(JSON.stringify(result));
  process.exit(0);
}

async function settle() {
  await new Promise((resolve) => setTimeout(resolve, 300));
  for (let i = 0; i < 6; i++) globalThis.gc();
}

function measure() {
  const usage = process.memoryUsage();
  return { rss: usage.rss, heapExternal: usage.heapUsed + usage.external };
}

// ---- child: load ----

async function loadChild(clientName, serverName) {
  const client = await implementation(clientName);
  const server = await implementation(serverName);
  let errors = 0;
  const listener = await server.listen((connection) => {
    if (serverName === 'native') {
      connection.on('error', () => errors++);
      connection.pipe(connection);
    } else connection.readable.pipeTo(connection.writable).catch(() => errors++);
  });
  const started = performance.now();
  const connections = await openAll(() => client.dial(listener.port), N);
  const opened = performance.now();
  let lost = 0;
  await Promise.all(
    connections.map(async (connection, index) => {
      const data = new Uint8Array(SIZE).fill(index & 0xff);
      const expected = createHash('sha256').update(data).digest('hex');
      try {
        const hash = createHash('sha256');
        let length = 0;
        if (clientName === 'native') {
          connection.end(data);
          for await (const chunk of connection) {
            hash.update(chunk);
            length += chunk.length;
          }
        } else {
          const writer = connection.writable.getWriter();
          const reading = (async () => {
            for await (const chunk of connection.readable) {
              hash.update(chunk);
              length += chunk.length;
            }
          })();
          await writer.write(data);
          await writer.close();
          await reading;
          await connection.closed;
        }
        if (length !== SIZE || hash.digest('hex') !== expected) lost++;
      } catch {
        errors++;
      }
    }),
  );
  const done = performance.now();
  await listener.close();
  process.stdout.write(JSON.stringify({ handshakesMs: opened - started, totalMs: done - started, errors, lost }));
  process.exit(0);
}

// ---- parent ----

function child(args) {
  const output = execFileSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), '--connections', String(N), '--warm', String(WARM), ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  return JSON.parse(output);
}

const role = option('--child', undefined);
if (role === 'memory') await memoryChild(option('--impl'));
else if (role === 'load') await loadChild(option('--client'), option('--server'));
else {
  const KiB = (bytes) => (bytes / 1024).toFixed(1);
  const memory = { tlsbio: child(['--child', 'memory', '--impl', 'tlsbio']), native: child(['--child', 'memory', '--impl', 'native']) };
  const load = {
    'tlsbio -> tlsbio': child(['--child', 'load', '--client', 'tlsbio', '--server', 'tlsbio']),
    'tlsbio -> native': child(['--child', 'load', '--client', 'tlsbio', '--server', 'native']),
    'native -> native': child(['--child', 'load', '--client', 'native', '--server', 'native']),
  };
  if (json) console.log(JSON.stringify({ connections: N, warm: WARM, memory, load }, null, 2));
  else {
    console.log(`memory per idle established client+server pair (${N} loopback pairs in one process, after ${WARM} warm-up pairs, after GC)`);
    console.log(`  RSS:           tlsbio ${KiB(memory.tlsbio.rssPerPair)} KiB   native ${KiB(memory.native.rssPerPair)} KiB   ratio ${(memory.tlsbio.rssPerPair / memory.native.rssPerPair).toFixed(2)}`);
    console.log(`  heap+external: tlsbio ${KiB(memory.tlsbio.heapExternalPerPair)} KiB   native ${KiB(memory.native.heapExternalPerPair)} KiB   ratio ${(memory.tlsbio.heapExternalPerPair / memory.native.heapExternalPerPair).toFixed(2)}`);
    console.log(`load: ${N} connections open at once, then 64 KiB echoed each way on each`);
    for (const [row, result] of Object.entries(load)) {
      console.log(`  ${row.padEnd(17)} handshakes ${(result.handshakesMs / 1000).toFixed(1)} s   all ${(result.totalMs / 1000).toFixed(1)} s   errors ${result.errors}   lost ${result.lost}`);
    }
  }
  const failed = Object.values(load).some((result) => result.errors > 0 || result.lost > 0);
  process.exit(failed ? 1 : 0);
}
