/**
 * TLS 1.2 interop with Node's own `tls` (OpenSSL underneath) over loopback: our client against `tls.createServer`
 * with maxVersion TLSv1.2, and `tls.connect` with maxVersion TLSv1.2 against our server, for every TLS 1.2 suite with
 * the certificate type it needs; the bytes must come back exactly (1 MiB for the first suite).
 */
import { once } from 'node:events';
import * as tls from 'node:tls';
import { TLSContext, type SecureStream } from '@tlsbio/core';
import { TLSVersion } from '@tlsbio/errors';
import { afterEach, describe, expect, it } from 'vitest';
import { connect, createServer } from '../src/index.js';
import { concat, pattern, pki, readAll, sha256, writeAll } from './helpers.js';

const SUITES = [
  { suite: 'ECDHE-ECDSA-AES128-GCM-SHA256', cert: 'ecdsa' },
  { suite: 'ECDHE-ECDSA-AES256-GCM-SHA384', cert: 'ecdsa' },
  { suite: 'ECDHE-ECDSA-CHACHA20-POLY1305', cert: 'ecdsa' },
  { suite: 'ECDHE-RSA-AES128-GCM-SHA256', cert: 'rsa' },
  { suite: 'ECDHE-RSA-AES256-GCM-SHA384', cert: 'rsa' },
  { suite: 'ECDHE-RSA-CHACHA20-POLY1305', cert: 'rsa' },
] as const;
const CERTS = {
  ecdsa: { cert: pki('server-ecdsa-chain.pem'), key: pki('server-ecdsa.key') },
  rsa: { cert: pki('server-rsa.pem'), key: pki('server-rsa.key') },
};

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('our client against Node’s tls.createServer (TLS 1.2)', () => {
  async function nodeEchoServer(cert: 'ecdsa' | 'rsa'): Promise<{ port: number; sessions: Array<{ cipher: tls.CipherNameAndProtocol; protocol: string | null }> }> {
    const sessions: Array<{ cipher: tls.CipherNameAndProtocol; protocol: string | null }> = [];
    const server = tls.createServer({ ...CERTS[cert], maxVersion: 'TLSv1.2' }, (socket) => {
      sessions.push({ cipher: socket.getCipher(), protocol: socket.getProtocol() });
      socket.on('error', () => {});
      socket.pipe(socket);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    cleanups.push(() => new Promise((resolve) => server.close(() => resolve())));
    return { port: (server.address() as { port: number }).port, sessions };
  }

  it.each(SUITES)('$suite: echoed exactly', async ({ suite, cert }) => {
    const { port, sessions } = await nodeEchoServer(cert);
    // Default version range (1.2 and 1.3): the server's maxVersion brings it to 1.2.
    const context = new TLSContext('client', { cipherSuites: [suite] });
    context.loadVerifyLocations({ cadata: pki('ca.pem') });
    const stream = await connect({ host: '127.0.0.1', port, servername: 'localhost', context });
    const data = pattern(suite === SUITES[0].suite ? 1 << 20 : 100_000, 5);
    const [, echoed] = await Promise.all([writeAll(stream, data, 64 * 1024), readAll(stream.readable)]);
    expect(sha256(echoed)).toBe(sha256(data));
    await stream.closed;
    expect(stream.info()).toMatchObject({ version: 'TLSv1.2', cipher: suite });
    expect(sessions).toEqual([{ cipher: expect.objectContaining({ name: suite, version: 'TLSv1.2' }), protocol: 'TLSv1.2' }]);
  });
});

describe('client authentication in TLS 1.2 against Node’s tls.createServer', () => {
  it('Node (requestCert, rejectUnauthorized) verifies our certificate and CertificateVerify', async () => {
    const peers: unknown[] = [];
    const server = tls.createServer({ ...CERTS.ecdsa, maxVersion: 'TLSv1.2', requestCert: true, rejectUnauthorized: true, ca: pki('ca.pem') }, (socket) => {
      peers.push(socket.getPeerCertificate().subject?.CN);
      socket.end('hello');
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    cleanups.push(() => new Promise((resolve) => server.close(() => resolve())));
    const context = new TLSContext('client');
    context.loadVerifyLocations({ cadata: pki('ca.pem') });
    context.loadCertChain(pki('client.pem'), pki('client.key'));
    const stream = await connect({ host: '127.0.0.1', port: (server.address() as { port: number }).port, servername: 'localhost', context });
    expect(new TextDecoder().decode(await readAll(stream.readable))).toBe('hello');
    expect(stream.info()).toMatchObject({ version: 'TLSv1.2' });
    expect(peers).toEqual(['tlsbio Test Client']);
    await stream.close();
  });
});

describe('Node’s tls.connect (TLS 1.2) against our server', () => {
  async function ourEchoServer(): Promise<{ port: number; streams: SecureStream[]; errors: unknown[] }> {
    const streams: SecureStream[] = [];
    const errors: unknown[] = [];
    const context = new TLSContext('server', { minimumVersion: TLSVersion.TLSv1_2 });
    context.loadCertChain(CERTS.ecdsa.cert, CERTS.ecdsa.key);
    context.loadCertChain(CERTS.rsa.cert, CERTS.rsa.key);
    const server = createServer({ context, onError: (error) => errors.push(error) }, (stream) => {
      streams.push(stream);
      stream.readable.pipeTo(stream.writable).catch(() => {});
    });
    const { port } = await server.listen(0, '127.0.0.1');
    cleanups.push(() => server.close());
    return { port, streams, errors };
  }

  it.each(SUITES)('$suite: echoed exactly', async ({ suite }) => {
    const { port, streams, errors } = await ourEchoServer();
    const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki('ca.pem'), maxVersion: 'TLSv1.2', ciphers: suite });
    await once(socket, 'secureConnect');
    expect(socket.authorized).toBe(true);
    expect(socket.getProtocol()).toBe('TLSv1.2');
    expect(socket.getCipher()).toMatchObject({ name: suite });
    const data = pattern(suite === SUITES[0].suite ? 1 << 20 : 100_000, 9);
    const chunks: Uint8Array[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(new Uint8Array(chunk)));
    const ended = once(socket, 'end');
    socket.end(data);
    await ended;
    expect(sha256(concat(chunks))).toBe(sha256(data));
    expect(streams).toHaveLength(1);
    expect(streams[0]!.info()).toMatchObject({ version: 'TLSv1.2', cipher: suite });
    await streams[0]!.closed;
    expect(errors).toEqual([]);
  });

  it('Node with 1.2 and 1.3 gets TLS 1.3 from our server; with maxVersion 1.2, TLS 1.2', async () => {
    const { port } = await ourEchoServer();
    for (const [maxVersion, expected] of [['TLSv1.3', 'TLSv1.3'], ['TLSv1.2', 'TLSv1.2']] as const) {
      const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki('ca.pem'), maxVersion });
      await once(socket, 'secureConnect');
      expect(socket.getProtocol()).toBe(expected);
      socket.end();
      await once(socket, 'close');
    }
  });
});
