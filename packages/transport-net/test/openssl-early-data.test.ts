/**
 * 0-RTT (RFC 8446 §4.2.10) against OpenSSL 3.0 over loopback: `openssl s_client -early_data` against our server,
 * and our client against `openssl s_server -early_data`.
 *
 * Sessions come from real first connections: `openssl s_client -sess_out` saves the session (with its ticket's
 * max_early_data_size) and `-sess_in` resumes it with `-early_data FILE`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SecureStream } from '@tlsbio/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from '../src/index.js';
import { pkiDir, readAll, serverContext } from './helpers.js';
import { freePort, run, type Spawned } from './peers.js';

const OPENSSL_ECDSA = ['-cert', join(pkiDir, 'server-ecdsa.pem'), '-key', join(pkiDir, 'server-ecdsa.key')];
const dec = new TextDecoder();

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'tlsbio-early-'));
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

async function waitUntil(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
