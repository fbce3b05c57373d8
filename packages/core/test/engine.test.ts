/**
 * The TLS 1.3 engine, client against server in memory, once per crypto provider (and across providers): every
 * suite, group and certificate type; HelloRetryRequest; ALPN and SNI; KeyUpdate; close and truncation; sticky
 * errors; callbacks; bounded BIOs.
 */
import { createHash } from 'node:crypto';
import {
  AlertError,
  CertVerificationError,
  EOFError,
  ProtocolError,
  WantReadError,
  WantWriteError,
  ZeroReturnError,
  X509VerifyCode,
} from '@tlsbio/errors';
import { describe, expect, it } from 'vitest';
import { pattern } from '../../../test/support/helpers.js';
import { TLSContext } from '../src/context.js';
import type { GroupName } from '../src/crypto/provider.js';
import { TLS13_SUITES } from '../src/suites.js';
import { ConnectionPair, caught, clientContext, pki, readOrNull, serverContext, type CertKind } from './helpers/pair.js';
import { providers } from './helpers/providers.js';

const GROUPS: readonly GroupName[] = ['x25519', 'secp256r1', 'secp384r1', 'X25519MLKEM768'];

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe.each(providers)('TLS 1.3 engine, %s provider', (_name, makeProvider) => {
  const provider = makeProvider();

  it.each(TLS13_SUITES.map((suite) => suite.name))('completes a handshake with %s and exchanges data', (suite) => {
    const pair = new ConnectionPair(clientContext(provider, { cipherSuites: [suite] }), serverContext(provider));
    pair.handshake();
    expect(pair.client.cipher()).toEqual(pair.server.cipher());
    expect(pair.client.cipher()?.[0]).toBe(suite);
    expect(pair.client.version()).toBe('TLSv1.3');
    expect(pair.server.version()).toBe('TLSv1.3');
    const data = pattern(1000);
    expect(pair.send('client', data)).toEqual(data);
    expect(pair.send('server', data)).toEqual(data);
  });

  it.each(GROUPS)('negotiates group %s', (group) => {
    const pair = new ConnectionPair(clientContext(provider, { groups: [group] }), serverContext(provider));
    pair.handshake();
    expect(pair.client.group()).toBe(group);
    expect(pair.server.group()).toBe(group);
    expect(pair.client.helloRetried).toBe(false);
  });

  it.each<CertKind>(['ecdsa', 'rsa', 'ed25519', 'p384'])('authenticates a server with a %s certificate', (kind) => {
    const pair = new ConnectionPair(clientContext(provider), serverContext(provider, {}, [kind]));
    pair.handshake();
    const der = pair.client.getPeerCertificate({ binary: true });
    expect(der).toBeInstanceOf(Uint8Array);
    const dict = pair.client.getPeerCertificate() as { subjectAltName?: unknown };
    expect(dict.subjectAltName).toContainEqual(['DNS', 'localhost']);
  });

  it('picks the certificate the client can verify when several are loaded', () => {
    const server = serverContext(provider, {}, ['rsa', 'ecdsa', 'ed25519']);
    const onlyEd25519 = new ConnectionPair(clientContext(provider, { signatureSchemes: ['ed25519'] }), server);
    onlyEd25519.handshake();
    const onlyRsa = new ConnectionPair(clientContext(provider, { signatureSchemes: ['rsa_pss_rsae_sha256'] }), server);
    onlyRsa.handshake();
    expect(onlyEd25519.client.getPeerCertificate({ binary: true })).not.toEqual(onlyRsa.client.getPeerCertificate({ binary: true }));
  });

  it('moves 1 MiB each way intact', () => {
    const pair = new ConnectionPair(clientContext(provider), serverContext(provider));
    pair.handshake();
    const data = pattern(1 << 20, 7);
    expect(sha256(pair.send('client', data))).toBe(sha256(data));
    expect(sha256(pair.send('server', data))).toBe(sha256(data));
  });

  it('answers a HelloRetryRequest when the server wants another group', () => {
    const client = clientContext(provider, { groups: ['x25519', 'secp384r1'] });
    const pair = new ConnectionPair(client, serverContext(provider, { groups: ['secp384r1'] }));
    pair.handshake();
    expect(pair.client.helloRetried).toBe(true);
    expect(pair.server.helloRetried).toBe(true);
    expect(pair.client.group()).toBe('secp384r1');
    expect(pair.send('client', pattern(100))).toEqual(pattern(100));
  });

  it('fails with handshake_failure when no group is shared', () => {
    const pair = new ConnectionPair(clientContext(provider, { groups: ['x25519'] }), serverContext(provider, { groups: ['secp384r1'] }));
    const error = caught(() => pair.handshake());
    expect(ProtocolError.isInstance(error) && error.reason).toBe('NO_SHARED_GROUPS');
    const clientError = caught(() => pair.client.doHandshake());
    expect(AlertError.isInstance(clientError) && clientError.alert?.name).toBe('handshake_failure');
  });

  it('negotiates ALPN by the server preference, and refuses when none is shared', () => {
    const pair = new ConnectionPair(
      clientContext(provider, { alpnProtocols: ['http/1.1', 'h2'] }),
      serverContext(provider, { alpnProtocols: ['h2', 'http/1.1'] }),
    );
    pair.handshake();
    expect(pair.client.selectedAlpnProtocol()).toBe('h2');
    expect(pair.server.selectedAlpnProtocol()).toBe('h2');

    const refused = new ConnectionPair(clientContext(provider, { alpnProtocols: ['x'] }), serverContext(provider, { alpnProtocols: ['h2'] }));
    const error = caught(() => refused.handshake());
    expect(error.alert?.name).toBe('no_application_protocol');
  });

  it('updates keys both ways on request and keeps the data flowing', () => {
    const pair = new ConnectionPair(clientContext(provider), serverContext(provider));
    pair.handshake();
    pair.client.keyUpdate({ requestPeer: true });
    expect(pair.send('client', pattern(50))).toEqual(pattern(50));
    expect(pair.send('server', pattern(60))).toEqual(pattern(60));
    pair.server.keyUpdate();
    expect(pair.send('server', pattern(70))).toEqual(pattern(70));
  });

  it('closes cleanly and half-closes: the side that has not closed may still send', () => {
    const pair = new ConnectionPair(clientContext(provider), serverContext(provider));
    pair.handshake();
    expect(() => pair.client.unwrap()).toThrow(WantReadError);
    pair.transfer();
    expect(caught(() => pair.server.read())).toBeInstanceOf(ZeroReturnError);
    expect(pair.send('server', pattern(123))).toEqual(pattern(123));
    pair.server.unwrap();
    pair.transfer();
    pair.client.unwrap();
    expect(caught(() => pair.client.read())).toBeInstanceOf(ZeroReturnError);
    expect(caught(() => pair.client.write(pattern(1))).reason).toBe('PROTOCOL_IS_SHUTDOWN');
  });

  it('reports a stream that ends without close_notify as EOFError, every time', () => {
    const pair = new ConnectionPair(clientContext(provider), serverContext(provider));
    pair.handshake();
    pair.server.write(pattern(10));
    pair.transfer();
    pair.clientIn.writeEof();
    expect(pair.client.read()).toEqual(pattern(10));
    const first = caught(() => pair.client.read());
    expect(first).toBeInstanceOf(EOFError);
    expect(caught(() => pair.client.read())).toBe(first);
  });

  it('fails verification against another CA with unknown_ca, and the error sticks', () => {
    const client = new TLSContext('client', { provider });
    client.loadVerifyLocations({ cadata: pki('other-ca.pem') });
    const pair = new ConnectionPair(client, serverContext(provider));
    const error = caught(() => pair.handshake());
    expect(CertVerificationError.isInstance(error)).toBe(true);
    expect((error as CertVerificationError).verifyCode).toBe(X509VerifyCode.X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
    expect(caught(() => pair.client.doHandshake())).toBe(error);
    expect(caught(() => pair.client.write(pattern(1)))).toBe(error);
    const serverError = caught(() => pair.server.doHandshake());
    expect(AlertError.isInstance(serverError) && serverError.alert?.name).toBe('unknown_ca');
  });

  it('checks the host name', () => {
    const pair = new ConnectionPair(clientContext(provider), serverContext(provider), { serverHostname: 'wrong.example' });
    const error = caught(() => pair.handshake());
    expect((error as CertVerificationError).verifyCode).toBe(X509VerifyCode.X509_V_ERR_HOSTNAME_MISMATCH);
  });

  it('connects without verification when verifyMode is none, and then reports an empty certificate dict', () => {
    const client = new TLSContext('client', { provider, verifyMode: 'none', checkHostname: false });
    const pair = new ConnectionPair(client, serverContext(provider));
    pair.handshake();
    expect(pair.client.getPeerCertificate()).toEqual({});
  });

  it('lets the SNI callback move the connection to another context', () => {
    const seen: (string | undefined)[] = [];
    const other = serverContext(provider, {}, ['ed25519']);
    const server = serverContext(provider);
    server.setServernameCallback((connection, name) => {
      seen.push(name);
      if (name === 'tlsbio.test') connection.context = other;
    });
    const pair = new ConnectionPair(clientContext(provider), server, { serverHostname: 'tlsbio.test' });
    pair.handshake();
    expect(seen).toEqual(['tlsbio.test']);
    expect(pair.server.context).toBe(other);
    const der = pair.client.getPeerCertificate({ binary: true })!;
    expect(new TextDecoder('latin1').decode(der)).not.toBe('');
  });

  it('aborts with internal_error when a callback throws, with the exception as cause', () => {
    const boom = new Error('boom');
    const server = serverContext(provider);
    server.setServernameCallback(() => {
      throw boom;
    });
    const pair = new ConnectionPair(clientContext(provider), server);
    const error = caught(() => pair.handshake());
    expect(ProtocolError.isInstance(error) && error.reason).toBe('CALLBACK_FAILED');
    expect(error.cause).toBe(boom);
    const clientError = caught(() => pair.client.doHandshake());
    expect(clientError.alert?.name).toBe('internal_error');
  });

  it('writes only what fits in a bounded outgoing BIO, in order, and WantWriteError when nothing fits', () => {
    const pair = new ConnectionPair(clientContext(provider), serverContext(provider), { serverOutLimit: 20_000 });
    pair.handshake();
    const data = pattern(100_000, 3);
    expect(pair.server.write(data.subarray(0, 16_000))).toBe(16_000);
    // 20,000 - 16,022 bytes of room left: one short record (22 bytes of overhead), then nothing.
    expect(pair.server.write(data.subarray(16_000))).toBe(20_000 - 16_022 - 22);
    expect(pair.serverOut.pending).toBe(20_000);
    expect(() => pair.server.write(data.subarray(16_000))).toThrow(WantWriteError);
    let sent = 16_000 + 20_000 - 16_022 - 22;
    const received: number[] = [];
    for (let round = 0; round < 100 && received.length < data.length; round++) {
      pair.transfer();
      for (let chunk = readOrNull(pair.client); chunk !== null; chunk = readOrNull(pair.client)) received.push(...chunk);
      if (sent < data.length) sent += pair.server.write(data.subarray(sent));
    }
    expect(Uint8Array.from(received)).toEqual(data);
  });

  it('writes the NSS key log for both sides, with equal secrets', () => {
    const clientLines: string[] = [];
    const serverLines: string[] = [];
    const client = clientContext(provider);
    client.setKeylogCallback((line) => clientLines.push(line));
    const server = serverContext(provider);
    server.setKeylogCallback((line) => serverLines.push(line));
    const pair = new ConnectionPair(client, server);
    pair.handshake();
    expect(clientLines.map((line) => line.split(' ')[0])).toEqual([
      'CLIENT_HANDSHAKE_TRAFFIC_SECRET',
      'SERVER_HANDSHAKE_TRAFFIC_SECRET',
      'CLIENT_TRAFFIC_SECRET_0',
      'SERVER_TRAFFIC_SECRET_0',
      'EXPORTER_SECRET',
    ]);
    expect([...serverLines].sort()).toEqual([...clientLines].sort());
  });

  it('freezes the context once a connection exists', () => {
    const context = clientContext(provider);
    new ConnectionPair(context, serverContext(provider));
    expect(() => context.setAlpnProtocols(['h2'])).toThrow(/in use/);
  });
});

describe('TLS 1.3 engine across providers', () => {
  it.each([
    ['node', 'portable'],
    ['portable', 'node'],
  ])('client on %s, server on %s', (clientName, serverName) => {
    const make = (name: string) => providers.find(([n]) => n === name)![1]();
    const pair = new ConnectionPair(clientContext(make(clientName)), serverContext(make(serverName)));
    pair.handshake();
    expect(pair.send('client', pattern(5000))).toEqual(pattern(5000));
  });
});
