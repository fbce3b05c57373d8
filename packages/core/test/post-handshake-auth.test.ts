/**
 * Post-handshake client authentication (RFC 8446 §4.6.2) between our own client and server, once per crypto
 * provider: the request, the client's answer on its next read, the result on the server after its next read, repeated
 * requests, an empty answer, an asynchronous certificate choice, and misuse.
 */
import { AlertError, InvalidArgumentError, ProtocolError, WantReadError, WantX509LookupError } from '@tlsbio/errors';
import { describe, expect, it } from 'vitest';
import type { CertifiedKey, TLSContext, TLSContextOptions } from '../src/context.js';
import { splitTransport } from '../src/split-transport.js';
import { secure } from '../src/stream.js';
import { ConnectionPair, caught, clientContext, pki, readOrNull, serverContext } from './helpers/pair.js';
import { providers } from './helpers/providers.js';

const CN = (name: string) => ({ subject: [[['organizationName', 'tlsbio']], [['commonName', name]]] });

describe.each(providers)('post-handshake authentication, %s provider', (_name, makeProvider) => {
  const provider = makeProvider();

  function server(options: TLSContextOptions = {}): TLSContext {
    const context = serverContext(provider, { verifyMode: 'required', postHandshakeAuth: true, minimumVersion: 0x0304, ...options });
    context.loadVerifyLocations({ cadata: pki('ca.pem') });
    return context;
  }

  function client(names: readonly string[] = ['client'], options: TLSContextOptions = {}): TLSContext {
    const context = clientContext(provider, { postHandshakeAuth: true, ...options });
    for (const name of names) context.loadCertChain(pki(`${name}.pem`), pki(`${name}.key`));
    return context;
  }

  /** The request, the client's answer on its read, the server's read: what `verifyClientPostHandshake` sets going. */
  function authenticate(pair: ConnectionPair): void {
    pair.server.verifyClientPostHandshake();
    pair.transfer();
    expect(readOrNull(pair.client)).toBeNull(); // takes the request, answers it
    pair.transfer();
    expect(readOrNull(pair.server)).toBeNull(); // takes the answer
  }

  it('the server defers the request, asks after the handshake, and sees the certificate after its next read', () => {
    const pair = new ConnectionPair(client(), server());
    pair.handshake();
    // postHandshakeAuth on the server: no CertificateRequest in the handshake.
    expect(pair.server.getPeerCertificate()).toBeNull();
    pair.server.verifyClientPostHandshake();
    pair.transfer();
    expect(pair.server.getPeerCertificate()).toBeNull(); // not before the answer has been read
    expect(readOrNull(pair.client)).toBeNull();
    pair.transfer();
    expect(readOrNull(pair.server)).toBeNull();
    expect(pair.server.getPeerCertificate()).toMatchObject(CN('tlsbio Test Client'));
    expect(pair.server.getVerifiedChain()).toHaveLength(2);
    // The connection goes on in both directions.
    expect(pair.send('client', new Uint8Array([1, 2]))).toEqual(new Uint8Array([1, 2]));
    expect(pair.send('server', new Uint8Array([3, 4]))).toEqual(new Uint8Array([3, 4]));
  });

  it('application data sent before the answer is delivered, and the request can be repeated', () => {
    const pair = new ConnectionPair(client(['client-rsa']), server());
    pair.handshake();
    pair.server.verifyClientPostHandshake();
    pair.client.write(new Uint8Array([9, 9, 9]));
    pair.transfer();
    expect(pair.send('server', new Uint8Array([5]))).toEqual(new Uint8Array([5])); // the client answers while reading
    pair.transfer();
    expect(pair.server.read()).toEqual(new Uint8Array([9, 9, 9]));
    expect(readOrNull(pair.server)).toBeNull();
    expect(pair.server.getPeerCertificate()).toMatchObject(CN('tlsbio Test Client RSA'));
    authenticate(pair);
    expect(pair.server.getPeerCertificate()).toMatchObject(CN('tlsbio Test Client RSA'));
  });

  it('a KeyUpdate in between leaves the exchange intact (Finished under the current traffic secret)', () => {
    const pair = new ConnectionPair(client(['client-ed25519']), server());
    pair.handshake();
    pair.client.keyUpdate({ requestPeer: true });
    pair.transfer();
    expect(readOrNull(pair.server)).toBeNull();
    pair.server.verifyClientPostHandshake();
    pair.transfer();
    expect(readOrNull(pair.client)).toBeNull();
    pair.transfer();
    expect(readOrNull(pair.server)).toBeNull();
    expect(pair.server.getPeerCertificate()).toMatchObject(CN('tlsbio Test Client Ed25519'));
  });

  it('an empty answer with verifyMode required: certificate_required', () => {
    const pair = new ConnectionPair(client([]), server());
    pair.handshake();
    pair.server.verifyClientPostHandshake();
    pair.transfer();
    expect(readOrNull(pair.client)).toBeNull();
    pair.transfer();
    const error = caught(() => pair.server.read());
    expect(ProtocolError.isInstance(error) && error.alert?.name).toBe('certificate_required');
    pair.transfer();
    const clientError = caught(() => pair.client.read());
    expect(AlertError.isInstance(clientError) && clientError.alert?.name).toBe('certificate_required');
  });

  it('an empty answer with verifyMode optional is accepted', () => {
    const pair = new ConnectionPair(client([]), server({ verifyMode: 'optional' }));
    pair.handshake();
    authenticate(pair);
    expect(pair.server.getPeerCertificate()).toBeNull();
    expect(pair.send('client', new Uint8Array([1]))).toEqual(new Uint8Array([1]));
  });

  it('an asynchronous certificate choice: the client read throws WantX509LookupError until it settles', async () => {
    const context = client(['client', 'client-rsa']);
    let resolve!: (value: CertifiedKey) => void;
    let candidates: readonly CertifiedKey[] = [];
    context.setClientCertificateCallback((_connection, request) => {
      expect(request.postHandshake).toBe(true);
      candidates = request.candidates;
      return new Promise<CertifiedKey>((r) => (resolve = r));
    });
    const pair = new ConnectionPair(context, server());
    pair.handshake();
    pair.server.verifyClientPostHandshake();
    pair.transfer();
    expect(WantX509LookupError.isInstance(caught(() => pair.client.read()))).toBe(true);
    expect(pair.clientOut.pending).toBe(0);
    resolve(candidates[1]!);
    await pair.client.pendingLookup;
    expect(WantReadError.isInstance(caught(() => pair.client.read()))).toBe(true);
    pair.transfer();
    expect(readOrNull(pair.server)).toBeNull();
    expect(pair.server.getPeerCertificate()).toMatchObject(CN('tlsbio Test Client RSA'));
  });

  it('misuse: a client that did not offer it, verifyMode none, a client connection, a second request in flight', () => {
    const noOffer = new ConnectionPair(client(['client'], { postHandshakeAuth: false }), server());
    noOffer.handshake();
    expect(InvalidArgumentError.isInstance(caught(() => noOffer.server.verifyClientPostHandshake()))).toBe(true);

    const none = new ConnectionPair(client(), server({ verifyMode: 'none' }));
    none.handshake();
    expect(caught(() => none.server.verifyClientPostHandshake()).message).toMatch(/verifyMode/);
    expect(InvalidArgumentError.isInstance(caught(() => none.client.verifyClientPostHandshake()))).toBe(true);

    const twice = new ConnectionPair(client(), server());
    twice.handshake();
    twice.server.verifyClientPostHandshake();
    expect(caught(() => twice.server.verifyClientPostHandshake()).message).toMatch(/unanswered/);
  });

  it('without postHandshakeAuth on the server, verifyMode required still asks during the handshake', () => {
    const pair = new ConnectionPair(client(), server({ postHandshakeAuth: false }));
    pair.handshake();
    expect(pair.server.getPeerCertificate()).toMatchObject(CN('tlsbio Test Client'));
  });
});

describe('post-handshake authentication through the async driver', () => {
  it('stream.verifyClientPostHandshake() sends the request; the readable takes the answer', { timeout: 10_000 }, async () => {
    const provider = providers[0]![1]();
    const serverCtx = serverContext(provider, { verifyMode: 'required', postHandshakeAuth: true });
    serverCtx.loadVerifyLocations({ cadata: pki('ca.pem') });
    const clientCtx = clientContext(provider, { postHandshakeAuth: true });
    clientCtx.loadCertChain(pki('client-rsa.pem'), pki('client-rsa.key'));
    const up = new TransformStream<Uint8Array, Uint8Array>();
    const down = new TransformStream<Uint8Array, Uint8Array>();
    const client = secure(splitTransport({ reader: down.readable, writer: up.writable }), clientCtx, { serverHostname: 'localhost' });
    const server = secure(splitTransport({ reader: up.readable, writer: down.writable }), serverCtx, {});
    await Promise.all([client.opened, server.opened]);
    expect(server.connection.getPeerCertificate()).toBeNull();
    const clientReader = client.readable.getReader();
    const serverReader = server.readable.getReader();
    // (A TransformStream's write settles only once its other end reads: the client reads while the request goes out.)
    const clientRead = clientReader.read();
    await server.verifyClientPostHandshake();
    // The client answers while reading; its data comes after the answer, and the server's read takes both.
    const [, received] = await Promise.all([client.writable.getWriter().write(new Uint8Array([42])), serverReader.read()]);
    expect(received.value).toEqual(new Uint8Array([42]));
    expect(server.connection.getPeerCertificate()).toMatchObject(CN('tlsbio Test Client RSA'));
    void clientRead.catch(() => {});
  });
});
