/**
 * TLS 1.3 client authentication between our own client and server (RFC 8446 §4.3.2, §4.4.2.4), once per crypto
 * provider: the server's verifyMode policy, ECDSA, RSA and Ed25519 client keys, and the failures.
 */
import { AlertError, CertVerificationError, ProtocolError } from '@tlsbio/errors';
import { describe, expect, it } from 'vitest';
import type { TLSContextOptions, VerifyMode } from '../src/context.js';
import { ConnectionPair, caught, clientContext, pki, readOrNull, serverContext } from './helpers/pair.js';
import { providers } from './helpers/providers.js';

const CLIENT_CERTS = [
  ['ECDSA P-256', 'client'],
  ['RSA 2048', 'client-rsa'],
  ['Ed25519', 'client-ed25519'],
] as const;

describe.each(providers)('TLS 1.3 client authentication, %s provider', (_name, makeProvider) => {
  const provider = makeProvider();

  function server(verifyMode: VerifyMode, options: TLSContextOptions = {}) {
    const context = serverContext(provider, { verifyMode, maximumVersion: 0x0304, minimumVersion: 0x0304, ...options });
    context.loadVerifyLocations({ cadata: pki('ca.pem') });
    return context;
  }

  function client(certName?: string, options: TLSContextOptions = {}) {
    const context = clientContext(provider, options);
    if (certName !== undefined) context.loadCertChain(pki(`${certName}.pem`), pki(`${certName}.key`));
    return context;
  }

  it.each(CLIENT_CERTS)('verifyMode required: a %s client certificate is verified and visible to the server', (_kind, name) => {
    const pair = new ConnectionPair(client(name), server('required'));
    pair.handshake();
    expect(pair.server.version()).toBe('TLSv1.3');
    const der = pair.server.getPeerCertificate({ binary: true });
    expect(der).toEqual(new Uint8Array(Buffer.from(pki(`${name}.pem`).replace(/-----[^-]+-----|\s/g, ''), 'base64')));
    const dict = pair.server.getPeerCertificate();
    expect(dict).toMatchObject({ subject: [[['organizationName', 'tlsbio']], [['commonName', expect.stringMatching(/^tlsbio Test Client/)]]] });
    expect(pair.server.getPeerCertChain()).toHaveLength(1);
    // The path the server built ends at the root it trusts.
    const verified = pair.server.getVerifiedChain()!;
    expect(verified).toHaveLength(2);
    expect(verified[1]).toEqual(new Uint8Array(Buffer.from(pki('ca.pem').replace(/-----[^-]+-----|\s/g, ''), 'base64')));
    // The client still sees the server, and data flows both ways.
    expect(pair.client.getPeerCertificate()).not.toBeNull();
    expect(new TextDecoder().decode(pair.send('client', new TextEncoder().encode('hello')))).toBe('hello');
    expect(new TextDecoder().decode(pair.send('server', new TextEncoder().encode('world')))).toBe('world');
  });

  it('verifyMode optional: a client without a certificate is accepted, and the server sees none', () => {
    const pair = new ConnectionPair(client(), server('optional'));
    pair.handshake();
    expect(pair.server.getPeerCertificate()).toBeNull();
    expect(pair.server.getPeerCertChain()).toBeNull();
    expect(pair.server.getVerifiedChain()).toBeNull();
    expect(pair.send('client', new Uint8Array([1, 2, 3]))).toEqual(new Uint8Array([1, 2, 3]));
  });

  it('verifyMode optional: a certificate the client does send is verified', () => {
    const pair = new ConnectionPair(client('client'), server('optional'));
    pair.handshake();
    expect(pair.server.getPeerCertificate()).toMatchObject({ subjectAltName: [['email', 'client@tlsbio.test']] });
  });

  it('verifyMode none: no CertificateRequest, so a configured client certificate is not sent', () => {
    const pair = new ConnectionPair(client('client'), server('none'));
    pair.handshake();
    expect(pair.server.getPeerCertificate()).toBeNull();
    expect(pair.server.getPeerCertChain()).toBeNull();
  });

  it('verifyMode required: an empty client Certificate is answered with certificate_required (RFC 8446 §4.4.2.4)', () => {
    const pair = new ConnectionPair(client(), server('required'));
    const error = caught(() => pair.handshake());
    expect(ProtocolError.isInstance(error)).toBe(true);
    expect(error.reason).toBe('PEER_DID_NOT_RETURN_A_CERTIFICATE');
    expect(error.alert?.name).toBe('certificate_required');
    // The client finished its handshake first (TLS 1.3); the alert reaches it on its next read.
    const clientError = caught(() => readOrNull(pair.client));
    expect(AlertError.isInstance(clientError) && clientError.alert?.name).toBe('certificate_required');
  });

  it('a client certificate for the wrong purpose (serverAuth only) fails with the verify code and alert', () => {
    const context = clientContext(provider);
    context.loadCertChain(pki('server-rsa.pem'), pki('server-rsa.key'));
    const pair = new ConnectionPair(context, server('optional'));
    const error = caught(() => pair.handshake());
    expect(CertVerificationError.isInstance(error)).toBe(true);
    expect((error as CertVerificationError).verifyCode).toBe(26); // X509_V_ERR_INVALID_PURPOSE, as `openssl verify -purpose sslclient`
    const clientError = caught(() => readOrNull(pair.client));
    expect(AlertError.isInstance(clientError) && clientError.alert?.name).toBe(error.alert?.name);
  });

  it('a client certificate from an untrusted CA fails with unknown_ca', () => {
    const context = clientContext(provider);
    context.loadCertChain(pki('client.pem'), pki('client.key'));
    const serverCtx = serverContext(provider, { verifyMode: 'required', minimumVersion: 0x0304 });
    serverCtx.loadVerifyLocations({ cadata: pki('other-ca.pem') });
    const pair = new ConnectionPair(context, serverCtx);
    const error = caught(() => pair.handshake());
    expect(CertVerificationError.isInstance(error) && error.verifyCode).toBe(20);
    expect(error.alert?.name).toBe('unknown_ca');
  });

  it('the server verify callback sees the client chain and may refuse it', () => {
    const serverCtx = server('required');
    const seen: number[] = [];
    serverCtx.setVerifyCallback((_conn, _cert, _errno, depth, ok) => {
      seen.push(depth);
      return ok && depth !== 0;
    });
    const pair = new ConnectionPair(client('client'), serverCtx);
    const error = caught(() => pair.handshake());
    expect(CertVerificationError.isInstance(error)).toBe(true);
    expect(seen).toContain(0);
  });

  it('the client picks the chain whose key signs with a scheme the server asks for', () => {
    const context = client(undefined);
    context.loadCertChain(pki('client-ed25519.pem'), pki('client-ed25519.key'));
    context.loadCertChain(pki('client-rsa.pem'), pki('client-rsa.key'));
    const pair = new ConnectionPair(context, server('required', { signatureSchemes: ['rsa_pss_rsae_sha256', 'rsa_pkcs1_sha256', 'ecdsa_secp256r1_sha256'] }));
    pair.handshake();
    expect(pair.server.getPeerCertificate()).toMatchObject({ subject: [[['organizationName', 'tlsbio']], [['commonName', 'tlsbio Test Client RSA']]] });
  });

  it('the client prefers the chain issued under a CA the server names in certificate_authorities', () => {
    const context = client('self-signed'); // loaded first, and fits the schemes as well: only the CA names decide
    context.loadCertChain(pki('client.pem'), pki('client.key'));
    const pair = new ConnectionPair(context, server('required'));
    pair.handshake();
    expect(pair.server.getPeerCertificate()).toMatchObject({ subjectAltName: [['email', 'client@tlsbio.test']] });
  });

  it('a client whose only key cannot sign with the requested schemes sends an empty Certificate', () => {
    const pair = new ConnectionPair(client('client-ed25519'), server('optional', { signatureSchemes: ['ecdsa_secp256r1_sha256', 'rsa_pss_rsae_sha256'] }));
    pair.handshake();
    expect(pair.server.getPeerCertificate()).toBeNull();
  });
});

describe.each(providers)('TLS 1.2 client authentication, %s provider', (_name, makeProvider) => {
  const provider = makeProvider();

  function server(verifyMode: VerifyMode) {
    const context = serverContext(provider, { verifyMode });
    context.loadVerifyLocations({ cadata: pki('ca.pem') });
    return context;
  }

  function client(certName?: string) {
    const context = clientContext(provider, { maximumVersion: 0x0303 });
    if (certName !== undefined) context.loadCertChain(pki(`${certName}.pem`), pki(`${certName}.key`));
    return context;
  }

  it.each(CLIENT_CERTS)('verifyMode required: a %s client certificate and its CertificateVerify are checked', (_kind, name) => {
    const pair = new ConnectionPair(client(name), server('required'));
    pair.handshake();
    expect(pair.server.version()).toBe('TLSv1.2');
    expect(pair.server.getPeerCertificate()).toMatchObject({ subject: [[['organizationName', 'tlsbio']], [['commonName', expect.stringMatching(/^tlsbio Test Client/)]]] });
    expect(pair.server.getVerifiedChain()).toHaveLength(2);
    expect(pair.send('client', new Uint8Array([4, 5, 6]))).toEqual(new Uint8Array([4, 5, 6]));
  });

  it('verifyMode required and no certificate: handshake_failure (TLS 1.2 has no certificate_required)', () => {
    const pair = new ConnectionPair(client(), server('required'));
    const error = caught(() => pair.handshake());
    expect(error.reason).toBe('PEER_DID_NOT_RETURN_A_CERTIFICATE');
    expect(error.alert?.name).toBe('handshake_failure');
  });

  it('verifyMode optional and no certificate: accepted; verifyMode none: nothing asked', () => {
    const optional = new ConnectionPair(client(), server('optional'));
    optional.handshake();
    expect(optional.server.getPeerCertificate()).toBeNull();
    const none = new ConnectionPair(client('client'), server('none'));
    none.handshake();
    expect(none.server.getPeerCertificate()).toBeNull();
  });

  it('a certificate for the wrong purpose fails verification', () => {
    const context = clientContext(provider, { maximumVersion: 0x0303 });
    context.loadCertChain(pki('server-rsa.pem'), pki('server-rsa.key'));
    const error = caught(() => new ConnectionPair(context, server('optional')).handshake());
    expect(CertVerificationError.isInstance(error) && error.verifyCode).toBe(26);
  });
});
