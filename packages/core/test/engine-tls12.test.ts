/**
 * The TLS 1.2 engine (RFC 5246, RFC 8422, RFC 7627, RFC 5746), client against server in memory, once per crypto
 * provider: every suite, group and certificate type; version negotiation with TLS 1.3 both ways; data, close and
 * truncation; the API on a TLS 1.2 connection.
 */
import { EOFError, InvalidArgumentError, TLSVersion, ZeroReturnError } from '@tlsbio/errors';
import { describe, expect, it } from 'vitest';
import { pattern } from '../../../test/support/helpers.js';
import type { GroupName } from '../src/crypto/provider.js';
import { TLS12_SUITES } from '../src/suites.js';
import { ConnectionPair, caught, clientContext, readOrNull, serverContext, type CertKind } from './helpers/pair.js';
import { providers } from './helpers/providers.js';

const TLS12_ONLY = { minimumVersion: TLSVersion.TLSv1_2, maximumVersion: TLSVersion.TLSv1_2 } as const;

describe.each(providers)('TLS 1.2 engine, %s provider', (_name, makeProvider) => {
  const provider = makeProvider();

  it.each(TLS12_SUITES.map((suite) => [suite.name, suite.auth === 'ECDSA' ? 'ecdsa' : 'rsa'] as const))(
    'completes a handshake with %s (%s certificate) and exchanges data',
    (suite, kind) => {
      const pair = new ConnectionPair(clientContext(provider, { ...TLS12_ONLY, cipherSuites: [suite] }), serverContext(provider, {}, [kind]));
      pair.handshake();
      expect(pair.client.version()).toBe('TLSv1.2');
      expect(pair.server.version()).toBe('TLSv1.2');
      expect(pair.client.cipher()).toEqual([suite, 'TLSv1.2', suite.includes('AES128') ? 128 : 256]);
      expect(pair.server.cipher()).toEqual(pair.client.cipher());
      const data = pattern(40000, 3);
      expect(pair.send('client', data)).toEqual(data);
      expect(pair.send('server', data)).toEqual(data);
    },
  );

  it.each<GroupName>(['x25519', 'secp256r1', 'secp384r1'])('negotiates group %s (the server\'s choice)', (group) => {
    const pair = new ConnectionPair(clientContext(provider, TLS12_ONLY), serverContext(provider, { groups: [group] }));
    pair.handshake();
    expect(pair.client.group()).toBe(group);
    expect(pair.server.group()).toBe(group);
  });

  it('keeps ECDSA certificates to the curves the client lists (RFC 8422 §5.1): P-384 chain chosen, or none', () => {
    const server = serverContext(provider, {}, ['ecdsa', 'p384']);
    const pair = new ConnectionPair(clientContext(provider, { ...TLS12_ONLY, groups: ['x25519', 'secp384r1'] }), server);
    pair.handshake();
    expect(pair.client.getPeerCertificate({ binary: true })).toEqual(new ConnectionPair(clientContext(provider), serverContext(provider, {}, ['p384'])).server.context.certifiedKeys[0]!.chain[0]);
    const none = new ConnectionPair(clientContext(provider, { ...TLS12_ONLY, groups: ['x25519'] }), serverContext(provider));
    expect(caught(() => none.handshake())).toMatchObject({ reason: 'NO_SHARED_CIPHER', alert: { description: 40, sent: true } });
  });

  it.each<CertKind>(['ecdsa', 'rsa', 'ed25519', 'p384'])('authenticates a server with a %s certificate', (kind) => {
    const pair = new ConnectionPair(clientContext(provider, TLS12_ONLY), serverContext(provider, {}, [kind]));
    pair.handshake();
    const dict = pair.client.getPeerCertificate() as { subjectAltName?: unknown };
    expect(dict.subjectAltName).toContainEqual(['DNS', 'localhost']);
    expect(pair.client.getPeerCertChain()?.length).toBeGreaterThan(0);
  });

  it('moves 1 MiB each way intact', () => {
    const pair = new ConnectionPair(clientContext(provider, TLS12_ONLY), serverContext(provider));
    pair.handshake();
    const data = pattern(1024 * 1024, 9);
    expect(pair.send('client', data)).toEqual(data);
    expect(pair.send('server', data)).toEqual(data);
  });

  it('ALPN and SNI work as in TLS 1.3', () => {
    const server = serverContext(provider, { alpnProtocols: ['h2', 'http/1.1'] });
    let seen: string | undefined;
    server.setServernameCallback((_conn, name) => {
      seen = name;
    });
    const pair = new ConnectionPair(clientContext(provider, { ...TLS12_ONLY, alpnProtocols: ['http/1.1', 'h2'] }), server);
    pair.handshake();
    expect(seen).toBe('localhost');
    expect(pair.client.selectedAlpnProtocol()).toBe('h2');
    expect(pair.server.selectedAlpnProtocol()).toBe('h2');
    expect(pair.server.requestedServerName()).toBe('localhost');
    expect(pair.client.requestedServerName()).toBe('localhost');
  });

  it('a TLS 1.3-capable pair negotiates TLS 1.3; a 1.2-only side brings both to TLS 1.2', () => {
    const both = new ConnectionPair(clientContext(provider), serverContext(provider));
    both.handshake();
    expect(both.client.version()).toBe('TLSv1.3');
    const oldServer = new ConnectionPair(clientContext(provider), serverContext(provider, TLS12_ONLY));
    oldServer.handshake();
    expect([oldServer.client.version(), oldServer.server.version()]).toEqual(['TLSv1.2', 'TLSv1.2']);
    const oldClient = new ConnectionPair(clientContext(provider, TLS12_ONLY), serverContext(provider));
    oldClient.handshake();
    expect([oldClient.client.version(), oldClient.server.version()]).toEqual(['TLSv1.2', 'TLSv1.2']);
  });

  it('refuses versions outside the range: a 1.3-only side and a 1.2-only side get protocol_version', () => {
    const only13 = { minimumVersion: TLSVersion.TLSv1_3 };
    for (const [client, server] of [
      [clientContext(provider, only13), serverContext(provider, TLS12_ONLY)],
      [clientContext(provider, TLS12_ONLY), serverContext(provider, only13)],
    ] as const) {
      const pair = new ConnectionPair(client, server);
      // The server sees the ClientHello first and refuses it.
      expect(caught(() => pair.handshake())).toMatchObject({ reason: 'UNSUPPORTED_PROTOCOL', alert: { description: 70, sent: true } });
      expect(caught(() => pair.client.doHandshake())).toMatchObject({ reason: 'TLSV1_ALERT_PROTOCOL_VERSION', alert: { sent: false } });
    }
  });

  it('close_notify is ZeroReturnError, a cut stream EOFError, errors stick', () => {
    const pair = new ConnectionPair(clientContext(provider, TLS12_ONLY), serverContext(provider));
    pair.handshake();
    pair.client.write(new TextEncoder().encode('bye'));
    expect(() => pair.client.unwrap()).toThrow();
    pair.transfer();
    expect(new TextDecoder().decode(readOrNull(pair.server)!)).toBe('bye');
    expect(() => pair.server.read()).toThrow(ZeroReturnError);
    const cut = new ConnectionPair(clientContext(provider, TLS12_ONLY), serverContext(provider));
    cut.handshake();
    cut.clientIn.writeEof();
    const error = caught(() => cut.client.read());
    expect(error).toBeInstanceOf(EOFError);
    expect(caught(() => cut.client.read())).toBe(error);
  });

  it('keyUpdate() is refused on TLS 1.2', () => {
    const pair = new ConnectionPair(clientContext(provider, TLS12_ONLY), serverContext(provider));
    pair.handshake();
    expect(() => pair.client.keyUpdate()).toThrow(InvalidArgumentError);
  });
});
