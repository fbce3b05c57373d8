/**
 * The client-certificate selection callback (TLSContext.setClientCertificateCallback): what it is told, a synchronous
 * and an asynchronous choice (WantX509LookupError until its Promise settles, in the sans-IO API and through the async
 * driver), and its failures. Once per crypto provider.
 */
import { AlertError, ProtocolError, WantReadError, WantX509LookupError } from '@tlsbio/errors';
import { describe, expect, it } from 'vitest';
import { decodePem } from '../src/asn1/pem.js';
import type { CertificateRequestInfo, CertifiedKey, TLSContext } from '../src/context.js';
import { splitTransport } from '../src/split-transport.js';
import { secure } from '../src/stream.js';
import { ConnectionPair, caught, clientContext, pki, serverContext } from './helpers/pair.js';
import { providers } from './helpers/providers.js';

const subjectCommonName = (certified: CertifiedKey) => certified.leaf.subject.attributes.flat().find((a) => a.name === 'commonName')?.value;

describe.each(providers)('client-certificate callback, %s provider', (_name, makeProvider) => {
  const provider = makeProvider();

  function server(verifyMode: 'optional' | 'required' = 'required'): TLSContext {
    const context = serverContext(provider, { verifyMode, minimumVersion: 0x0304 });
    context.loadVerifyLocations({ cadata: pki('ca.pem') });
    return context;
  }

  /** A client holding the ECDSA, RSA and Ed25519 client chains, in that order. */
  function client(): TLSContext {
    const context = clientContext(provider);
    for (const name of ['client', 'client-rsa', 'client-ed25519']) context.loadCertChain(pki(`${name}.pem`), pki(`${name}.key`));
    return context;
  }

  it('is told the request and chooses among the chains; the server sees the chosen one', () => {
    const context = client();
    const seen: CertificateRequestInfo[] = [];
    context.setClientCertificateCallback((connection, request) => {
      expect(connection.serverSide).toBe(false);
      seen.push(request);
      return request.candidates.find((c) => subjectCommonName(c) === 'tlsbio Test Client Ed25519') ?? null;
    });
    const pair = new ConnectionPair(context, server());
    pair.handshake();
    expect(seen).toHaveLength(1);
    const request = seen[0]!;
    expect(request.postHandshake).toBe(false);
    expect(request.candidates.map(subjectCommonName)).toEqual(['tlsbio Test Client', 'tlsbio Test Client RSA', 'tlsbio Test Client Ed25519']);
    expect(request.signatureSchemes).toContain('ed25519');
    expect(request.signatureSchemes).not.toContain('rsa_pkcs1_sha256'); // never in a TLS 1.3 CertificateVerify
    // certificate_authorities: the subject of the server's one trust anchor, as DER.
    const caSubject = context.trustAnchors[0]!.subject.der;
    expect(request.certificateAuthorities).toEqual([caSubject]);
    expect(pair.server.getPeerCertificate()).toMatchObject({ subject: [[['organizationName', 'tlsbio']], [['commonName', 'tlsbio Test Client Ed25519']]] });
  });

  it('returning null sends an empty Certificate (and a server that requires one says certificate_required)', () => {
    const context = client();
    context.setClientCertificateCallback(() => null);
    const pair = new ConnectionPair(context, server('required'));
    expect(caught(() => pair.handshake()).alert?.name).toBe('certificate_required');
    const optional = new ConnectionPair(client(), server('optional'));
    optional.handshake();
    expect(optional.server.getPeerCertificate()).not.toBeNull();
  });

  it('an asynchronous choice: WantX509LookupError until the Promise settles, then the handshake goes on', async () => {
    const context = client();
    let resolve!: (value: CertifiedKey) => void;
    let request!: CertificateRequestInfo;
    context.setClientCertificateCallback((_connection, info) => {
      request = info;
      return new Promise<CertifiedKey>((r) => (resolve = r));
    });
    const pair = new ConnectionPair(context, server());
    expect(WantReadError.isInstance(caught(() => pair.client.doHandshake()))).toBe(true);
    pair.transfer();
    expect(WantReadError.isInstance(caught(() => pair.server.doHandshake()))).toBe(true);
    pair.transfer();
    // The server's flight is in: the client waits for the callback, however often it is called, and sends nothing.
    expect(pair.client.pendingLookup).toBeUndefined();
    for (let i = 0; i < 3; i++) expect(WantX509LookupError.isInstance(caught(() => pair.client.doHandshake()))).toBe(true);
    expect(pair.client.pendingLookup).toBeInstanceOf(Promise);
    // Nothing but the middlebox-compatibility change_cipher_spec, which went out with the ServerHello.
    expect(pair.clientOut.read()).toEqual(new Uint8Array([0x14, 0x03, 0x03, 0x00, 0x01, 0x01]));
    expect(pair.client.handshakeComplete).toBe(false);
    resolve(request.candidates[1]!);
    await pair.client.pendingLookup;
    pair.client.doHandshake();
    expect(pair.client.pendingLookup).toBeUndefined();
    pair.transfer();
    pair.server.doHandshake();
    expect(pair.server.getPeerCertificate()).toMatchObject({ subject: [[['organizationName', 'tlsbio']], [['commonName', 'tlsbio Test Client RSA']]] });
    expect(pair.send('client', new Uint8Array([7, 8, 9]))).toEqual(new Uint8Array([7, 8, 9]));
  });

  it('a rejected Promise aborts the handshake with internal_error, the rejection as cause', async () => {
    const context = client();
    const failure = new Error('token removed');
    context.setClientCertificateCallback(() => Promise.reject(failure));
    const pair = new ConnectionPair(context, server());
    caught(() => pair.client.doHandshake());
    pair.transfer();
    caught(() => pair.server.doHandshake());
    pair.transfer();
    expect(WantX509LookupError.isInstance(caught(() => pair.client.doHandshake()))).toBe(true);
    await pair.client.pendingLookup;
    const error = caught(() => pair.client.doHandshake());
    expect(ProtocolError.isInstance(error) && error.reason).toBe('CALLBACK_FAILED');
    expect(error.alert?.name).toBe('internal_error');
    expect(error.cause).toBe(failure);
    pair.transfer();
    const serverError = caught(() => pair.server.doHandshake());
    expect(AlertError.isInstance(serverError) && serverError.alert?.name).toBe('internal_error');
  });

  it('a chain that is not one of the candidates is refused as a callback failure', () => {
    const context = client();
    const stranger = clientContext(provider);
    stranger.loadCertChain(pki('client.pem'), pki('client.key'));
    context.setClientCertificateCallback(() => stranger.certifiedKeys[0]!);
    const pair = new ConnectionPair(context, server());
    const error = caught(() => pair.handshake());
    expect(ProtocolError.isInstance(error) && error.reason).toBe('CALLBACK_FAILED');
    expect(error.alert?.name).toBe('internal_error');
  });

  it('the async driver secure() waits for the Promise by itself', { timeout: 10_000 }, async () => {
    const context = client();
    let calls = 0;
    context.setClientCertificateCallback(async (_connection, request) => {
      calls++;
      await new Promise((r) => setTimeout(r, 20));
      return request.candidates[2]!;
    });
    const up = new TransformStream<Uint8Array, Uint8Array>();
    const down = new TransformStream<Uint8Array, Uint8Array>();
    const clientStream = secure(splitTransport({ reader: down.readable, writer: up.writable }), context, { serverHostname: 'localhost' });
    const serverStream = secure(splitTransport({ reader: up.readable, writer: down.writable }), server(), {});
    const [clientInfo, serverInfo] = await Promise.all([clientStream.opened, serverStream.opened]);
    expect(calls).toBe(1);
    expect(clientInfo.version).toBe('TLSv1.3');
    const expected = decodePem(pki('client-ed25519.pem'))[0]!.der;
    expect(new Uint8Array(serverInfo.peerCertificate!)).toEqual(expected);
    // Data flows once the handshake has gone on.
    // (A TransformStream's write settles only once its other end reads: write and read together.)
    const [, { value }] = await Promise.all([clientStream.writable.getWriter().write(new Uint8Array([1, 2, 3])), serverStream.readable.getReader().read()]);
    expect(value).toEqual(new Uint8Array([1, 2, 3]));
  });
});
