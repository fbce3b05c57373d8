/**
 * exportKeyingMaterial and getChannelBinding on both ends of an in-memory pair, once per crypto provider: both ends
 * agree, the TLS 1.3 value is recomputed independently from the key log's EXPORTER_SECRET with node:crypto's HMAC
 * (RFC 8446 §7.1, §7.5), and misuse gets typed errors. Agreement with OpenSSL is in
 * transport-net/test/node-tls-exporters.test.ts.
 */
import { createHmac, createHash } from 'node:crypto';
import { InvalidArgumentError, TLSVersion } from '@tlsbio/errors';
import { describe, expect, it } from 'vitest';
import { ConnectionPair, caught, clientContext, serverContext } from './helpers/pair.js';
import { providers } from './helpers/providers.js';
import { fromHex } from './helpers/wire.js';

const ONLY = (version: number) => ({ minimumVersion: version, maximumVersion: version });
const text = (s: string) => new TextEncoder().encode(s);
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

/** HKDF-Expand-Label (RFC 8446 §7.1) with SHA-256, written from the RFC with node:crypto, independent of ours. */
function expandLabel(secret: Buffer, label: string, context: Buffer, length: number): Buffer {
  const full = Buffer.from(`tls13 ${label}`, 'ascii');
  const info = Buffer.concat([Buffer.from([length >> 8, length & 0xff, full.length]), full, Buffer.from([context.length]), context]);
  const blocks: Buffer[] = [];
  let previous = Buffer.alloc(0);
  for (let i = 1; Buffer.concat(blocks).length < length; i++) {
    previous = createHmac('sha256', secret).update(Buffer.concat([previous, info, Buffer.from([i])])).digest();
    blocks.push(previous);
  }
  return Buffer.concat(blocks).subarray(0, length);
}
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest();

describe.each(providers)('exporters, %s provider', (_name, makeProvider) => {
  const provider = makeProvider();

  function pair13(): { pair: ConnectionPair; exporterSecret: () => Buffer } {
    const lines: string[] = [];
    const client = clientContext(provider, { ...ONLY(TLSVersion.TLSv1_3), cipherSuites: ['TLS_AES_128_GCM_SHA256'] });
    client.setKeylogCallback((line) => lines.push(line));
    const pair = new ConnectionPair(client, serverContext(provider));
    const exporterSecret = () => Buffer.from(fromHex(lines.find((line) => line.startsWith('EXPORTER_SECRET '))!.split(' ')[2]!));
    return { pair, exporterSecret };
  }

  it('TLS 1.3: both ends export the same bytes, which RFC 8446 §7.5 recomputes from EXPORTER_SECRET', () => {
    const { pair, exporterSecret } = pair13();
    pair.handshake();
    const label = 'EXPERIMENTAL-tlsbio';
    const context = text('context');
    const ours = pair.client.exportKeyingMaterial(label, 48, context);
    expect(hex(pair.server.exportKeyingMaterial(label, 48, context))).toBe(hex(ours));
    // TLS-Exporter = HKDF-Expand-Label(Derive-Secret(exporter_master_secret, label, ""), "exporter", Hash(context), L)
    const derived = expandLabel(exporterSecret(), label, sha256(new Uint8Array(0)), 32);
    expect(hex(ours)).toBe(expandLabel(derived, 'exporter', sha256(context), 48).toString('hex'));
    // No context is the empty context in TLS 1.3.
    expect(hex(pair.client.exportKeyingMaterial(label, 16))).toBe(hex(pair.server.exportKeyingMaterial(label, 16, new Uint8Array(0))));
    // tls-exporter (RFC 9266): 32 bytes under "EXPORTER-Channel-Binding".
    const binding = pair.client.getChannelBinding('tls-exporter')!;
    expect(hex(binding)).toBe(hex(pair.server.getChannelBinding()!));
    expect(hex(binding)).toBe(expandLabel(expandLabel(exporterSecret(), 'EXPORTER-Channel-Binding', sha256(new Uint8Array(0)), 32), 'exporter', sha256(new Uint8Array(0)), 32).toString('hex'));
    expect(caught(() => pair.client.getChannelBinding('tls-unique'))).toMatchObject({ reason: 'CHANNEL_BINDING_NOT_SUPPORTED' });
  });

  it('TLS 1.2: both ends agree; absent and empty context differ; tls-unique is the client Finished on both ends', () => {
    const pair = new ConnectionPair(clientContext(provider, ONLY(TLSVersion.TLSv1_2)), serverContext(provider));
    pair.handshake();
    expect(pair.client.version()).toBe('TLSv1.2');
    const label = 'EXPERIMENTAL-tlsbio';
    for (const context of [undefined, new Uint8Array(0), text('context')]) {
      expect(hex(pair.client.exportKeyingMaterial(label, 40, context))).toBe(hex(pair.server.exportKeyingMaterial(label, 40, context)));
    }
    expect(hex(pair.client.exportKeyingMaterial(label, 32))).not.toBe(hex(pair.client.exportKeyingMaterial(label, 32, new Uint8Array(0))));
    expect(hex(pair.client.getChannelBinding('tls-exporter')!)).toBe(hex(pair.server.getChannelBinding('tls-exporter')!));
    const unique = pair.client.getChannelBinding('tls-unique')!;
    expect(unique.length).toBe(12);
    expect(hex(pair.server.getChannelBinding('tls-unique')!)).toBe(hex(unique));
    // A copy each time: the caller cannot change what the connection keeps.
    unique.fill(0);
    expect(hex(pair.client.getChannelBinding('tls-unique')!)).not.toBe(hex(unique));
    expect(caught(() => pair.client.exportKeyingMaterial('key expansion', 16))).toMatchObject({ reason: 'TLS_ILLEGAL_EXPORTER_LABEL' });
  });

  it('before the handshake completes: exporters refuse with STILL_IN_INIT, channel bindings are null (as Python)', () => {
    const { pair } = pair13();
    for (const connection of [pair.client, pair.server]) {
      const error = caught(() => connection.exportKeyingMaterial('EXPERIMENTAL-x', 32));
      expect(InvalidArgumentError.isInstance(error)).toBe(true);
      expect(error.reason).toBe('STILL_IN_INIT');
      expect(connection.getChannelBinding('tls-exporter')).toBeNull();
      expect(connection.getChannelBinding('tls-unique')).toBeNull();
    }
  });

  it('misuse gets InvalidArgumentError with the reason, and the connection goes on', () => {
    const { pair } = pair13();
    pair.handshake();
    const conn = pair.client;
    const cases: Array<[() => unknown, string]> = [
      [() => conn.exportKeyingMaterial(42 as unknown as string, 32), 'INVALID_ARGUMENT'],
      [() => conn.exportKeyingMaterial('EXPERIMENTAL-x', 32, 'text' as unknown as Uint8Array), 'INVALID_ARGUMENT'],
      [() => conn.exportKeyingMaterial('EXPERIMENTAL-x', -1), 'INVALID_ARGUMENT'],
      [() => conn.exportKeyingMaterial('EXPERIMENTAL-x', 1.5), 'INVALID_ARGUMENT'],
      [() => conn.exportKeyingMaterial('EXPERIMENTAL-x', 255 * 32 + 1), 'INVALID_ARGUMENT'],
      [() => conn.exportKeyingMaterial('x'.repeat(250), 32), 'INVALID_ARGUMENT'],
      [() => conn.getChannelBinding('tls-server-end-point' as 'tls-unique'), 'CHANNEL_BINDING_NOT_SUPPORTED'],
    ];
    for (const [run, reason] of cases) {
      const error = caught(run);
      expect(InvalidArgumentError.isInstance(error), String(run)).toBe(true);
      expect(error.reason, String(run)).toBe(reason);
    }
    expect(conn.exportKeyingMaterial('EXPERIMENTAL-x', 255 * 32).length).toBe(255 * 32);
    expect(pair.send('client', text('still fine'))).toEqual(text('still fine'));
  });

  it('after a fatal error, exporters and bindings throw that error, as every call does', () => {
    const { pair } = pair13();
    pair.handshake();
    pair.clientIn.write(new Uint8Array([23, 3, 3, 0, 20, ...new Uint8Array(20)])); // a record that cannot open
    const fatal = caught(() => pair.client.read());
    expect(fatal.reason).toBe('BAD_RECORD_MAC');
    expect(caught(() => pair.client.exportKeyingMaterial('EXPERIMENTAL-x', 32))).toBe(fatal);
    expect(caught(() => pair.client.getChannelBinding('tls-exporter'))).toBe(fatal);
  });
});

describe('exporters across providers', () => {
  // The portable provider's HKDF/PRF against node:crypto's, on one connection: a client on one, the server on the other.
  const [node, portable] = [providers[0]![1](), providers[1]![1]()];
  it.each([
    ['TLS 1.3, SHA-384 suite', TLSVersion.TLSv1_3, 'TLS_AES_256_GCM_SHA384'],
    ['TLS 1.2, SHA-384 suite', TLSVersion.TLSv1_2, 'ECDHE-ECDSA-AES256-GCM-SHA384'],
    ['TLS 1.2, SHA-256 suite', TLSVersion.TLSv1_2, 'ECDHE-ECDSA-CHACHA20-POLY1305'],
  ] as const)('%s: a portable client and a node server export the same bytes, and the reverse', (_title, version, suite) => {
    for (const [clientProvider, serverProvider] of [[portable, node], [node, portable]] as const) {
      const pair = new ConnectionPair(clientContext(clientProvider, { ...ONLY(version), cipherSuites: [suite] }), serverContext(serverProvider));
      pair.handshake();
      expect(pair.client.cipher()![0]).toBe(suite);
      for (const context of [undefined, new Uint8Array(0), text('context')]) {
        expect(hex(pair.client.exportKeyingMaterial('EXPERIMENTAL-x', 200, context))).toBe(hex(pair.server.exportKeyingMaterial('EXPERIMENTAL-x', 200, context)));
      }
      expect(hex(pair.client.getChannelBinding()!)).toBe(hex(pair.server.getChannelBinding()!));
    }
  });
});
