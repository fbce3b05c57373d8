// TLSContext's trust store and verification options, end to end through the engine: loadVerifyLocations with
// cafile/capath/cadata, loadDefaultCerts, the verify callback, verifyMode, getVerifiedChain/getPeerCertChain, and the
// alert each failure sends.
import { generateKeyPairSync } from 'node:crypto';
import { rootCertificates } from 'node:tls';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AlertError, CertVerificationError, InvalidArgumentError, X509VerifyCode, ProtocolError } from '@tlsbio/errors';
import { afterAll, describe, expect, it } from 'vitest';
import { decodePem } from '../src/asn1/pem.js';
import { CERTIFICATE_CACHE_SIZE, TLSContext, createDefaultContext } from '../src/context.js';
import { parseCertificate, parseCertificatesPem, type Certificate } from '../src/x509/index.js';
import { cnName, signed } from './fixtures/pki/synthetic.js';
import { ConnectionPair, caught, pki, serverContext } from './helpers/pair.js';
import { providers } from './helpers/providers.js';

const C = X509VerifyCode;
const der = (file: string): Uint8Array => (decodePem(pki(file))[0] as { der: Uint8Array }).der;
const scratch = mkdtempSync(join(tmpdir(), 'tlsbio-trust-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

// Runs first, before the node entry point registers its trust source (tests in a file run in order).
describe('without a platform trust source (as in a browser)', () => {
  it('refuses cafile, capath and loadDefaultCerts with a clear error, and takes cadata', () => {
    const context = new TLSContext('client');
    for (const run of [
      () => context.loadVerifyLocations({ cafile: '/etc/ssl/certs/ca-certificates.crt' }),
      () => context.loadVerifyLocations({ capath: '/etc/ssl/certs' }),
      () => context.loadDefaultCerts(),
    ]) {
      const error = caught(run);
      expect(InvalidArgumentError.isInstance(error)).toBe(true);
      expect(error.message).toMatch(/node entry point|cadata/);
    }
    context.loadVerifyLocations({ cadata: pki('ca.pem') });
    expect(context.trustAnchors).toHaveLength(1);
    // createDefaultContext has no roots to load here: it builds an empty store rather than failing.
    expect(createDefaultContext().trustAnchors).toHaveLength(0);
  });
});

describe('loadVerifyLocations and loadDefaultCerts', () => {
  it('registers through the node entry point', async () => {
    await import('../src/node/index.js');
  });

  it('reads PEM and DER from cadata, cafile and capath, each certificate once', () => {
    const context = new TLSContext('client');
    const both = new Uint8Array([...der('ca.pem'), ...der('other-ca.pem')]);
    context.loadVerifyLocations({ cadata: both }); // DER certificates back to back
    context.loadVerifyLocations({ cadata: pki('ca.pem') + pki('ca-int.pem') }); // ca.pem again: kept once
    expect(context.trustAnchors.map(subjectCn)).toEqual(['tlsbio Test Root CA', 'tlsbio Other Root CA', 'tlsbio Test Intermediate CA']);

    writeFileSync(join(scratch, 'bundle.pem'), pki('ca-rsa.pem') + pki('ca-ed25519.pem'));
    writeFileSync(join(scratch, 'one.der'), der('ca-rsa-pss.pem'));
    const fromFiles = new TLSContext('client');
    fromFiles.loadVerifyLocations({ cafile: join(scratch, 'bundle.pem') });
    fromFiles.loadVerifyLocations({ cafile: join(scratch, 'one.der') });
    expect(fromFiles.trustAnchors.map(subjectCn)).toEqual([
      'tlsbio Test RSA Root CA',
      'tlsbio Test Ed25519 Root CA',
      'tlsbio Test RSA-PSS Root CA',
    ]);

    const dir = mkdtempSync(join(scratch, 'capath-'));
    writeFileSync(join(dir, 'a.pem'), pki('ca.pem'));
    writeFileSync(join(dir, 'b.0'), pki('other-ca.pem'));
    const fromDir = new TLSContext('client');
    fromDir.loadVerifyLocations({ capath: dir });
    expect(fromDir.trustAnchors.map(subjectCn)).toEqual(['tlsbio Test Root CA', 'tlsbio Other Root CA']);
  });

  it('refuses bad input as a whole, naming the file, and an empty call', () => {
    const context = new TLSContext('client');
    writeFileSync(join(scratch, 'bad.pem'), `${pki('ca.pem')}-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n`);
    const bad = caught(() => context.loadVerifyLocations({ cafile: join(scratch, 'bad.pem') }));
    expect(bad.reason).toMatch(/BAD_(PEM|DER)/);
    expect(bad.message).toContain('bad.pem');
    expect(context.trustAnchors).toHaveLength(0); // the good certificate before the bad one was not kept
    expect(caught(() => context.loadVerifyLocations({ cafile: join(scratch, 'missing.pem') })).message).toContain('cannot read');
    expect(caught(() => context.loadVerifyLocations({ cadata: 'no certificate here' })).reason).toBe('BAD_PEM');
    expect(caught(() => context.loadVerifyLocations({})).reason).toBe('INVALID_ARGUMENT');
  });

  it("loads Node's bundled roots, every one of which our strict parser reads", () => {
    const context = new TLSContext('client');
    expect(context.loadDefaultCerts()).toBe(rootCertificates.length);
    for (const pem of rootCertificates) expect(() => parseCertificatesPem(pem)).not.toThrow();
    // No Mozilla root carries a critical extension we do not process (which would make it useless as an anchor).
    expect(context.trustAnchors.filter((anchor) => anchor.unknownCriticalExtensions.length > 0)).toEqual([]);
    expect(createDefaultContext().trustAnchors.length).toBe(rootCertificates.length);
  });
});

describe('the context certificate cache', () => {
  it('parses a peer certificate once: the same DER again gives the interned copy, bad DER a bad_certificate error', () => {
    const context = new TLSContext('client');
    const bytes = der('ca-int.pem');
    const first = context.parsePeerCertificate(bytes);
    expect(context.parsePeerCertificate(bytes.slice())).toBe(first);
    expect(context.internCertificate(parseCertificate(bytes))).toBe(first);
    let error: unknown;
    try {
      context.parsePeerCertificate(bytes.subarray(0, 40));
    } catch (caught) {
      error = caught;
    }
    expect(ProtocolError.isInstance(error) && [error.alert?.name, error.fault]).toEqual(['bad_certificate', 'remote']);
  });

  it('interns peer certificates by DER, keeping the most recent CERTIFICATE_CACHE_SIZE', () => {
    const context = new TLSContext('client');
    const first = parseCertificate(der('ca-int.pem'));
    expect(context.internCertificate(first)).toBe(first);
    expect(context.internCertificate(parseCertificate(der('ca-int.pem')))).toBe(first);
    const other = parseCertificate(der('server-rsa.pem'));
    expect(context.internCertificate(other)).toBe(other);
    // Fill the cache with distinct certificates: `first` falls out, `other` (used again) stays.
    const key = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const spki = new Uint8Array(key.publicKey.export({ type: 'spki', format: 'der' }));
    for (let i = 0; i < CERTIFICATE_CACHE_SIZE - 1; i++) {
      if (i === 10) context.internCertificate(parseCertificate(der('server-rsa.pem')));
      context.internCertificate(parseCertificate(signed({ serial: Uint8Array.of(0x02, 0x02, 0x01, i & 0xff), spki, subject: cnName(`n${i}`) }, key.privateKey)));
    }
    expect(context.internCertificate(parseCertificate(der('server-rsa.pem')))).toBe(other);
    const again = parseCertificate(der('ca-int.pem'));
    expect(context.internCertificate(again)).toBe(again);
  });
});

const subjectCn = (cert: Certificate): string =>
  cert.subject.attributes.flat().find((attribute) => attribute.name === 'commonName')?.value ?? '';

describe.each(providers)('verification in the handshake (%s provider)', (_name, createProvider) => {
  const provider = createProvider();
  const client = (configure: (context: TLSContext) => void = () => {}): TLSContext => {
    const context = new TLSContext('client', { provider });
    context.loadVerifyLocations({ cadata: pki('ca.pem') });
    configure(context);
    return context;
  };

  it('getVerifiedChain() gives the path up to the anchor; getPeerCertChain() what the server sent', () => {
    const pair = new ConnectionPair(client(), serverContext(provider));
    expect(pair.client.getVerifiedChain()).toBeNull();
    pair.handshake();
    expect(pair.client.getPeerCertChain()).toEqual([der('server-ecdsa.pem'), der('ca-int.pem')]);
    expect(pair.client.getVerifiedChain()).toEqual([der('server-ecdsa.pem'), der('ca-int.pem'), der('ca.pem')]);
  });

  it('with verifyMode none, nothing is verified and there is no verified chain', () => {
    const context = new TLSContext('client', { provider, verifyMode: 'none', checkHostname: false });
    const pair = new ConnectionPair(context, serverContext(provider));
    pair.handshake();
    expect(pair.client.getVerifiedChain()).toBeNull();
    expect(pair.client.getPeerCertChain()).toHaveLength(2);
  });

  it('a store holding the intermediate completes a chain the server sent without it', () => {
    const server = new TLSContext('server', { provider });
    server.loadCertChain(pki('server-ecdsa.pem'), pki('server-ecdsa.key')); // the leaf alone
    const without = new ConnectionPair(client(), server);
    expect((caught(() => without.handshake()) as CertVerificationError).verifyCode).toBe(C.X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
    const pair = new ConnectionPair(client((context) => context.loadVerifyLocations({ cadata: pki('ca-int.pem') })), server);
    pair.handshake();
    expect(pair.client.getVerifiedChain()).toEqual([der('server-ecdsa.pem'), der('ca-int.pem')]);
  });

  it('calls the verify callback with the connection, as pyOpenSSL does, and lets it accept a failure', () => {
    const calls: unknown[][] = [];
    const accepting = client((context) =>
      context.setVerifyCallback((connection, cert, errno, depth, ok) => {
        calls.push([connection === pair.client, subjectCn(cert), errno, depth, ok]);
        return true;
      }),
    );
    const pair = new ConnectionPair(accepting, serverContext(provider), { serverHostname: 'wrong.example' });
    pair.handshake();
    expect(calls).toEqual([
      [true, 'localhost', C.X509_V_ERR_HOSTNAME_MISMATCH, 0, false],
      [true, 'tlsbio Test Root CA', 0, 2, true],
      [true, 'tlsbio Test Intermediate CA', 0, 1, true],
      [true, 'localhost', 0, 0, true],
    ]);
  });

  it('a callback that refuses sends handshake_failure; one that throws aborts with internal_error', () => {
    // pyOpenSSL-style 1/0 answers work too: 1 accepts, 0 refuses.
    const oneZero = new ConnectionPair(client((context) => context.setVerifyCallback((() => 1) as never)), serverContext(provider));
    oneZero.handshake();
    const refusing = new ConnectionPair(client((context) => context.setVerifyCallback((() => 0) as never)), serverContext(provider));
    const refused = caught(() => refusing.handshake()) as CertVerificationError;
    expect([refused.verifyCode, refused.depth]).toEqual([C.X509_V_ERR_APPLICATION_VERIFICATION, 2]);
    const serverSaw = caught(() => refusing.server.doHandshake());
    expect(AlertError.isInstance(serverSaw) && serverSaw.alert?.name).toBe('handshake_failure');

    const boom = new Error('boom');
    const throwing = new ConnectionPair(
      client((context) =>
        context.setVerifyCallback(() => {
          throw boom;
        }),
      ),
      serverContext(provider),
    );
    const thrown = caught(() => throwing.handshake());
    expect(thrown.reason).toBe('CALLBACK_FAILED');
    expect(thrown.cause).toBe(boom);
    expect(thrown.alert?.name).toBe('internal_error');
  });

  it.each([
    ['expired', 'expired.pem', C.X509_V_ERR_CERT_HAS_EXPIRED, 'certificate_expired'],
    ['untrusted', 'self-signed.pem', C.X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, 'unknown_ca'],
    ['wrong purpose', 'client.pem', C.X509_V_ERR_INVALID_PURPOSE, 'unsupported_certificate'],
    ['bad signature', 'forged.pem', C.X509_V_ERR_CERT_SIGNATURE_FAILURE, 'decrypt_error'],
  ])('a server certificate that is %s fails with its code and alert', (_what, file, code, alert) => {
    const server = new TLSContext('server', { provider });
    server.loadCertChain(pki(file), pki(file.replace('.pem', '.key')));
    const pair = new ConnectionPair(client(), server, { serverHostname: 'localhost' });
    const error = caught(() => pair.handshake()) as CertVerificationError;
    expect(error.verifyCode).toBe(code);
    expect(error.alert?.name).toBe(alert);
    const serverSaw = caught(() => pair.server.doHandshake());
    expect(AlertError.isInstance(serverSaw) && serverSaw.alert?.name).toBe(alert);
  });
});
