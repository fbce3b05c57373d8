/**
 * Exported keying material and channel bindings cross-checked with OpenSSL through Node's `tls`: on one loopback
 * connection, Node's `tlsSocket.exportKeyingMaterial(length, label, context)` on the peer must return exactly the
 * bytes of our `exportKeyingMaterial(label, length, context)` — TLS 1.3 (RFC 8446 §7.5) and TLS 1.2 (RFC 5705 with
 * the extended master secret), SHA-256 and SHA-384 suites, our client against Node's server and Node's client
 * against our server, with no context, an empty one and a non-empty one. RFC 8448 publishes no exporter values, so
 * this agreement is the proof. tls-unique is checked against Node's getFinished()/getPeerFinished().
 */
import { once } from 'node:events';
import * as tls from 'node:tls';
import { TLSContext, type SecureStream } from '@tlsbio/core';
import { TLSVersion, isTLSError } from '@tlsbio/errors';
import { afterEach, describe, expect, it } from 'vitest';
import { connect, createServer } from '../src/index.js';
import { pki, serverContext } from './helpers.js';

/** OpenSSL's SSL_OP_NO_EXTENDED_MASTER_SECRET (ssl.h, SSL_OP_BIT(0)); Node does not name it. */
const SSL_OP_NO_EXTENDED_MASTER_SECRET = 1;

type Version = 'TLSv1.3' | 'TLSv1.2';
const CASES: ReadonlyArray<readonly [Version, string]> = [
  ['TLSv1.3', 'TLS_AES_128_GCM_SHA256'],
  ['TLSv1.3', 'TLS_AES_256_GCM_SHA384'],
  ['TLSv1.2', 'ECDHE-ECDSA-AES128-GCM-SHA256'],
  ['TLSv1.2', 'ECDHE-ECDSA-AES256-GCM-SHA384'],
];

const versionNumber = (version: Version) => (version === 'TLSv1.3' ? TLSVersion.TLSv1_3 : TLSVersion.TLSv1_2);
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const text = (s: string) => new TextEncoder().encode(s);

/** Node's exporter without a context (its types make the context mandatory; the runtime takes undefined as none). */
const NO_CONTEXT = undefined as unknown as Buffer;

const cleanups: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** One established connection: our end (a SecureStream) and Node's (a TLSSocket). */
interface Session {
  readonly ours: SecureStream;
  readonly node: tls.TLSSocket;
  readonly ourRole: 'client' | 'server';
}

async function ourClientNodeServer(version: Version, suite: string, nodeOptions: tls.TlsOptions = {}, ourOptions = {}): Promise<Session> {
  const server = tls.createServer({
    cert: pki('server-ecdsa-chain.pem'),
    key: pki('server-ecdsa.key'),
    minVersion: version,
    maxVersion: version,
    ...nodeOptions,
  });
  const accepted = once(server, 'secureConnection') as Promise<[tls.TLSSocket]>;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const context = new TLSContext('client', { minimumVersion: versionNumber(version), maximumVersion: versionNumber(version), cipherSuites: [suite], ...ourOptions });
  context.loadVerifyLocations({ cadata: pki('ca.pem') });
  const ours = await connect({ host: '127.0.0.1', port: (server.address() as { port: number }).port, servername: 'localhost', context });
  await ours.opened;
  const [node] = await accepted;
  node.on('error', () => {});
  cleanups.push(() => {
    node.destroy();
    void ours.close().catch(() => {});
  });
  return { ours, node, ourRole: 'client' };
}

async function nodeClientOurServer(version: Version, suite: string, nodeOptions: tls.ConnectionOptions = {}, ourOptions = {}): Promise<Session> {
  const streams: SecureStream[] = [];
  const server = createServer({ context: serverContext(ourOptions) }, (stream) => {
    streams.push(stream);
  });
  const { port } = await server.listen(0, '127.0.0.1');
  cleanups.push(() => server.close());
  const node = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki('ca.pem'), minVersion: version, maxVersion: version, ciphers: suite, ...nodeOptions });
  node.on('error', () => {});
  await once(node, 'secureConnect');
  await expect.poll(() => streams.length).toBe(1);
  const ours = streams[0]!;
  await ours.opened;
  cleanups.push(() => {
    node.destroy();
    void ours.close().catch(() => {});
  });
  return { ours, node, ourRole: 'server' };
}

/** The reason of the TLSError `run` throws. */
function reasonOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (isTLSError(error)) return error.reason;
    throw error;
  }
  throw new Error('expected an error');
}

describe.each([
  ['our client, Node’s server', ourClientNodeServer],
  ['Node’s client, our server', nodeClientOurServer],
] as const)('%s', (_title, open) => {
  it.each(CASES)('%s %s: exportKeyingMaterial equals OpenSSL’s, with and without context', async (version, suite) => {
    const { ours, node } = await open(version, suite);
    expect(node.getProtocol()).toBe(version);
    expect(ours.info()).toMatchObject({ version, cipher: suite });
    const conn = ours.connection;

    const label = 'EXPERIMENTAL-tlsbio-crosscheck';
    const context = text('a context value');
    const empty = new Uint8Array(0);
    for (const length of [1, 32, 100]) {
      const ourNone = conn.exportKeyingMaterial(label, length);
      const ourEmpty = conn.exportKeyingMaterial(label, length, empty);
      const ourWith = conn.exportKeyingMaterial(label, length, context);
      expect(ourNone.length).toBe(length);
      expect(hex(ourNone)).toBe(hex(node.exportKeyingMaterial(length, label, NO_CONTEXT)));
      expect(hex(ourEmpty)).toBe(hex(node.exportKeyingMaterial(length, label, Buffer.alloc(0))));
      expect(hex(ourWith)).toBe(hex(node.exportKeyingMaterial(length, label, Buffer.from(context))));
      // RFC 8446 §7.5: in TLS 1.3 no context is the empty context; RFC 5705 §4: in TLS 1.2 they differ. (Inequality
      // is only asserted where a chance collision is negligible: one byte collides once in 256 runs.)
      if (version === 'TLSv1.3') expect(hex(ourEmpty)).toBe(hex(ourNone));
      else if (length >= 32) expect(hex(ourEmpty)).not.toBe(hex(ourNone));
      if (length >= 32) expect(hex(ourWith)).not.toBe(hex(ourNone));
    }
    // A different label gives different bytes on both sides alike; a label beyond ASCII is UTF-8 on both; a long
    // context (more than one hash block) and a long output (several PRF/HKDF blocks) agree too.
    for (const other of ['EXPERIMENTAL-other', 'EXPERIMENTAL-étiquette-ラベル', '']) {
      expect(hex(conn.exportKeyingMaterial(other, 32)), other).toBe(hex(node.exportKeyingMaterial(32, other, NO_CONTEXT)));
    }
    // (OpenSSL 3.0's TLS 1.2 PRF takes at most 1024 bytes of seed — randoms, length and context — so 900 there.)
    const long = new Uint8Array(version === 'TLSv1.3' ? 5000 : 900).map((_, i) => i * 7);
    expect(hex(conn.exportKeyingMaterial(label, 1000, long))).toBe(hex(node.exportKeyingMaterial(1000, label, Buffer.from(long))));
  });

  it.each(CASES)('%s %s: the channel bindings equal OpenSSL’s', async (version, suite) => {
    const { ours, node, ourRole } = await open(version, suite);
    const conn = ours.connection;
    // RFC 9266: tls-exporter is 32 bytes under "EXPORTER-Channel-Binding", no context.
    const binding = conn.getChannelBinding('tls-exporter')!;
    expect(binding.length).toBe(32);
    expect(hex(binding)).toBe(hex(node.exportKeyingMaterial(32, 'EXPORTER-Channel-Binding', NO_CONTEXT)));
    if (version === 'TLSv1.3') {
      expect(reasonOf(() => conn.getChannelBinding('tls-unique'))).toBe('CHANNEL_BINDING_NOT_SUPPORTED');
    } else {
      // RFC 5929 §3.1: the first Finished of the (full) handshake, the client's.
      const clientFinished = ourRole === 'client' ? node.getPeerFinished() : node.getFinished();
      expect(clientFinished?.length).toBe(12);
      expect(hex(conn.getChannelBinding('tls-unique')!)).toBe(hex(clientFinished!));
    }
  });
});

describe('TLS 1.2 rules that OpenSSL shares or that we add', () => {
  it('a label starting with one of the PRF’s own is refused by both', async () => {
    const { ours, node } = await ourClientNodeServer('TLSv1.2', 'ECDHE-ECDSA-AES128-GCM-SHA256');
    for (const label of ['client finished', 'server finished', 'master secret', 'extended master secret', 'key expansion', 'key expansion and more']) {
      expect(reasonOf(() => ours.connection.exportKeyingMaterial(label, 16)), label).toBe('TLS_ILLEGAL_EXPORTER_LABEL');
      expect(() => node.exportKeyingMaterial(16, label, NO_CONTEXT), label).toThrow();
    }
  });

  it('without extended master secret, exporters and tls-exporter are refused; tls-unique still matches', async () => {
    // Node's server with SSL_OP_NO_EXTENDED_MASTER_SECRET, our client allowing that (requireExtendedMasterSecret: false).
    const { ours, node } = await ourClientNodeServer(
      'TLSv1.2',
      'ECDHE-ECDSA-AES128-GCM-SHA256',
      { secureOptions: SSL_OP_NO_EXTENDED_MASTER_SECRET },
      { requireExtendedMasterSecret: false },
    );
    const conn = ours.connection;
    expect(conn.version()).toBe('TLSv1.2');
    expect(reasonOf(() => conn.exportKeyingMaterial('EXPERIMENTAL-x', 32))).toBe('EXPORTER_NEEDS_EXTMS');
    expect(reasonOf(() => conn.getChannelBinding('tls-exporter'))).toBe('EXPORTER_NEEDS_EXTMS');
    expect(hex(conn.getChannelBinding('tls-unique')!)).toBe(hex(node.getPeerFinished()!));
  });

  it('the same refusal on our server, with Node’s client without extended master secret', async () => {
    const { ours, node } = await nodeClientOurServer(
      'TLSv1.2',
      'ECDHE-ECDSA-AES128-GCM-SHA256',
      { secureOptions: SSL_OP_NO_EXTENDED_MASTER_SECRET },
      { requireExtendedMasterSecret: false },
    );
    const conn = ours.connection;
    expect(conn.version()).toBe('TLSv1.2');
    expect(reasonOf(() => conn.exportKeyingMaterial('EXPERIMENTAL-x', 32, new Uint8Array(1)))).toBe('EXPORTER_NEEDS_EXTMS');
    expect(reasonOf(() => conn.getChannelBinding('tls-exporter'))).toBe('EXPORTER_NEEDS_EXTMS');
    expect(hex(conn.getChannelBinding('tls-unique')!)).toBe(hex(node.getFinished()!));
  });

  it('our server that requires extended master secret refuses Node’s client without it (handshake_failure)', async () => {
    const errors: unknown[] = [];
    const server = createServer({ context: serverContext(), onError: (error) => errors.push(error) }, () => {});
    const { port } = await server.listen(0, '127.0.0.1');
    cleanups.push(() => server.close());
    const node = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki('ca.pem'), maxVersion: 'TLSv1.2', secureOptions: SSL_OP_NO_EXTENDED_MASTER_SECRET });
    const [error] = (await once(node, 'error')) as [Error];
    expect(error.message).toMatch(/handshake failure/i);
    await expect.poll(() => errors.length).toBe(1);
    expect(errors[0]).toMatchObject({ reason: 'EXTENDED_MASTER_SECRET_REQUIRED' });
  });
});
