// TLS 1.2 session resumption with RFC 5077 tickets against real peers: our client resumes against `openssl s_server
// -tls1_2`, Node's tls server (maxVersion TLSv1.2) and `gnutls-serv`; `openssl s_client -sess_out/-sess_in`, Node's
// `tls.connect({session})` and `gnutls-cli --resume` resume against our server. Each side's own report says
// "resumed" (s_server's "Reused session-id", s_client's "Reused", isSessionReused(), GnuTLS's "resumed session"),
// and ours agrees (sessionReused).
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { TLSContext, secure, type SecureStream, type TLSSession } from '@tlsbio/core';
import { TLSVersion } from '@tlsbio/errors';
import { connectTcp, createServer } from '@tlsbio/transport-net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, killAll, pki, runWithInput, spawnProc, testScope, waitForListen } from './interop-harness.js';

const CA = pki('ca.pem');
const TLS12 = { minimumVersion: TLSVersion.TLSv1_2, maximumVersion: TLSVersion.TLSv1_2 } as const;
const text = (path: string) => readFileSync(path, 'utf8');
const encoder = new TextEncoder();
const decoder = new TextDecoder();

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'tlsbio-resume12-'));
});
afterAll(async () => {
  await killAll();
  rmSync(tmp, { recursive: true, force: true });
});

function ourClientContext(options: ConstructorParameters<typeof TLSContext>[1] = {}): TLSContext {
  const context = new TLSContext('client', { ...TLS12, ...options });
  context.loadVerifyLocations({ cadata: text(CA) });
  return context;
}

function ourServerContext(): TLSContext {
  const context = new TLSContext('server');
  context.loadCertChain(text(pki('server-ecdsa-chain.pem')), text(pki('server-ecdsa.key')));
  return context;
}

/** Connects our client, sends `line`, reads until it has come back (or the stream ends), closes. */
async function ourClient(port: number, context: TLSContext, session: TLSSession | undefined, line: string): Promise<SecureStream> {
  const transport = await connectTcp({ host: '127.0.0.1', port });
  const stream = secure(transport, context, session === undefined ? { serverHostname: 'localhost' } : { serverHostname: 'localhost', session });
  await stream.opened;
  const writer = stream.writable.getWriter();
  await writer.write(encoder.encode(line));
  const reader = stream.readable.getReader();
  let received = '';
  while (!received.includes(line)) {
    const { value, done } = await reader.read();
    if (done) break;
    received += decoder.decode(value);
  }
  expect(received).toContain(line);
  reader.releaseLock();
  writer.releaseLock();
  await stream.close().catch(() => {});
  return stream;
}

/**
 * A full handshake, then one resuming the session it gave, on one client context; checks what our client reports.
 * `expectLine` runs before each connection with the line the connection will send (a peer that does not echo is
 * told what to answer).
 */
async function fullThenResumed(port: number, expectLine: (line: string) => void = () => {}): Promise<void> {
  const context = ourClientContext();
  expectLine('first line\n');
  const full = await ourClient(port, context, undefined, 'first line\n');
  const info = full.info();
  expect(info).toMatchObject({ version: 'TLSv1.2', sessionReused: false });
  const session = info.session;
  expect(session?.version).toBe(TLSVersion.TLSv1_2);
  expect(session?.extendedMasterSecret).toBe(true);
  expectLine('second line\n');
  const resumed = await ourClient(port, context, session, 'second line\n');
  expect(resumed.info()).toMatchObject({ version: 'TLSv1.2', sessionReused: true, cipher: info.cipher });
  // The resumed connection still knows the server's certificate (from the session).
  expect(resumed.connection.getPeerCertificate({ binary: true })).toEqual(full.connection.getPeerCertificate({ binary: true }));
}

describe.concurrent('our client resumes a TLS 1.2 session', () => {
  it('against openssl s_server -tls1_2, which reports "Reused session-id"', async ({ onTestFinished }) => {
    const scope = testScope(onTestFinished);
    const server = spawnProc(
      'openssl',
      ['s_server', '-accept', '127.0.0.1:0', '-naccept', '2', '-tls1_2', '-cert', pki('server-ecdsa.pem'), '-cert_chain', pki('ca-int.pem'), '-key', pki('server-ecdsa.key')],
      { scope },
    );
    const port = Number((await server.waitFor(/^ACCEPT 127\.0\.0\.1:(\d+)$/m))[1]);
    // s_server prints what it receives and echoes nothing: once it has the line, type it back on its stdin.
    await fullThenResumed(port, (line) => void server.waitFor(new RegExp(`^${line}`, 'm')).then(() => server.write(line)));
    await server.waitFor(/Reused session-id/);
    expect(server.stdoutText.match(/Reused session-id/g)).toHaveLength(1);
  });

  it("against Node's tls.createServer (maxVersion TLSv1.2), whose socket reports isSessionReused()", async () => {
    const reused: boolean[] = [];
    const server = tls.createServer({ cert: text(pki('server-ecdsa-chain.pem')), key: text(pki('server-ecdsa.key')), maxVersion: 'TLSv1.2' }, (socket) => {
      reused.push(socket.isSessionReused());
      socket.on('error', () => {});
      socket.pipe(socket);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      await fullThenResumed((server.address() as { port: number }).port);
      expect(reused).toEqual([false, true]);
    } finally {
      server.close();
    }
  });

  it('against gnutls-serv (TLS 1.2), which reports "This is a resumed session"', async ({ onTestFinished }) => {
    const scope = testScope(onTestFinished);
    const port = await freePort();
    const server = spawnProc(
      'gnutls-serv',
      ['--echo', '--priority', 'NORMAL:-VERS-ALL:+VERS-TLS1.2', '--x509certfile', pki('server-ecdsa-chain.pem'), '--x509keyfile', pki('server-ecdsa.key'), '-p', String(port)],
      { scope },
    );
    await waitForListen(port);
    await fullThenResumed(port);
    await server.waitFor(/\*\*\* This is a resumed session/);
    expect(server.stdoutText.match(/This is a resumed session/g)).toHaveLength(1);
  });
});

describe.concurrent('peers resume against our server (TLS 1.2 tickets)', () => {
  async function ourServer(scopeCleanup: (fn: () => Promise<void>) => void): Promise<{ port: number; reused: boolean[] }> {
    const reused: boolean[] = [];
    const server = createServer({ context: ourServerContext() }, (stream) => {
      reused.push(stream.info().sessionReused);
      void stream.readable.pipeTo(stream.writable).catch(() => {});
    });
    const { port } = await server.listen(0, '127.0.0.1');
    scopeCleanup(() => server.close({ dropConnections: true }));
    return { port, reused };
  }

  it('openssl s_client -tls1_2 -sess_out, then -sess_in: "Reused"', async ({ onTestFinished }) => {
    const scope = testScope(onTestFinished);
    const { port, reused } = await ourServer(onTestFinished);
    const sessionFile = join(tmp, `s_client-${port}.pem`);
    const args = ['s_client', '-connect', `127.0.0.1:${port}`, '-tls1_2', '-servername', 'localhost', '-CAfile', CA, '-verify_return_error'];
    const first = await runWithInput(spawnProc('openssl', [...args, '-sess_out', sessionFile], { scope }), 'hello\n');
    expect(first.stdoutText, first.describe()).toMatch(/^New, TLSv1\.2, Cipher is /m);
    expect(first.stdoutText).toMatch(/TLS session ticket lifetime hint: 7200/);
    const second = await runWithInput(spawnProc('openssl', [...args, '-sess_in', sessionFile], { scope }), 'again\n');
    expect(second.stdoutText, second.describe()).toMatch(/^Reused, TLSv1\.2, Cipher is ECDHE-ECDSA-AES128-GCM-SHA256/m);
    expect(second.stdoutText).toContain('Extended master secret: yes');
    expect(reused).toEqual([false, true]);
  });

  it("Node's tls.connect({session, maxVersion: 'TLSv1.2'}): isSessionReused()", async ({ onTestFinished }) => {
    const { port, reused } = await ourServer(onTestFinished);
    const connectOnce = async (session: Buffer | undefined) => {
      const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: text(CA), maxVersion: 'TLSv1.2', ...(session === undefined ? {} : { session }) });
      const sessions: Buffer[] = [];
      socket.on('session', (s: Buffer) => sessions.push(s));
      await once(socket, 'secureConnect');
      socket.write('ping');
      await once(socket, 'data');
      const result = { reused: socket.isSessionReused(), protocol: socket.getProtocol(), session: sessions[0] ?? socket.getSession() };
      socket.end();
      await once(socket, 'close');
      return result;
    };
    const first = await connectOnce(undefined);
    expect(first).toMatchObject({ reused: false, protocol: 'TLSv1.2' });
    const second = await connectOnce(first.session);
    expect(second).toMatchObject({ reused: true, protocol: 'TLSv1.2' });
    expect(reused).toEqual([false, true]);
  });

  it('gnutls-cli --resume (TLS 1.2): "This is a resumed session"', async ({ onTestFinished }) => {
    const scope = testScope(onTestFinished);
    const { port, reused } = await ourServer(onTestFinished);
    const cli = await runWithInput(
      spawnProc('gnutls-cli', ['--priority', 'NORMAL:-VERS-ALL:+VERS-TLS1.2', '--x509cafile', CA, '-p', String(port), '--resume', 'localhost'], { scope }),
      '',
    );
    expect(cli.stdoutText, cli.describe()).toContain('*** This is a resumed session');
    expect(reused).toEqual([false, true]);
  });
});
