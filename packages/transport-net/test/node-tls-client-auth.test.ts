/**
 * TLS 1.3 client certificates against Node's own `tls` (OpenSSL underneath) over loopback: our client with a
 * certificate against `tls.createServer({ requestCert, rejectUnauthorized })`, and `tls.connect({ cert, key })` against
 * our server with verifyMode 'required' — both with and without a certificate.
 */
import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import * as tls from 'node:tls';
import { TLSContext, type SecureStream } from '@tlsbio/core';
import { AlertError, ProtocolError } from '@tlsbio/errors';
import { afterEach, describe, expect, it } from 'vitest';
import { connect, createServer } from '../src/index.js';
import { pki, readAll, rejection, serverContext, writeAll } from './helpers.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const der = (name: string) => new Uint8Array(new X509Certificate(pki(name)).raw);

describe('our client with a certificate against Node’s tls.createServer({ requestCert })', () => {
  /** A Node TLS 1.3 server that requires a client certificate from ca.pem, and says what it saw. */
  async function nodeServer(): Promise<{ port: number; seen: Array<{ authorized: boolean; subject: string }>; errors: Error[] }> {
    const seen: Array<{ authorized: boolean; subject: string }> = [];
    const errors: Error[] = [];
    const server = tls.createServer(
      {
        cert: pki('server-ecdsa-chain.pem'),
        key: pki('server-ecdsa.key'),
        ca: pki('ca.pem'),
        requestCert: true,
        rejectUnauthorized: true,
        minVersion: 'TLSv1.3',
      },
      (socket) => {
        seen.push({ authorized: socket.authorized, subject: String(socket.getPeerCertificate().subject?.CN) });
        socket.on('error', () => {});
        socket.pipe(socket);
      },
    );
    server.on('tlsClientError', (error) => errors.push(error));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    cleanups.push(() => new Promise((resolve) => server.close(() => resolve())));
    return { port: (server.address() as { port: number }).port, seen, errors };
  }

  function clientWith(name: string | undefined): TLSContext {
    const context = new TLSContext('client');
    context.loadVerifyLocations({ cadata: pki('ca.pem') });
    if (name !== undefined) context.loadCertChain(pki(`${name}.pem`), pki(`${name}.key`));
    return context;
  }

  it.each(['client', 'client-rsa', 'client-ed25519'])('Node verifies our %s certificate', async (name) => {
    const { port, seen } = await nodeServer();
    const stream = await connect({ host: '127.0.0.1', port, servername: 'localhost', context: clientWith(name) });
    const [, echoed] = await Promise.all([writeAll(stream, new TextEncoder().encode('ping')), readAll(stream.readable)]);
    expect(new TextDecoder().decode(echoed)).toBe('ping');
    expect(seen).toEqual([{ authorized: true, subject: new X509Certificate(pki(`${name}.pem`)).subject.match(/CN=(.*)/)![1] }]);
  });

  it('without a certificate, Node answers with certificate_required', async () => {
    const { port, seen, errors } = await nodeServer();
    const stream = await connect({ host: '127.0.0.1', port, servername: 'localhost', context: clientWith(undefined) });
    // TLS 1.3: our handshake completes before the server has read our (empty) Certificate; its alert ends the read.
    const error = await rejection(readAll(stream.readable));
    expect(AlertError.isInstance(error) && error.alert?.name).toBe('certificate_required');
    expect(seen).toEqual([]);
    expect(errors.map((e) => (e as Error & { code?: string }).code)).toEqual(['ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE']);
  });
});

describe('Node’s tls.connect({ cert, key }) against our server with verifyMode required', () => {
  async function ourServer(): Promise<{ port: number; streams: SecureStream[]; errors: unknown[] }> {
    const streams: SecureStream[] = [];
    const errors: unknown[] = [];
    const context = serverContext({ verifyMode: 'required' });
    context.loadVerifyLocations({ cadata: pki('ca.pem') });
    const server = createServer({ context, onError: (error) => errors.push(error) }, (stream) => {
      streams.push(stream);
      stream.readable.pipeTo(stream.writable).catch(() => {});
    });
    const { port } = await server.listen(0, '127.0.0.1');
    cleanups.push(() => server.close());
    return { port, streams, errors };
  }

  it.each(['client', 'client-rsa', 'client-ed25519'])('our server verifies Node’s %s certificate and exposes it', async (name) => {
    const { port, streams, errors } = await ourServer();
    const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki('ca.pem'), cert: pki(`${name}.pem`), key: pki(`${name}.key`), minVersion: 'TLSv1.3' });
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    const ended = once(socket, 'end');
    socket.end('ping'); // then close_notify: our server echoes to the end and answers with its own
    await ended;
    expect(Buffer.concat(chunks).toString()).toBe('ping');
    expect(streams).toHaveLength(1);
    await streams[0]!.closed;
    expect(new Uint8Array(streams[0]!.info().peerCertificate!)).toEqual(der(`${name}.pem`));
    expect(errors).toEqual([]);
  });

  it('TLS 1.2: our server verifies Node’s certificate and its CertificateVerify', async () => {
    const { port, streams, errors } = await ourServer();
    const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki('ca.pem'), cert: pki('client-rsa.pem'), key: pki('client-rsa.key'), maxVersion: 'TLSv1.2' });
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    const ended = once(socket, 'end');
    socket.end('ping12');
    await ended;
    expect(Buffer.concat(chunks).toString()).toBe('ping12');
    expect(streams[0]!.info()).toMatchObject({ version: 'TLSv1.2' });
    expect(new Uint8Array(streams[0]!.info().peerCertificate!)).toEqual(der('client-rsa.pem'));
    await streams[0]!.closed;
    expect(errors).toEqual([]);
  });

  it('Node without a certificate gets certificate_required; our server reports why', async () => {
    const { port, streams, errors } = await ourServer();
    const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki('ca.pem'), minVersion: 'TLSv1.3' });
    const [error] = (await once(socket, 'error')) as [Error & { code?: string }];
    expect(error.code).toBe('ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED');
    await expect.poll(() => errors.length).toBe(1);
    expect(ProtocolError.isInstance(errors[0]) && errors[0].alert?.name).toBe('certificate_required');
    expect(streams).toEqual([]);
  });
});
