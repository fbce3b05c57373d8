/**
 * 0-RTT (RFC 8446 §4.2.10) against OpenSSL 3.0 over loopback: `openssl s_client -early_data` against our server,
 * and our client against `openssl s_server -early_data`.
 *
 * Sessions come from real first connections: `openssl s_client -sess_out` saves the session (with its ticket's
 * max_early_data_size) and `-sess_in` resumes it with `-early_data FILE`; our client keeps `info().session` from a
 * first connection and resumes it with `secure(…, { session, earlyData })`. Also our client and our server through
 * the driver over TCP: accepted (the server's `stream.readEarlyData()`), and rejected (the driver resends).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { TLSContext, secure, type SecureStream, type TLSSession } from '@tlsbio/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectTcp, createServer } from '../src/index.js';
import { pki, pkiDir, readAll, serverContext } from './helpers.js';
import { freePort, run, type Spawned } from './peers.js';

const OPENSSL_ECDSA = ['-cert', join(pkiDir, 'server-ecdsa.pem'), '-key', join(pkiDir, 'server-ecdsa.key')];
const enc = new TextEncoder();
const dec = new TextDecoder();

let tmp: string;
let chainArgs: string[];
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'tlsbio-early-'));
  // s_server's -cert takes the leaf only: the intermediate goes in -cert_chain, for our client to verify the chain.
  const chain = join(tmp, 'chain.pem');
  writeFileSync(chain, pki('server-ecdsa-chain.pem').split(/(?<=-----END CERTIFICATE-----\n)/)[1] ?? '');
  chainArgs = ['-cert_chain', chain];
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Waits until `proc`'s stdout (or stderr) matches, or it exits, or 10 s pass. */
async function waitFor(proc: Spawned, pattern: RegExp, timeoutMs = 10_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = proc.stdout().toString('latin1') + proc.stderr();
    if (pattern.test(text)) return text;
    if (proc.child.exitCode !== null || Date.now() > deadline) throw new Error(`no ${pattern} from ${proc.child.spawnargs.join(' ')}:\n${text}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** `openssl s_client` run to its end: `input` on stdin, closed after `holdMs` (time for tickets to arrive). */
async function sClient(port: number, args: readonly string[], input: string, holdMs = 500): Promise<string> {
  const proc = run('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-tls1_3', ...args]);
  cleanups.push(() => proc.kill());
  proc.child.stdin!.write(input);
  await new Promise((resolve) => setTimeout(resolve, holdMs));
  proc.child.stdin!.end();
  await proc.exited;
  return proc.stdout().toString('latin1') + proc.stderr();
}

/** A session file from a first connection to `openssl s_server -early_data` (its tickets allow 16384 bytes). */
async function opensslSession(): Promise<string> {
  const port = await freePort();
  const server = run('openssl', ['s_server', '-accept', `127.0.0.1:${port}`, '-tls1_3', '-early_data', ...OPENSSL_ECDSA]);
  cleanups.push(() => server.kill());
  await waitFor(server, /ACCEPT/);
  const file = join(tmp, `openssl-${port}.sess`);
  const out = await sClient(port, ['-sess_out', file], 'first\n');
  expect(out).toMatch(/Max Early Data: 16384/);
  return file;
}

/** Our server: each connection's early-data status, early data and 1-RTT data, once the client closed. */
async function ourServer(options: Parameters<typeof serverContext>[0]) {
  const seen: Array<{ status: string; early: string; data: string }> = [];
  const errors: unknown[] = [];
  const server = createServer({ context: serverContext(options), onError: (error) => errors.push(error) }, (stream: SecureStream) => {
    void (async () => {
      const connection = stream.connection;
      let early = '';
      for (let chunk = connection.readEarlyData(); chunk.length > 0; chunk = connection.readEarlyData()) early += dec.decode(chunk);
      const data = dec.decode(await readAll(stream.readable));
      seen.push({ status: connection.earlyDataStatus, early, data });
      await stream.close();
    })().catch((error: unknown) => errors.push(error));
  });
  const { port } = await server.listen(0, '127.0.0.1');
  cleanups.push(() => server.close({ dropConnections: true }));
  return { port, seen, errors };
}

describe('openssl s_client -early_data against our server', () => {
  it('rejects 0-RTT for a session it cannot resume, skips the early data and serves the 1-RTT data', async () => {
    const session = await opensslSession();
    const early = join(tmp, 'early.txt');
    writeFileSync(early, 'GET /early HTTP/1.0\r\n\r\n');
    const { port, seen, errors } = await ourServer({ maxEarlyData: 16384 });
    const out = await sClient(port, ['-sess_in', session, '-early_data', early], 'one-rtt\n');
    expect(out).toMatch(/Early data was rejected/);
    expect(out).toMatch(/New, TLSv1\.3/);
    await waitUntil(() => seen.length === 1);
    expect(errors).toEqual([]);
    expect(seen[0]).toEqual({ status: 'rejected', early: '', data: 'one-rtt\n' });
  });

  it('does the same with 0-RTT off (maxEarlyData 0), skipping within limits.maxSkippedEarlyData', async () => {
    const session = await opensslSession();
    const early = join(tmp, 'early-big.txt');
    writeFileSync(early, 'x'.repeat(12_000));
    const { port, seen, errors } = await ourServer({});
    const out = await sClient(port, ['-sess_in', session, '-early_data', early], 'after\n');
    expect(out).toMatch(/Early data was rejected/);
    await waitUntil(() => seen.length === 1);
    expect(errors).toEqual([]);
    expect(seen[0]).toEqual({ status: 'rejected', early: '', data: 'after\n' });
  });

  it('skips 0-RTT records after a HelloRetryRequest (the server insists on P-256)', async () => {
    const session = await opensslSession();
    const early = join(tmp, 'early-hrr.txt');
    writeFileSync(early, 'y'.repeat(3000));
    const { port, seen, errors } = await ourServer({ groups: ['secp256r1', 'x25519'], retryForPreferredGroup: true });
    const out = await sClient(port, ['-sess_in', session, '-early_data', early], 'after-hrr\n');
    expect(out).toMatch(/Early data was rejected/);
    await waitUntil(() => seen.length === 1);
    expect(errors).toEqual([]);
    expect(seen[0]).toEqual({ status: 'rejected', early: '', data: 'after-hrr\n' });
  });
});

describe('openssl s_client -early_data against our server, resuming our own session', () => {
  it('accepts the early data (readEarlyData) and serves the 1-RTT data apart', async () => {
    const { port, seen, errors } = await ourServer({ maxEarlyData: 16384 });
    const session = join(tmp, `ours-${port}.sess`);
    const first = await sClient(port, ['-sess_out', session], 'first\n');
    expect(first).toMatch(/Max Early Data: 16384/);
    const early = join(tmp, 'early-accepted.txt');
    writeFileSync(early, 'GET /early HTTP/1.0\r\n\r\n');
    const out = await sClient(port, ['-sess_in', session, '-early_data', early], 'one-rtt\n');
    expect(out).toMatch(/Reused, TLSv1\.3/);
    expect(out).toMatch(/Early data was accepted/);
    await waitUntil(() => seen.length === 2);
    expect(errors).toEqual([]);
    expect(seen[1]).toEqual({ status: 'accepted', early: 'GET /early HTTP/1.0\r\n\r\n', data: 'one-rtt\n' });
  });
});

describe('our client against openssl s_server -early_data', () => {
  it('sends 0-RTT data with a session from a first connection; OpenSSL accepts and prints it', async () => {
    const port = await freePort();
    const server = run('openssl', ['s_server', '-accept', `127.0.0.1:${port}`, '-tls1_3', '-early_data', ...OPENSSL_ECDSA, ...chainArgs]);
    cleanups.push(() => server.kill());
    await waitFor(server, /ACCEPT/);
    const context = new TLSContext('client');
    context.loadVerifyLocations({ cadata: pki('ca.pem') });
    // First connection: s_server sends a line, read after the tickets, which carry max_early_data 16384.
    const first = secure(await connectTcp({ host: '127.0.0.1', port }), context, { serverHostname: 'localhost' });
    await first.opened;
    server.child.stdin!.write('ticket-time\n');
    const reader = first.readable.getReader();
    await reader.read();
    reader.releaseLock();
    const session = first.info().session!;
    expect(session.maxEarlyData).toBe(16384);
    await first.close().catch(() => {});
    // Second connection: the request goes as 0-RTT data.
    const second = secure(await connectTcp({ host: '127.0.0.1', port }), context, {
      serverHostname: 'localhost',
      session,
      earlyData: enc.encode('EARLY-FROM-TLSBIO\n'),
    });
    const info = await second.opened;
    expect(info).toMatchObject({ sessionReused: true, earlyData: 'accepted', earlyDataResent: false });
    await waitFor(server, /EARLY-FROM-TLSBIO/);
    expect(server.stdout().toString('latin1')).toMatch(/Early data received/);
    await second.close().catch(() => {});
  });
});

describe('our client and our server over TCP through secure()', () => {
  async function echoServer(options: Parameters<typeof serverContext>[0], keys: Uint8Array[]) {
    const seen: Array<{ early: string; data: string }> = [];
    const context = serverContext(options);
    context.setTicketKeys(keys);
    const server = createServer({ context }, (stream) => {
      void (async () => {
        let early = '';
        for (let chunk = await stream.readEarlyData(); chunk.length > 0; chunk = await stream.readEarlyData()) early += dec.decode(chunk);
        const writer = stream.writable.getWriter();
        await writer.write(enc.encode('ok'));
        const reader = stream.readable.getReader();
        const { value } = await reader.read();
        seen.push({ early, data: dec.decode(value) });
        await writer.close();
      })().catch(() => {});
    });
    const { port } = await server.listen(0, '127.0.0.1');
    cleanups.push(() => server.close({ dropConnections: true }));
    return { port, seen };
  }

  async function firstSession(port: number, context: TLSContext): Promise<TLSSession> {
    const stream = secure(await connectTcp({ host: '127.0.0.1', port }), context, { serverHostname: 'localhost' });
    const writer = stream.writable.getWriter();
    await writer.write(enc.encode('first'));
    const reader = stream.readable.getReader();
    await reader.read(); // 'ok', after the tickets
    return stream.info().session!;
  }

  it('accepted: the server reads the early data through stream.readEarlyData(), the readable only 1-RTT data', async () => {
    const keys = [randomBytes(32)];
    const { port, seen } = await echoServer({ maxEarlyData: 1024 }, keys);
    const context = new TLSContext('client');
    context.loadVerifyLocations({ cadata: pki('ca.pem') });
    const resumed = secure(await connectTcp({ host: '127.0.0.1', port }), context, {
      serverHostname: 'localhost',
      session: await firstSession(port, context),
      earlyData: enc.encode('early request'),
    });
    expect(await resumed.opened).toMatchObject({ sessionReused: true, earlyData: 'accepted', earlyDataResent: false });
    const writer = resumed.writable.getWriter();
    await writer.write(enc.encode('later'));
    await waitUntil(() => seen.length === 2);
    expect(seen[1]).toEqual({ early: 'early request', data: 'later' });
  });

  it('rejected by a server with 0-RTT off: the driver sends the early data again as 1-RTT data, first', async () => {
    const keys = [randomBytes(32)];
    const on = await echoServer({ maxEarlyData: 1024 }, keys);
    const off = await echoServer({}, keys);
    const context = new TLSContext('client');
    context.loadVerifyLocations({ cadata: pki('ca.pem') });
    const resumed = secure(await connectTcp({ host: '127.0.0.1', port: off.port }), context, {
      serverHostname: 'localhost',
      session: await firstSession(on.port, context),
      earlyData: enc.encode('early request'),
    });
    expect(await resumed.opened).toMatchObject({ sessionReused: true, earlyData: 'rejected', earlyDataResent: true });
    await waitUntil(() => off.seen.length === 1);
    expect(off.seen[0]).toEqual({ early: '', data: 'early request' });
  });

  it('rejected under another ALPN protocol: not resent (RFC 8446 §4.2.10), reported for the application to decide', async () => {
    const keys = [randomBytes(32)];
    const h2 = await echoServer({ maxEarlyData: 1024, alpnProtocols: ['h2'] }, keys);
    const http11 = await echoServer({ maxEarlyData: 1024, alpnProtocols: ['http/1.1'] }, keys);
    const context = new TLSContext('client', { alpnProtocols: ['h2', 'http/1.1'] });
    context.loadVerifyLocations({ cadata: pki('ca.pem') });
    const session = await firstSession(h2.port, context);
    expect(session.alpn).toBe('h2');
    const resumed = secure(await connectTcp({ host: '127.0.0.1', port: http11.port }), context, {
      serverHostname: 'localhost',
      session,
      earlyData: enc.encode('h2 frames'),
    });
    expect(await resumed.opened).toMatchObject({ alpn: 'http/1.1', sessionReused: true, earlyData: 'rejected', earlyDataResent: false });
    const writer = resumed.writable.getWriter();
    await writer.write(enc.encode('GET / HTTP/1.1'));
    await waitUntil(() => http11.seen.length === 1);
    expect(http11.seen[0]).toEqual({ early: '', data: 'GET / HTTP/1.1' });
  });
});

async function waitUntil(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
