/**
 * Interop with Node's own `tls` (OpenSSL underneath) over loopback, TLS 1.3 only: our client against
 * `tls.createServer`, and `tls.connect` against our server, with the core fixture PKI. Each side reports the
 * negotiated suite, and the bytes must come back exactly.
 */
import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import * as tls from 'node:tls';
import { TLSContext, type SecureStream } from '@tlsbio/core';
import { afterEach, describe, expect, it } from 'vitest';
import { connect, createServer } from '../src/index.js';
import { concat, pattern, pki, readAll, serverContext, sha256, writeAll } from './helpers.js';

const SUITES = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'] as const;

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('our client against Node’s tls.createServer', () => {
  /** A Node TLS 1.3 echo server; resolves the cipher it negotiated for each connection. */
  async function nodeEchoServer(): Promise<{ port: number; ciphers: tls.CipherNameAndProtocol[] }> {
    const ciphers: tls.CipherNameAndProtocol[] = [];
    const server = tls.createServer(
      { cert: pki('server-ecdsa-chain.pem'), key: pki('server-ecdsa.key'), minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' },
      (socket) => {
        ciphers.push(socket.getCipher());
        socket.on('error', () => {});
        socket.pipe(socket);
      },
    );
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    cleanups.push(() => new Promise((resolve) => server.close(() => resolve())));
    return { port: (server.address() as { port: number }).port, ciphers };
  }

  it.each(SUITES)('negotiates %s and gets its bytes echoed exactly', async (suite) => {
    const { port, ciphers } = await nodeEchoServer();
    const context = new TLSContext('client', { cipherSuites: [suite] });
    context.loadVerifyLocations({ cadata: pki('ca.pem') });
    const stream = await connect({ host: '127.0.0.1', port, servername: 'localhost', context });
    const data = pattern(suite === 'TLS_AES_128_GCM_SHA256' ? 1 << 20 : 100_000, 5);
    const [, echoed] = await Promise.all([writeAll(stream, data, 64 * 1024), readAll(stream.readable)]);
    expect(echoed.length).toBe(data.length);
    expect(sha256(echoed)).toBe(sha256(data));
    await stream.closed;
    expect(stream.info()).toMatchObject({ version: 'TLSv1.3', cipher: suite });
    expect(ciphers).toHaveLength(1);
    expect(ciphers[0]).toMatchObject({ name: suite, version: 'TLSv1.3' });
  });

  it('verifies OpenSSL’s certificate chain and exposes the leaf', async () => {
    const { port } = await nodeEchoServer();
    const stream = await connect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki('ca.pem') });
    const der = stream.info().peerCertificate!;
    const expected = new X509Certificate(pki('server-ecdsa.pem')).raw;
    expect(new Uint8Array(der)).toEqual(new Uint8Array(expected));
    await stream.close();
  });
});

describe('Node’s tls.connect against our server', () => {
  async function ourEchoServer(): Promise<{ port: number; streams: SecureStream[]; errors: unknown[] }> {
    const streams: SecureStream[] = [];
    const errors: unknown[] = [];
    const server = createServer({ context: serverContext(), onError: (error) => errors.push(error) }, (stream) => {
      streams.push(stream);
      stream.readable.pipeTo(stream.writable).catch(() => {});
    });
    const { port } = await server.listen(0, '127.0.0.1');
    cleanups.push(() => server.close());
    return { port, streams, errors };
  }

  it.each(SUITES)('negotiates %s and echoes exactly', async (suite) => {
    const { port, streams, errors } = await ourEchoServer();
    const socket = tls.connect({
      host: '127.0.0.1',
      port,
      servername: 'localhost',
      ca: pki('ca.pem'),
      minVersion: 'TLSv1.3',
      maxVersion: 'TLSv1.3',
      ciphers: suite,
    });
    await once(socket, 'secureConnect');
    expect(socket.authorized).toBe(true);
    expect(socket.getProtocol()).toBe('TLSv1.3');
    expect(socket.getCipher()).toMatchObject({ name: suite });

    const data = pattern(suite === 'TLS_AES_128_GCM_SHA256' ? 1 << 20 : 100_000, 9);
    const chunks: Uint8Array[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(new Uint8Array(chunk)));
    const ended = once(socket, 'end');
    socket.end(data); // then close_notify: our server echoes to the end and answers with its own
    await ended;
    const echoed = concat(chunks);
    expect(echoed.length).toBe(data.length);
    expect(sha256(echoed)).toBe(sha256(data));

    expect(streams).toHaveLength(1);
    expect(streams[0]!.info()).toMatchObject({ version: 'TLSv1.3', cipher: suite });
    await streams[0]!.closed;
    expect(errors).toEqual([]);
  });
});
