/**
 * getServerCertificate (Python's ssl.get_server_certificate) against Node's own tls server: the leaf or the chain as
 * PEM, unverified by default, verified with `ca`, and the failures.
 */
import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import * as tls from 'node:tls';
import { CertVerificationError, InvalidArgumentError } from '@tlsbio/errors';
import { afterEach, describe, expect, it } from 'vitest';
import { getServerCertificate } from '../src/index.js';
import { pki, rejection } from './helpers.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The PEM blocks of `text`, normalised (what Node's X509Certificate prints). */
const blocks = (text: string) => [...text.matchAll(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----\n?/g)].map((m) => new X509Certificate(m[0]).toString());

async function nodeServer(cert: string, key: string): Promise<{ port: number; servernames: Array<string | false> }> {
  const servernames: Array<string | false> = [];
  const server = tls.createServer({ cert: pki(cert), key: pki(key) }, (socket) => {
    servernames.push((socket as tls.TLSSocket & { servername: string | false }).servername);
    socket.on('error', () => {});
    socket.end();
  });
  server.on('tlsClientError', () => {});
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.push(() => new Promise((resolve) => server.close(() => resolve())));
  return { port: (server.address() as { port: number }).port, servernames };
}

describe('getServerCertificate', () => {
  it('returns the leaf as PEM, unverified by default, with SNI from servername', async () => {
    const { port, servernames } = await nodeServer('server-ecdsa-chain.pem', 'server-ecdsa.key');
    const pem = await getServerCertificate('127.0.0.1', port, { servername: 'tlsbio.test' });
    expect(pem).toMatch(/^-----BEGIN CERTIFICATE-----\n([A-Za-z0-9+/=]{64}\n)*[A-Za-z0-9+/=]{1,64}\n-----END CERTIFICATE-----\n$/);
    expect(blocks(pem)).toEqual(blocks(pki('server-ecdsa.pem')));
    await expect.poll(() => servernames).toEqual(['tlsbio.test']);
  });

  it('with chain: every certificate the server sent, leaf first', async () => {
    const { port } = await nodeServer('server-ecdsa-chain.pem', 'server-ecdsa.key');
    const pem = await getServerCertificate('127.0.0.1', port, { chain: true });
    expect(blocks(pem)).toEqual(blocks(pki('server-ecdsa-chain.pem')));
    expect(blocks(pem)).toHaveLength(2);
  });

  it('a self-signed server is returned when nothing is verified', async () => {
    const { port } = await nodeServer('self-signed.pem', 'self-signed.key');
    expect(blocks(await getServerCertificate('127.0.0.1', port))).toEqual(blocks(pki('self-signed.pem')));
  });

  it('with ca: the chain and the name are verified first', async () => {
    const { port } = await nodeServer('server-ecdsa-chain.pem', 'server-ecdsa.key');
    expect(blocks(await getServerCertificate('127.0.0.1', port, { ca: pki('ca.pem'), servername: 'localhost' }))).toHaveLength(1);
    const error = await rejection(getServerCertificate('127.0.0.1', port, { ca: pki('other-ca.pem'), servername: 'localhost' }));
    expect(CertVerificationError.isInstance(error) && error.verifyCode).toBe(20);
    const wrongName = await rejection(getServerCertificate('127.0.0.1', port, { ca: pki('ca.pem'), servername: 'other.example' }));
    expect(CertVerificationError.isInstance(wrongName) && wrongName.verifyCode).toBe(62);
  });

  it('refuses ca together with verify: false', async () => {
    const error = await rejection(getServerCertificate('127.0.0.1', 1, { ca: pki('ca.pem'), verify: false }));
    expect(InvalidArgumentError.isInstance(error)).toBe(true);
  });
});
