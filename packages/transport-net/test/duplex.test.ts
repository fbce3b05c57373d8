/**
 * The Node `Duplex`: `createConnection()` under `https.get` against Node's https server and `openssl s_server -www`,
 * our server feeding Node's `http.createServer` for Debian's curl, `stream.pipeline`, half-close, timeouts, errors,
 * and `SecureServer.close({ dropConnections })`.
 */
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage } from 'node:http';
import { get as httpsGet, createServer as createHttpsServer, request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CertVerificationError, SysCallError, isTLSError } from '@tlsbio/errors';
import { TLSContext, type SecureStream } from '@tlsbio/core';
import { afterEach, describe, expect, it } from 'vitest';
import { connect, createConnection, createServer, toDuplex, type SecureSocket } from '../src/index.js';
import { pattern, pki, pkiDir, rejection, serverContext, sha256 } from './helpers.js';
import { freePort, run, type Spawned } from './peers.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function body(response: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function getThroughUs(url: string, options: Record<string, unknown> = {}): Promise<{ response: IncomingMessage; body: Buffer; socket: SecureSocket }> {
  return new Promise((resolve, reject) => {
    const request = httpsGet(url, { createConnection, ca: pki('ca.pem'), ...options } as never, (response) => {
      body(response).then((bytes) => resolve({ response, body: bytes, socket: response.socket as unknown as SecureSocket }), reject);
    });
    request.on('error', reject);
  });
}

describe('createConnection() under https', () => {
  it('https.get through our Duplex against a Node https server: exact body, ALPN, TLS facts', async () => {
    const payload = Buffer.from(pattern(1 << 20, 4));
    const native = createHttpsServer({ key: pki('server-ecdsa.key'), cert: pki('server-ecdsa-chain.pem'), ALPNProtocols: ['http/1.1'] }, (req, res) => {
      res.setHeader('x-sni', String((req.socket as import('node:tls').TLSSocket).servername));
      res.end(payload);
    });
    native.listen(0, '127.0.0.1');
    await once(native, 'listening');
    cleanups.push(() => new Promise((resolve) => native.close(() => resolve())));
    const { port } = native.address() as { port: number };

    const { response, body: received, socket } = await getThroughUs(`https://localhost:${port}/big`, { ALPNProtocols: ['http/1.1'] });
    expect(response.statusCode).toBe(200);
    expect(response.headers['x-sni']).toBe('localhost');
    expect(received.length).toBe(payload.length);
    expect(sha256(received)).toBe(sha256(payload));
    expect(socket.encrypted).toBe(true);
    expect(socket.authorized).toBe(true);
    expect(socket.alpnProtocol).toBe('http/1.1');
    expect(socket.getProtocol()).toBe('TLSv1.3');
    expect(socket.getPeerCertificate()).toMatchObject({ subject: { CN: 'localhost' } });
    expect(socket.remotePort).toBe(port);
  });

  it('https.request POSTs a body and reads the answer (Node echoes it)', async () => {
    const native = createHttpsServer({ key: pki('server-ecdsa.key'), cert: pki('server-ecdsa-chain.pem') }, (req, res) => void req.pipe(res));
    native.listen(0, '127.0.0.1');
    await once(native, 'listening');
    cleanups.push(() => new Promise((resolve) => native.close(() => resolve())));
    const { port } = native.address() as { port: number };
    const upload = Buffer.from(pattern(300_000, 9));
    const answer = await new Promise<Buffer>((resolve, reject) => {
      const request = httpsRequest({ host: '127.0.0.1', port, method: 'POST', path: '/', servername: 'localhost', createConnection, ca: pki('ca.pem') } as never, (response) => {
        body(response).then(resolve, reject);
      });
      request.on('error', reject);
      request.end(upload);
    });
    expect(sha256(answer)).toBe(sha256(upload));
  });

  it('https.get through our Duplex against openssl s_server -www', async ({ onTestFinished }) => {
    const port = await freePort();
    const chain = join(tmpdir(), `tlsbio-chain-${process.pid}.pem`);
    writeFileSync(chain, pki('server-ecdsa-chain.pem').split(/(?<=-----END CERTIFICATE-----\n)/)[1] ?? '');
    const server: Spawned = run('openssl', [
      's_server', '-www', '-accept', `127.0.0.1:${port}`, '-cert', join(pkiDir, 'server-ecdsa.pem'), '-key', join(pkiDir, 'server-ecdsa.key'),
      '-cert_chain', chain, '-tls1_3',
    ]);
    onTestFinished(() => server.kill());
    const { response, body: page } = await retryUntilUp(() => getThroughUs(`https://localhost:${port}/`));
    expect(response.statusCode).toBe(200);
    const text = page.toString('utf8');
    expect(text).toContain('TLSv1.3');
    expect(text).toMatch(/Ciphers supported in s_server binary/);
  });
});

/** Retries a connection while the peer process is still starting (ECONNREFUSED), at most ~10 s. */
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

/** Our TLS server handing every connection, as a Duplex, to a Node http server. */
async function httpOverUs(handler: Parameters<typeof createHttpServer>[1]): Promise<{ port: number; web: ReturnType<typeof createHttpServer>; server: ReturnType<typeof createServer>; errors: unknown[] }> {
  const web = createHttpServer(handler);
  const errors: unknown[] = [];
  const server = createServer({ context: serverContext({ alpnProtocols: ['http/1.1'] }), onError: (error) => errors.push(error) }, (stream) => {
    web.emit('connection', toDuplex(stream));
  });
  const { port } = await server.listen(0, '127.0.0.1');
  cleanups.push(() => server.close({ dropConnections: true }));
  return { port, web, server, errors };
}

describe('the server-side Duplex under http.createServer', () => {
  it('answers Debian curl --cacert over loopback, GET and a 1 MiB POST echoed', async () => {
    const { port, errors } = await httpOverUs((req, res) => {
      if (req.method === 'POST') {
        res.setHeader('content-type', 'application/octet-stream');
        void pipeline(req, res);
        return;
      }
      const socket = req.socket as unknown as SecureSocket;
      res.end(`hello ${socket.getProtocol()} ${socket.getCipher()?.name} ${socket.servername} from ${socket.remoteAddress}\n`);
    });
    const url = `https://localhost:${port}/`;
    const get = run('curl', ['--silent', '--show-error', '--cacert', join(pkiDir, 'ca.pem'), '--tlsv1.3', url]);
    expect(await get.exited, get.stderr()).toBe(0);
    expect(get.stdout().toString()).toMatch(/^hello TLSv1\.3 TLS_\w+ localhost from 127\.0\.0\.1\n$/);

    const upload = join(tmpdir(), `tlsbio-upload-${process.pid}.bin`);
    const data = Buffer.from(pattern(1 << 20, 6));
    writeFileSync(upload, data);
    const post = run('curl', ['--silent', '--show-error', '--cacert', join(pkiDir, 'ca.pem'), '--data-binary', `@${upload}`, url]);
    expect(await post.exited, post.stderr()).toBe(0);
    expect(sha256(post.stdout())).toBe(sha256(data));
    // curl closes with close_notify (or a FIN after its last response): neither may count as a failure here.
    expect(errors.filter((error) => !(error as { code?: string }).code?.startsWith('ERR_TLS_EOF'))).toEqual([]);
  });

  it('keeps one connection alive across requests: an https.Agent whose createConnection is ours', async () => {
    let served = 0;
    const peers = new Set<string>();
    const { port } = await httpOverUs((req, res) => {
      peers.add(`${req.socket.remoteAddress}:${req.socket.remotePort}`);
      res.end(`request ${++served}`);
    });
    const { Agent } = await import('node:https');
    class TlsbioAgent extends Agent {
      override createConnection(options: object, callback: () => void) {
        return createConnection(options, callback) as never;
      }
    }
    const agent = new TlsbioAgent({ keepAlive: true, maxSockets: 1 });
    cleanups.push(() => agent.destroy());
    const texts: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { body: bytes } = await getThroughUs(`https://localhost:${port}/`, { agent, createConnection: undefined });
      texts.push(bytes.toString());
    }
    expect(texts).toEqual(['request 1', 'request 2', 'request 3']);
    expect(peers.size).toBe(1);
  });
});

/** Our echo server (until the client's close_notify, then close_notify back). */
async function echoServer(): Promise<{ port: number; server: ReturnType<typeof createServer>; streams: SecureStream[]; errors: unknown[] }> {
  const streams: SecureStream[] = [];
  const errors: unknown[] = [];
  const server = createServer({ context: serverContext(), onError: (error) => errors.push(error) }, (stream) => {
    streams.push(stream);
    stream.readable.pipeTo(stream.writable).catch(() => {});
  });
  const { port } = await server.listen(0, '127.0.0.1');
  cleanups.push(() => server.close({ dropConnections: true }));
  return { port, server, streams, errors };
}

describe('the Duplex as a socket', () => {
  it('runs stream.pipeline both ways: 4 MiB out through an echo and back, byte for byte', async () => {
    const { port } = await echoServer();
    const socket = createConnection({ host: '127.0.0.1', port, servername: 'localhost', ca: pki('ca.pem'), allowHalfOpen: true });
    const data = pattern(4 << 20, 12);
    const received: Buffer[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        received.push(chunk);
        callback();
      },
    });
    const chunks = function* () {
      for (let offset = 0; offset < data.length; offset += 100_000) yield data.subarray(offset, offset + 100_000);
    };
    await Promise.all([pipeline(Readable.from(chunks()), socket), pipeline(socket, sink)]);
    expect(sha256(Buffer.concat(received))).toBe(sha256(data));
    await once(socket, 'close');
  });

  it('half-closes: end() sends close_notify (and FIN) while the server is still answering', async () => {
    const answer = pattern(500_000, 2);
    const server = createServer({ context: serverContext() }, (stream) => {
      void (async () => {
        const request: Uint8Array[] = [];
        for await (const chunk of stream.readable as unknown as AsyncIterable<Uint8Array>) request.push(chunk);
        const writer = stream.writable.getWriter();
        await writer.write(new TextEncoder().encode(`got ${Buffer.concat(request).toString()};`));
        await writer.write(answer);
        await writer.close();
      })();
    });
    const { port } = await server.listen(0, '127.0.0.1');
    cleanups.push(() => server.close({ dropConnections: true }));
    const socket = createConnection({ host: '127.0.0.1', port, servername: 'localhost', ca: pki('ca.pem'), allowHalfOpen: true });
    socket.end('question');
    const got = await body(socket as unknown as IncomingMessage);
    expect(got.subarray(0, 13).toString()).toBe('got question;');
    expect(sha256(got.subarray(13))).toBe(sha256(answer));
  });

  it('setNoDelay/setKeepAlive reach the socket; the idle timeout option emits timeout and closes nothing', async () => {
    const { port } = await echoServer();
    const socket = createConnection({ host: '127.0.0.1', port, servername: 'localhost', ca: pki('ca.pem'), timeout: 80 });
    await once(socket, 'secureConnect');
    expect(socket.connecting).toBe(false);
    expect(socket.setNoDelay(true).setKeepAlive(true, 1000)).toBe(socket);
    const started = Date.now();
    await once(socket, 'timeout');
    expect(Date.now() - started).toBeGreaterThanOrEqual(60);
    expect(socket.destroyed).toBe(false);
    socket.write('still open');
    const [echo] = (await once(socket, 'data')) as [Buffer];
    expect(echo.toString()).toBe('still open');
    socket.setTimeout(0);
    socket.end();
    await once(socket, 'close');
  });

  it('reports a refused connection as an error event: SysCallError with the socket error as cause', async () => {
    const port = await freePort();
    const socket = createConnection({ host: '127.0.0.1', port, ca: pki('ca.pem') });
    const [error] = (await once(socket, 'error')) as [unknown];
    expect(SysCallError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'ERR_TLS_SYSCALL', cause: { code: 'ECONNREFUSED' } });
  });

  it('fails with ETIMEDOUT when connectTimeout expires on a server that never answers', async () => {
    const silent = (await import('node:net')).createServer(() => {});
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    cleanups.push(() => new Promise((resolve) => {
      silent.close(() => resolve());
      for (const socket of openSockets) socket.destroy();
    }));
    const openSockets: import('node:net').Socket[] = [];
    silent.on('connection', (socket) => openSockets.push(socket));
    const socket = createConnection({ host: '127.0.0.1', port: (silent.address() as { port: number }).port, ca: pki('ca.pem'), connectTimeout: 100 });
    const [error] = (await once(socket, 'error')) as [unknown];
    expect(error).toMatchObject({ code: 'ERR_TLS_SYSCALL', cause: { code: 'ETIMEDOUT' } });
  });

  it('refuses option mixes that cannot work, synchronously', () => {
    const context = new TLSContext('client');
    expect(() => createConnection({ port: 1, context, ca: pki('ca.pem') })).toThrow(/configure the default context/);
    expect(() => createConnection({ port: 1, minVersion: 'TLSv1.3', maxVersion: 'TLSv1.2' })).toThrow(/above maxVersion/);
    expect(() => createConnection({ port: 1, minVersion: 'SSLv3' })).toThrow(/TLSv1.2/);
    expect(() => createConnection({ port: 0 })).toThrow(/port/);
  });

  it('maxVersion TLSv1.2 speaks TLS 1.2 to a Node https server that offers both; minVersion TLSv1.3 refuses a 1.2-only one', async () => {
    const native = createHttpsServer({ key: pki('server-ecdsa.key'), cert: pki('server-ecdsa-chain.pem') }, (_req, res) => res.end('over 1.2'));
    native.listen(0, '127.0.0.1');
    await once(native, 'listening');
    cleanups.push(() => new Promise((resolve) => native.close(() => resolve())));
    const { port } = native.address() as { port: number };
    const { response, body, socket } = await getThroughUs(`https://localhost:${port}/`, { maxVersion: 'TLSv1.2' });
    expect(response.statusCode).toBe(200);
    expect(Buffer.from(body).toString()).toBe('over 1.2');
    expect(socket.getProtocol()).toBe('TLSv1.2');

    const only12 = createHttpsServer({ key: pki('server-ecdsa.key'), cert: pki('server-ecdsa-chain.pem'), maxVersion: 'TLSv1.2' }, (_req, res) => res.end());
    only12.listen(0, '127.0.0.1');
    await once(only12, 'listening');
    cleanups.push(() => new Promise((resolve) => only12.close(() => resolve())));
    const refused = createConnection({ host: '127.0.0.1', port: (only12.address() as { port: number }).port, servername: 'localhost', ca: pki('ca.pem'), minVersion: 'TLSv1.3' });
    const [error] = (await once(refused, 'error')) as [unknown];
    expect(isTLSError(error)).toBe(true);
  });

  it('accepts minVersion TLSv1.2; session bytes that are not a session are refused at once (BAD_SESSION)', async () => {
    const { port } = await echoServer();
    const options = { host: '127.0.0.1', port, servername: 'localhost', ca: pki('ca.pem'), minVersion: 'TLSv1.2' } as const;
    // Unlike tls.connect, which drops a session it cannot read, a bad one is the caller's error, said at once.
    expect(() => createConnection({ ...options, session: Buffer.alloc(8) })).toThrow(expect.objectContaining({ reason: 'BAD_SESSION' }));
    const socket = createConnection(options);
    await once(socket, 'secureConnect');
    expect(socket.getProtocol()).toBe('TLSv1.3');
    // TLS 1.3 tickets come after the handshake: no session yet at 'secureConnect'.
    expect(socket.getSession()).toBeUndefined();
    socket.destroy();
  });
});

describe('servername null, keyUpdate, server close', () => {
  it('servername: null sends no SNI and still checks the certificate against the host', async () => {
    const { port, streams } = await echoServer();
    const stream = await connect({ host: 'localhost', port, servername: null, ca: pki('ca.pem') });
    await stream.close();
    expect(streams[0]!.connection.requestedServerName()).toBeNull();

    const wrongHost = await rejection(connect({ host: 'localhost', port, servername: null, ca: pki('other-ca.pem') }));
    expect(CertVerificationError.isInstance(wrongHost)).toBe(true);
    // 127.0.0.2 is loopback too, but not one of the certificate's names.
    const all = createServer({ context: serverContext() }, (s) => void s.readable.pipeTo(s.writable).catch(() => {}));
    const { port: anyPort } = await all.listen(0, '0.0.0.0');
    cleanups.push(() => all.close({ dropConnections: true }));
    const mismatch = await rejection(connect({ host: '127.0.0.2', port: anyPort, servername: '', ca: pki('ca.pem') }));
    expect(mismatch).toMatchObject({ code: 'ERR_TLS_CERT_VERIFICATION', verifyCode: 62 });
    await expect(connect({ host: 'localhost', port, servername: null, context: new TLSContext('client') })).rejects.toThrow(/checkHostname/);
  });

  it('SecureStream.keyUpdate() rekeys mid-stream, asks the peer to as well, and data flows on', async () => {
    const { port } = await echoServer();
    const stream = await connect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki('ca.pem') });
    const writer = stream.writable.getWriter();
    const reader = stream.readable.getReader();
    await writer.write(new TextEncoder().encode('before'));
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('before');
    await stream.keyUpdate({ requestPeer: true });
    await stream.keyUpdate();
    await writer.write(new TextEncoder().encode('after'));
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('after');
    await writer.close();
    expect((await reader.read()).done).toBe(true);
    await expect(stream.keyUpdate()).rejects.toMatchObject({ reason: 'PROTOCOL_IS_SHUTDOWN' });
    await stream.closed;
  });

  it('releases both sockets after a clean close: the server counts no connection left', async () => {
    const { port, server } = await echoServer();
    const stream = await connect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki('ca.pem') });
    while (server.connections < 1) await new Promise((resolve) => setImmediate(resolve));
    await stream.close();
    // Both close_notifys and both FINs went across: the half-open sockets must not linger, paused, for ever.
    while (server.connections > 0) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(server.connections).toBe(0);
  });

  it('close({ dropConnections: true }) drops open connections at once: clients see a truncation, onError nothing', async () => {
    const { port, server, errors } = await echoServer();
    const clients = await Promise.all([1, 2, 3].map(() => connect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki('ca.pem') })));
    while (server.connections < 3) await new Promise((resolve) => setImmediate(resolve));
    await server.close({ dropConnections: true });
    expect(server.connections).toBe(0);
    for (const client of clients) {
      const reader = client.readable.getReader();
      // A FIN (EOFError) or, when the kernel still held unread bytes, a reset (SysCallError): never a clean end.
      const error = (await rejection(reader.read())) as { code?: string; cause?: { code?: string } };
      expect(error.code === 'ERR_TLS_EOF' || (error.code === 'ERR_TLS_SYSCALL' && error.cause?.code === 'ECONNRESET'), String(error)).toBe(true);
    }
    expect(errors).toEqual([]);
  });
});

describe('server handshake timeout and client certificates', () => {
  it('drops a client that connects and never says a word, reporting ETIMEDOUT; others are served', async () => {
    const errors: unknown[] = [];
    const server = createServer({ context: serverContext(), handshakeTimeoutMs: 100, onError: (error) => errors.push(error) }, (stream) => {
      void stream.readable.pipeTo(stream.writable).catch(() => {});
    });
    const { port } = await server.listen(0, '127.0.0.1');
    cleanups.push(() => server.close({ dropConnections: true }));
    const { connect: tcpConnect } = await import('node:net');
    const silent = tcpConnect({ host: '127.0.0.1', port });
    cleanups.push(() => void silent.destroy());
    await once(silent, 'close');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'ERR_TLS_SYSCALL', cause: { code: 'ETIMEDOUT' } });
    // A client that does speak is not cut off after its handshake, however long it stays.
    const stream = await connect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki('ca.pem') });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const writer = stream.writable.getWriter();
    await writer.write(new TextEncoder().encode('late'));
    const reader = stream.readable.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('late');
    await writer.close();
    expect(errors).toHaveLength(1);
  });

  it('createConnection presents cert/key to a Node https server that requires a client certificate', async () => {
    const native = createHttpsServer(
      { key: pki('server-ecdsa.key'), cert: pki('server-ecdsa-chain.pem'), ca: pki('ca.pem'), requestCert: true, rejectUnauthorized: true },
      (req, res) => {
        const socket = req.socket as import('node:tls').TLSSocket;
        res.end(`${socket.authorized} ${socket.getPeerCertificate().subject.CN}`);
      },
    );
    native.listen(0, '127.0.0.1');
    await once(native, 'listening');
    cleanups.push(() => new Promise((resolve) => native.close(() => resolve())));
    const { port } = native.address() as { port: number };
    const { body: answer } = await getThroughUs(`https://localhost:${port}/`, { cert: pki('client.pem'), key: pki('client.key') });
    expect(answer.toString()).toBe('true tlsbio Test Client');
  });
});

describe('default contexts', () => {
  it('are shared between connections made with the same options (https makes one connection per request)', async () => {
    const { port } = await echoServer();
    const first = await connect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki('ca.pem') });
    const second = await connect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki('ca.pem') });
    const other = await connect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki('ca.pem'), alpnProtocols: ['x'] });
    expect(first.connection.context).toBe(second.connection.context);
    expect(other.connection.context).not.toBe(first.connection.context);
    await Promise.all([first.close(), second.close(), other.close()]);
  });
});
