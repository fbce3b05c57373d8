/**
 * TLS 1.3 session resumption against real peers over loopback (RFC 8446 §2.2, §4.6.1): our client resumes against
 * `openssl s_server` and Node's `tls.createServer`; `openssl s_client -sess_out/-sess_in` and Node's
 * `tls.connect({ session })` resume against our server. Each side's own report says whether the session was reused:
 * OpenSSL's "Reused, TLSv1.3" line, Node's `isSessionReused()`, our `info().sessionReused`.
 */
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { TLSContext, TLSSession, type SecureStream } from '@tlsbio/core';
import { afterEach, describe, expect, it } from 'vitest';
import { connect, createServer } from '../src/index.js';
import { concat, pkiDir, pki, readAll, serverContext } from './helpers.js';
import { freePort, run, type Spawned } from './peers.js';

const text = new TextEncoder();
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function clientContext(): TLSContext {
  const context = new TLSContext('client', { minimumVersion: 0x0304 });
  context.loadVerifyLocations({ cadata: pki('ca.pem') });
  return context;
}

/** Writes `request`, closes our side and reads the whole answer (tickets arrive before it). */
async function exchange(stream: SecureStream, request: Uint8Array): Promise<Uint8Array> {
  const writer = stream.writable.getWriter();
  const [answer] = await Promise.all([readAll(stream.readable), writer.write(request).then(() => writer.close())]);
  await stream.closed;
  return answer;
}

/** Our server echoing every connection; the streams are kept for their info. */
async function ourEchoServer(context = serverContext()): Promise<{ port: number; streams: SecureStream[]; errors: unknown[] }> {
  const streams: SecureStream[] = [];
  const errors: unknown[] = [];
  const server = createServer({ context, onError: (error) => errors.push(error) }, (stream) => {
    streams.push(stream);
    stream.readable.pipeTo(stream.writable).catch(() => {});
  });
  const { port } = await server.listen(0, '127.0.0.1');
  cleanups.push(() => server.close());
  return { port, streams, errors };
}

async function retryUntilUp<T>(attempt: () => Promise<T>): Promise<T> {
  for (let tries = 0; ; tries++) {
    try {
      return await attempt();
    } catch (error) {
      const refused = (error as { cause?: { code?: string } }).cause?.code === 'ECONNREFUSED';
      if (!refused || tries > 200) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/** The intermediate of the ECDSA chain, for OpenSSL's -cert_chain. */
function intermediateFile(dir: string): string {
  const path = join(dir, 'chain.pem');
  writeFileSync(path, pki('server-ecdsa-chain.pem').split(/(?<=-----END CERTIFICATE-----\n)/)[1] ?? '');
  return path;
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tlsbio-resume-'));
  cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('our client resumes', () => {
  it('against openssl s_server (its -www page says New, then Reused)', async () => {
    const dir = tempDir();
    const port = await freePort();
    const server: Spawned = run('openssl', [
      's_server', '-www', '-accept', `127.0.0.1:${port}`, '-cert', join(pkiDir, 'server-ecdsa.pem'), '-key', join(pkiDir, 'server-ecdsa.key'),
      '-cert_chain', intermediateFile(dir), '-tls1_3',
    ]);
    cleanups.push(() => server.kill());
    const context = clientContext();
    const sessions: TLSSession[] = [];
    context.setSessionCallback((_connection, session) => sessions.push(session));
    const get = text.encode('GET / HTTP/1.0\r\n\r\n');
    const first = await retryUntilUp(() => connect({ host: '127.0.0.1', port, servername: 'localhost', context }));
    const page1 = new TextDecoder().decode(await exchange(first, get));
    expect(page1).toMatch(/New, TLSv1\.3, Cipher is TLS_\w+/);
    expect(first.info().sessionReused).toBe(false);
    // OpenSSL sends two tickets after a full handshake.
    expect(first.info().sessions.length).toBe(2);
    expect(sessions).toEqual(first.info().sessions);
    const session = first.info().session!;
    expect(session.versionName).toBe('TLSv1.3');

    const second = await connect({ host: '127.0.0.1', port, servername: 'localhost', context, session });
    expect(second.info().sessionReused).toBe(true);
    // The chain comes from the session: no Certificate message in a resumption.
    expect(second.info().peerCertificate).toEqual(first.info().peerCertificate);
    const page2 = new TextDecoder().decode(await exchange(second, get));
    expect(page2).toMatch(/Reused, TLSv1\.3, Cipher is TLS_\w+/);
    expect(page2.match(/Cipher is (\S+)/)![1]).toBe(first.info().cipher);
  });

  it('against Node’s tls.createServer (isSessionReused on its side)', async () => {
    const reused: boolean[] = [];
    const server = tls.createServer({ cert: pki('server-ecdsa-chain.pem'), key: pki('server-ecdsa.key'), minVersion: 'TLSv1.3' }, (socket) => {
      reused.push(socket.isSessionReused());
      socket.on('error', () => {});
      socket.pipe(socket);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    cleanups.push(() => new Promise((resolve) => server.close(() => resolve())));
    const port = (server.address() as { port: number }).port;
    const context = clientContext();
    const first = await connect({ host: '127.0.0.1', port, servername: 'localhost', context });
    expect(await exchange(first, text.encode('one'))).toEqual(text.encode('one'));
    const saved = first.info().session!.toBytes();
    // Across "processes": a serialised session and a fresh context of the same configuration.
    const second = await connect({ host: '127.0.0.1', port, servername: 'localhost', context: clientContext(), session: TLSSession.fromBytes(saved) });
    expect(second.info().sessionReused).toBe(true);
    expect(await exchange(second, text.encode('two'))).toEqual(text.encode('two'));
    expect(reused).toEqual([false, true]);
  });
});

describe('peers resume against our server', () => {
  it('openssl s_client -sess_out, then -sess_in: Reused, TLSv1.3', async () => {
    const dir = tempDir();
    const { port, streams, errors } = await ourEchoServer();
    const sessionFile = join(dir, 'session.pem');
    const sClient = async (extra: string[]) => {
      const client = run('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', '-CAfile', join(pkiDir, 'ca.pem'), '-tls1_3', ...extra]);
      cleanups.push(() => client.kill());
      client.child.stdin!.write('ping\n');
      // The echo comes after our tickets: once it is back the session is saved; then end stdin and let it close.
      for (let i = 0; i < 400 && !client.stdout().toString().includes('ping'); i++) await new Promise((r) => setTimeout(r, 25));
      client.child.stdin!.end();
      await client.exited;
      return client.stdout().toString();
    };
    const out1 = await retryUntilUp(async () => {
      const out = await sClient(['-sess_out', sessionFile]);
      if (!out.includes('ping')) throw Object.assign(new Error(`s_client failed: ${out}`), { cause: { code: 'ECONNREFUSED' } });
      return out;
    });
    expect(out1).toMatch(/New, TLSv1\.3, Cipher is/);
    expect(readFileSync(sessionFile, 'utf8')).toContain('BEGIN SSL SESSION PARAMETERS');
    const out2 = await sClient(['-sess_in', sessionFile]);
    expect(out2).toMatch(/Reused, TLSv1\.3, Cipher is/);
    expect(out2).toContain('ping');
    expect(streams.map((stream) => stream.info().sessionReused)).toEqual([false, true]);
    expect(errors).toEqual([]);
  });

  it('Node’s tls.connect({ session }) resumes: isSessionReused()', async () => {
    const { port, streams, errors } = await ourEchoServer();
    const once1 = async (session?: Buffer) => {
      const sessions: Buffer[] = [];
      const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki('ca.pem'), minVersion: 'TLSv1.3', ...(session ? { session } : {}) });
      socket.on('session', (s: Buffer) => sessions.push(s));
      await once(socket, 'secureConnect');
      const reused = socket.isSessionReused();
      const chunks: Uint8Array[] = [];
      socket.on('data', (chunk: Buffer) => chunks.push(new Uint8Array(chunk)));
      const ended = once(socket, 'end');
      socket.end('hello');
      await ended;
      expect(new TextDecoder().decode(concat(chunks))).toBe('hello');
      return { reused, sessions };
    };
    const first = await once1();
    expect(first.reused).toBe(false);
    expect(first.sessions.length).toBe(2);
    const second = await once1(first.sessions[first.sessions.length - 1]);
    expect(second.reused).toBe(true);
    await Promise.all(streams.map((stream) => stream.closed));
    expect(streams.map((stream) => stream.info().sessionReused)).toEqual([false, true]);
    expect(errors).toEqual([]);
  });
});
