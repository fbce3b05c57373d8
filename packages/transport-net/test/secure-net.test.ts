/**
 * `connect()` against `createServer()` over real loopback sockets: exact bytes, half-close, failures that stay on
 * their connection, timeouts and the default client context.
 */
import { createServer as netCreateServer, type Server } from 'node:net';
import { AlertError, CertVerificationError, InvalidArgumentError, SysCallError } from '@tlsbio/errors';
import { TLSContext, type SecureStream } from '@tlsbio/core';
import { afterEach, describe, expect, it } from 'vitest';
import { connect, createServer, type SecureServer } from '../src/index.js';
import { pattern, pki, readAll, rejection, serverContext, sha256, writeAll } from './helpers.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Our server, echoing every connection, listening on a free loopback port. */
async function echoServer(options: { context?: TLSContext } = {}): Promise<{ server: SecureServer; port: number; errors: unknown[]; streams: SecureStream[] }> {
  const errors: unknown[] = [];
  const streams: SecureStream[] = [];
  const server = createServer({ context: options.context ?? serverContext(), onError: (error) => errors.push(error) }, (stream) => {
    streams.push(stream);
    // Echo until the client's close_notify, then close_notify back.
    stream.readable.pipeTo(stream.writable).catch(() => {});
  });
  const { port } = await server.listen(0, '127.0.0.1');
  cleanups.push(() => server.close());
  return { server, port, errors, streams };
}

/** Waits until `condition` holds, letting I/O run in between (no time limit of its own: the test's applies). */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}

describe('connect() and createServer() over loopback', () => {
  it('echoes 1 MiB byte for byte and reports the session on both sides', async () => {
    const { port, streams } = await echoServer();
    const stream = await connect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki('ca.pem') });
    const data = pattern(1 << 20, 3);
    const [, echoed] = await Promise.all([writeAll(stream, data, 100_000), readAll(stream.readable)]);
    expect(echoed.length).toBe(data.length);
    expect(sha256(echoed)).toBe(sha256(data));
    await stream.closed;

    const info = stream.info();
    expect(info.version).toBe('TLSv1.3');
    expect(info.serverName).toBe('localhost');
    expect(info.transport).toMatchObject({ kind: 'tcp', remoteAddress: '127.0.0.1', remotePort: port });
    expect(streams).toHaveLength(1);
    const serverInfo = streams[0]!.info();
    expect(serverInfo.cipher).toBe(info.cipher);
    expect(serverInfo.group).toBe(info.group);
    expect(serverInfo.transport).toMatchObject({ kind: 'tcp', localPort: port, remotePort: info.transport.localPort });
    await streams[0]!.closed;
  });

  it('half-closes over TCP: the server answers after the client closed its side, and the client gets it all', async () => {
    const response = pattern(200_000, 8);
    let requestSeen = '';
    const server = createServer({ context: serverContext() }, (stream) => {
      void (async () => {
        requestSeen = new TextDecoder().decode(await readAll(stream.readable)); // ends at the client's close_notify
        await writeAll(stream, response, 20_000);
      })();
    });
    const { port } = await server.listen(0, '127.0.0.1');
    cleanups.push(() => server.close());
    const stream = await connect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki('ca.pem') });
    await writeAll(stream, new TextEncoder().encode('GET everything'));
    const received = await readAll(stream.readable);
    expect(requestSeen).toBe('GET everything');
    expect(sha256(received)).toBe(sha256(response));
    await stream.closed;
  });

  it('reports a failed handshake on both sides, and the server goes on serving', async () => {
    const { port, errors } = await echoServer();
    const error = await rejection(connect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki('other-ca.pem') }));
    expect(CertVerificationError.isInstance(error)).toBe(true);
    await until(() => errors.length > 0);
    expect(errors).toHaveLength(1);
    expect(AlertError.isInstance(errors[0])).toBe(true);
    expect((errors[0] as AlertError).alert?.description).toBe((error as CertVerificationError).alert?.description);

    const stream = await connect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki('ca.pem') });
    const [, echoed] = await Promise.all([writeAll(stream, new TextEncoder().encode('still here')), readAll(stream.readable)]);
    expect(new TextDecoder().decode(echoed)).toBe('still here');
  });

  it('reports a connection handler that throws, and keeps serving', async () => {
    const errors: unknown[] = [];
    const thrown = new Error('handler bug');
    let calls = 0;
    const server = createServer({ context: serverContext() }, (stream) => {
      if (++calls === 1) throw thrown;
      void stream.readable.pipeTo(stream.writable);
    });
    server.onError = (error) => errors.push(error);
    const { port } = await server.listen(0, '127.0.0.1');
    cleanups.push(() => server.close());
    const first = await connect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki('ca.pem') });
    await until(() => errors.length > 0);
    expect(errors).toEqual([thrown]);
    // The first connection was dropped without close_notify: its reader sees a truncation.
    expect(await rejection(readAll(first.readable))).toMatchObject({ code: 'ERR_TLS_EOF' });

    const second = await connect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki('ca.pem') });
    const [, echoed] = await Promise.all([writeAll(second, new Uint8Array([1, 2, 3])), readAll(second.readable)]);
    expect(echoed).toEqual(new Uint8Array([1, 2, 3]));
    expect(errors).toHaveLength(1);
  });

  it('negotiates ALPN through the default client context', async () => {
    const { port, streams } = await echoServer({ context: serverContext({ alpnProtocols: ['http/1.1'] }) });
    const stream = await connect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki('ca.pem'), alpnProtocols: ['h2', 'http/1.1'] });
    expect(stream.info().alpn).toBe('http/1.1');
    await stream.close();
    expect(streams[0]!.info().alpn).toBe('http/1.1');
  });

  it('checks the certificate against the host when no servername is given (an IP name here)', async () => {
    const { port } = await echoServer();
    const stream = await connect({ host: '127.0.0.1', port, ca: pki('ca.pem') });
    expect(stream.info().serverName).toBe('127.0.0.1');
    await stream.close();
  });

  it('trusts only Node’s bundled roots by default, and nothing with rejectUnauthorized: false', async () => {
    const { port } = await echoServer();
    const error = await rejection(connect({ host: '127.0.0.1', port, servername: 'localhost' }));
    expect(CertVerificationError.isInstance(error)).toBe(true);
    const stream = await connect({ host: '127.0.0.1', port, servername: 'localhost', rejectUnauthorized: false });
    expect(stream.info().peerCertificate).toBeInstanceOf(Uint8Array);
    await stream.close();
  });

  it('uses a given client context, and refuses default-context options next to it', async () => {
    const { port } = await echoServer();
    const context = new TLSContext('client', { cipherSuites: ['TLS_CHACHA20_POLY1305_SHA256'] });
    context.loadVerifyLocations({ cadata: pki('ca.pem') });
    const stream = await connect({ host: '127.0.0.1', port, servername: 'localhost', context });
    expect(stream.info().cipher).toBe('TLS_CHACHA20_POLY1305_SHA256');
    await stream.close();
    await expect(connect({ host: '127.0.0.1', port, context, ca: pki('ca.pem') })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(connect({ host: '127.0.0.1', port: 0 })).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it('turns a refused connection into SysCallError with the socket error as cause', async () => {
    const probe = netCreateServer();
    const port = await new Promise<number>((resolve) => probe.listen(0, '127.0.0.1', () => resolve((probe.address() as { port: number }).port)));
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const error = await rejection(connect({ host: '127.0.0.1', port, ca: pki('ca.pem') }));
    expect(SysCallError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'ERR_TLS_SYSCALL', cause: { code: 'ECONNREFUSED' } });
  });

  it('gives up after timeoutMs on a server that accepts but never answers', async () => {
    const sockets: import('node:net').Socket[] = [];
    const silent: Server = netCreateServer((socket) => void sockets.push(socket));
    const port = await new Promise<number>((resolve) => silent.listen(0, '127.0.0.1', () => resolve((silent.address() as { port: number }).port)));
    cleanups.push(() => new Promise((resolve) => {
      for (const socket of sockets) socket.destroy();
      silent.close(() => resolve());
    }));
    const error = await rejection(connect({ host: '127.0.0.1', port, ca: pki('ca.pem'), timeoutMs: 150 }));
    expect(SysCallError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ cause: { code: 'ETIMEDOUT' } });
  });

  it('refuses a listen() on a port in use with SysCallError', async () => {
    const { port } = await echoServer();
    const second = createServer({ context: serverContext() }, () => {});
    const error = await rejection(second.listen(port, '127.0.0.1'));
    expect(error).toMatchObject({ code: 'ERR_TLS_SYSCALL', cause: { code: 'EADDRINUSE' } });
    expect(second.address()).toBeNull();
    expect(() => createServer({ context: new TLSContext('client') }, () => {})).toThrow(InvalidArgumentError);
  });
});
