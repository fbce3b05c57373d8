import { CertVerificationError, InvalidArgumentError, X509VerifyCode } from '@tlsbio/errors';
import { describe, expect, it } from 'vitest';
import {
  matchesHostname,
  parseCertificate,
  parseIpAddress,
  verifyCertificateChain,
  type Certificate,
  type VerifyOptions,
} from '../src/x509/index.js';
import {
  Ext,
  GN,
  atv,
  certificate,
  cnName,
  extension,
  name,
  pkiDer,
  pkiKey,
  printable,
  signed,
  spkiOf,
  tbsCertificate,
  utcTime,
  generalizedTime,
  utf8String,
} from './fixtures/pki/synthetic.js';
import { providers } from './helpers/providers.js';

const cert = (file: string): Certificate => parseCertificate(pkiDer(file));
const certs = (...files: string[]): Certificate[] => files.map(cert);

function verifyError(run: () => void): CertVerificationError {
  try {
    run();
  } catch (error) {
    if (CertVerificationError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('the chain verified');
}

const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const C = X509VerifyCode;

describe.each(providers)('verifyCertificateChain (%s provider)', (_name, createProvider) => {
  const provider = createProvider();
  const options = (anchors: string[], extra: Partial<VerifyOptions> = {}): VerifyOptions => ({
    provider,
    trustAnchors: certs(...anchors),
    ...extra,
  });
  const expectCode = (
    chain: Certificate[],
    opts: VerifyOptions,
    code: number,
    depth: number,
  ): CertVerificationError => {
    const error = verifyError(() => verifyCertificateChain(chain, opts));
    expect({ code: error.verifyCode, depth: error.depth }).toEqual({ code, depth });
    expect(error.reason).toBe('CERTIFICATE_VERIFY_FAILED');
    return error;
  };

  describe('accepts', () => {
    it('the ECDSA leaf through its P-384 intermediate, with its hostname', () => {
      verifyCertificateChain(certs('server-ecdsa.pem', 'ca-int.pem'), options(['ca.pem'], { hostname: 'localhost' }));
    });
    it('each leaf type issued by the root, with each kind of name it carries', () => {
      verifyCertificateChain(certs('server-rsa.pem'), options(['ca.pem'], { hostname: '127.0.0.1' }));
      verifyCertificateChain(certs('server-ed25519.pem'), options(['ca.pem'], { hostname: '::1' }));
      verifyCertificateChain(certs('server-p384.pem'), options(['ca.pem'], { hostname: 'tlsbio.test' }));
      verifyCertificateChain(
        certs('names.pem'),
        options(['ca.pem'], { hostname: 'x.wild.tlsbio.test', purpose: 'clientAuth' }),
      );
    });
    it('a client certificate for clientAuth, without a hostname', () => {
      verifyCertificateChain(certs('client.pem'), options(['ca.pem'], { purpose: 'clientAuth' }));
    });
    it('certificates signed with RSA PKCS #1 v1.5, RSA-PSS (rsaEncryption and RSASSA-PSS keys) and Ed25519', () => {
      verifyCertificateChain(certs('via-rsa-pkcs1.pem'), options(['ca-rsa.pem'], { hostname: 'localhost' }));
      verifyCertificateChain(certs('via-rsa-pss.pem'), options(['ca-rsa.pem'], { hostname: 'localhost' }));
      verifyCertificateChain(certs('via-rsa-pss-key.pem'), options(['ca-rsa-pss.pem'], { hostname: 'localhost' }));
      verifyCertificateChain(certs('via-ed25519.pem'), options(['ca-ed25519.pem'], { hostname: 'localhost' }));
    });
    it('issuers in any order, with unrelated extras, and the anchor itself in the list', () => {
      verifyCertificateChain(
        certs('server-ecdsa.pem', 'other-ca.pem', 'server-rsa.pem', 'ca-int.pem'),
        options(['ca.pem']),
      );
      verifyCertificateChain(certs('server-ecdsa.pem', 'ca.pem', 'ca-int.pem'), options(['ca.pem']));
      verifyCertificateChain(certs('server-ecdsa.pem', 'ca-int.pem', 'ca.pem'), options(['other-ca.pem', 'ca.pem']));
    });
    it('an intermediate that is itself a trust anchor', () => {
      verifyCertificateChain(certs('server-ecdsa.pem'), options(['ca-int.pem'], { hostname: 'localhost' }));
    });
    it('a self-signed leaf that is a trust anchor', () => {
      verifyCertificateChain(certs('self-signed.pem'), options(['self-signed.pem'], { hostname: 'localhost' }));
    });
    it('at the first and the last second of the validity period', () => {
      const leaf = cert('self-signed.pem');
      verifyCertificateChain([leaf], options(['self-signed.pem'], { now: leaf.notBefore }));
      verifyCertificateChain([leaf], options(['self-signed.pem'], { now: leaf.notAfter }));
    });
    it('a chain exactly as long as maxChainLength', () => {
      verifyCertificateChain(certs('server-ecdsa.pem', 'ca-int.pem'), options(['ca.pem'], { maxChainLength: 3 }));
      verifyCertificateChain(certs('self-signed.pem'), options(['self-signed.pem'], { maxChainLength: 1 }));
    });
  });

  describe("refuses, with OpenSSL's code and depth", () => {
    it('20 unable to get local issuer certificate', () => {
      const error = expectCode(
        certs('server-ecdsa.pem'),
        options(['ca.pem']),
        C.X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY,
        0,
      );
      expect(error.alert?.name).toBe('unknown_ca');
      expectCode(certs('server-rsa.pem'), options(['other-ca.pem']), 20, 0);
      expectCode(certs('server-ecdsa.pem', 'ca-int.pem'), options(['other-ca.pem']), 20, 1);
      expectCode(certs('server-rsa.pem'), options([]), 20, 0);
    });
    it('19 self-signed certificate in chain', () => {
      expectCode(
        certs('server-ecdsa.pem', 'ca-int.pem', 'ca.pem'),
        options(['other-ca.pem']),
        C.X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN,
        2,
      );
    });
    it('18 self-signed leaf', () => {
      const error = expectCode(
        certs('self-signed.pem'),
        options(['ca.pem']),
        C.X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT,
        0,
      );
      expect(error.message).toBe('certificate verify failed: self-signed certificate (depth 0)');
    });
    it('22 chain too long', () => {
      expectCode(
        certs('server-ecdsa.pem', 'ca-int.pem'),
        options(['ca.pem'], { maxChainLength: 2 }),
        C.X509_V_ERR_CERT_CHAIN_TOO_LONG,
        2,
      );
      expectCode(certs('server-rsa.pem'), options(['ca.pem'], { maxChainLength: 1 }), 22, 1);
    });
    it('34 unhandled critical extension', () => {
      expectCode(certs('critical-ext.pem'), options(['ca.pem']), C.X509_V_ERR_UNHANDLED_CRITICAL_EXTENSION, 0);
    });
    it("79 invalid CA (OpenSSL 3.0's number for what 1.1 called 24): an issuer without cA", () => {
      const error = expectCode(
        certs('issued-by-leaf.pem', 'server-rsa.pem'),
        options(['ca.pem']),
        C.X509_V_ERR_INVALID_CA,
        1,
      );
      expect(error.verifyCode).toBe(79);
      // A trust anchor that issues must be a CA as well.
      expectCode(certs('issued-by-leaf.pem'), options(['server-rsa.pem']), 79, 1);
    });
    it('26 unsuitable purpose: the extended key usage of the leaf', () => {
      const error = expectCode(certs('client.pem'), options(['ca.pem']), C.X509_V_ERR_INVALID_PURPOSE, 0);
      expect(error.alert?.name).toBe('unsupported_certificate');
      expectCode(certs('server-rsa.pem'), options(['ca.pem'], { purpose: 'clientAuth' }), 26, 0);
    });
    it('25 path length exceeded: a CA under the pathlen:0 intermediate', () => {
      expectCode(
        certs('server-deep.pem', 'ca-int2.pem', 'ca-int.pem'),
        options(['ca.pem']),
        C.X509_V_ERR_PATH_LENGTH_EXCEEDED,
        2,
      );
      // An anchor's own constraint holds too (OpenSSL applies it to the trusted certificate as well).
      expectCode(certs('server-deep.pem', 'ca-int2.pem'), options(['ca-int.pem']), 25, 2);
    });
    it('62 hostname mismatch: SAN only, no CN fallback', () => {
      const error = expectCode(
        certs('wrong-host.pem'),
        options(['ca.pem'], { hostname: 'localhost' }),
        C.X509_V_ERR_HOSTNAME_MISMATCH,
        0,
      );
      expect(error.alert?.name).toBe('bad_certificate');
      verifyCertificateChain(certs('wrong-host.pem'), options(['ca.pem'], { hostname: 'other.example' }));
      expectCode(certs('server-rsa.pem'), options(['ca.pem'], { hostname: 'example.com' }), 62, 0);
    });
    it('64 IP address mismatch', () => {
      expectCode(
        certs('server-rsa.pem'),
        options(['ca.pem'], { hostname: '127.0.0.2' }),
        C.X509_V_ERR_IP_ADDRESS_MISMATCH,
        0,
      );
      expectCode(certs('wrong-host.pem'), options(['ca.pem'], { hostname: '::1' }), 64, 0);
    });
    it("6 unable to decode issuer public key (Ed448), at the issuer's depth", () => {
      const error = expectCode(
        certs('via-ed448.pem'),
        options(['ca-ed448.pem']),
        C.X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY,
        1,
      );
      expect((error.cause as InvalidArgumentError).reason).toBe('UNSUPPORTED_KEY_TYPE');
    });
    it('7 signature failure: a forged issuer name, a tampered signature, a tampered TBS', () => {
      const error = expectCode(certs('forged.pem'), options(['ca.pem']), C.X509_V_ERR_CERT_SIGNATURE_FAILURE, 0);
      expect(error.alert?.name).toBe('decrypt_error');
      for (const tamper of ['signature', 'tbs'] as const) {
        const der = pkiDer('server-rsa.pem').slice();
        const leaf = parseCertificate(der);
        // The last signature byte, or the last byte of the serial number (inside the TBS, still valid DER).
        const at =
          tamper === 'signature'
            ? der.length - 1
            : Buffer.from(der).indexOf(Buffer.from(leaf.serialNumber)) + leaf.serialNumber.length - 1;
        expect(at).toBeGreaterThan(0);
        der[at]! ^= 0x01;
        expectCode([parseCertificate(der)], options(['ca.pem']), 7, 0);
      }
    });
    it('7 signature failure: an algorithm with no TLS scheme (ecdsa-with-SHA384 from a P-256 key)', () => {
      const error = expectCode(certs('ecdsa-sha384-by-p256.pem'), options(['ca.pem']), 7, 0);
      expect((error.cause as InvalidArgumentError).reason).toBe('UNSUPPORTED_ALGORITHM');
    });
    it('68 CA signature digest too weak (SHA-1)', () => {
      expectCode(certs('sha1.pem'), options(['ca.pem']), C.X509_V_ERR_CA_MD_TOO_WEAK, 0);
    });
    it('10 expired, and 9 not yet valid, the anchor included, from the top down', () => {
      const expired = expectCode(certs('expired.pem'), options(['ca.pem']), C.X509_V_ERR_CERT_HAS_EXPIRED, 0);
      expect(expired.alert?.name).toBe('certificate_expired');
      expectCode(certs('not-yet-valid.pem'), options(['ca.pem']), C.X509_V_ERR_CERT_NOT_YET_VALID, 0);
      const leaf = cert('server-ecdsa.pem');
      expectCode(
        [leaf, cert('ca-int.pem')],
        options(['ca.pem'], { now: new Date(leaf.notAfter.getTime() + 86_400_000) }),
        10,
        2,
      );
      expectCode([leaf, cert('ca-int.pem')], options(['ca.pem'], { now: new Date('2001-01-01T00:00:00Z') }), 9, 2);
      expectCode(
        [leaf],
        options(['self-signed.pem', 'ca-int.pem'], { now: new Date(leaf.notBefore.getTime() - 1000) }),
        9,
        1,
      );
      const selfSigned = cert('self-signed.pem');
      expectCode(
        [selfSigned],
        options(['self-signed.pem'], { now: new Date(selfSigned.notAfter.getTime() + 1000) }),
        10,
        0,
      );
    });
    it("in OpenSSL's order: chain building, then extensions, then the name, then signatures and times", () => {
      // expired AND wrong name: the name is reported
      const expired = cert('expired.pem');
      expectCode([expired], options(['ca.pem'], { hostname: 'other.example' }), 62, 0);
      // unknown issuer AND wrong name: the issuer is reported
      expectCode(certs('wrong-host.pem'), options(['other-ca.pem'], { hostname: 'localhost' }), 20, 0);
      // wrong purpose AND wrong name: the purpose is reported
      expectCode(certs('client.pem'), options(['ca.pem'], { hostname: 'nowhere.example' }), 26, 0);
    });
  });

  describe('with synthetic certificates signed by the fixture keys', () => {
    const caSpki = spkiOf(pkiDer('ca.pem'));
    const leafSpec = { subject: cnName('localhost'), spki: spkiOf(pkiDer('server-ecdsa.pem')) };
    const sanLocalhost = Ext.san(GN.dns('localhost'));

    it('a v1 self-signed root is a CA when it is a trust anchor, and not otherwise', () => {
      const v1Root = parseCertificate(
        signed({ version: 1, issuer: cnName('v1 Root'), subject: cnName('v1 Root'), spki: caSpki }, 'ca.key'),
      );
      expect(v1Root.version).toBe(1);
      const leaf = parseCertificate(
        signed({ ...leafSpec, issuer: cnName('v1 Root'), extensions: [sanLocalhost] }, 'ca.key'),
      );
      verifyCertificateChain([leaf], { provider, trustAnchors: [v1Root], hostname: 'localhost' });
      const v1Intermediate = parseCertificate(
        signed(
          { version: 1, issuer: cnName('tlsbio Test Root CA'), subject: cnName('v1 Root'), spki: caSpki },
          'ca.key',
        ),
      );
      expectCode([leaf, v1Intermediate], { provider, trustAnchors: certs('ca.pem') }, C.X509_V_ERR_INVALID_CA, 1);
    });

    it('79 (as OpenSSL 3.0) for an issuer with cA but a keyUsage without keyCertSign', () => {
      const spec = {
        issuer: cnName('tlsbio Test Root CA'),
        subject: cnName('No Sign CA'),
        spki: spkiOf(pkiDer('ca-int.pem')),
      };
      const ca = parseCertificate(
        signed({ ...spec, extensions: [Ext.basicConstraints(true), Ext.keyUsage([0x80], 7)] }, 'ca.key'),
      );
      const leaf = parseCertificate(
        signed({ ...leafSpec, issuer: cnName('No Sign CA'), extensions: [sanLocalhost] }, 'ca-int.key', 'sha384'),
      );
      expectCode([leaf, ca], { provider, trustAnchors: certs('ca.pem') }, C.X509_V_ERR_INVALID_CA, 1);
      const good = parseCertificate(
        signed({ ...spec, extensions: [Ext.basicConstraints(true), Ext.keyUsage([0x04], 2)] }, 'ca.key'),
      );
      verifyCertificateChain([leaf, good], { provider, trustAnchors: certs('ca.pem') });
    });

    it('26 for a leaf keyUsage without digitalSignature, and for an intermediate restricted to another purpose', () => {
      const noSign = parseCertificate(signed({ ...leafSpec, extensions: [Ext.keyUsage([0x20], 5)] }, 'ca.key')); // keyEncipherment
      expectCode([noSign], { provider, trustAnchors: certs('ca.pem') }, 26, 0);
      const spec = {
        issuer: cnName('tlsbio Test Root CA'),
        subject: cnName('Client CA'),
        spki: spkiOf(pkiDer('ca-int.pem')),
      };
      const clientCa = parseCertificate(
        signed({ ...spec, extensions: [Ext.basicConstraints(true), Ext.eku(CLIENT_AUTH)] }, 'ca.key'),
      );
      const leaf = parseCertificate(signed({ ...leafSpec, issuer: cnName('Client CA') }, 'ca-int.key', 'sha384'));
      expectCode([leaf, clientCa], { provider, trustAnchors: certs('ca.pem') }, 26, 1);
      verifyCertificateChain([leaf, clientCa], { provider, trustAnchors: certs('ca.pem'), purpose: 'clientAuth' });
    });

    it('anyExtendedKeyUsage alone names no TLS purpose (as OpenSSL), and passes the purpose any', () => {
      const leaf = parseCertificate(signed({ ...leafSpec, extensions: [Ext.eku('2.5.29.37.0')] }, 'ca.key'));
      expectCode([leaf], { provider, trustAnchors: certs('ca.pem'), purpose: 'serverAuth' }, 26, 0);
      expectCode([leaf], { provider, trustAnchors: certs('ca.pem'), purpose: 'clientAuth' }, 26, 0);
      verifyCertificateChain([leaf], { provider, trustAnchors: certs('ca.pem'), purpose: 'any' });
      const both = parseCertificate(signed({ ...leafSpec, extensions: [Ext.eku('2.5.29.37.0', SERVER_AUTH)] }, 'ca.key'));
      verifyCertificateChain([both], { provider, trustAnchors: certs('ca.pem'), purpose: 'serverAuth' });
      const serverOnly = parseCertificate(signed({ ...leafSpec, extensions: [Ext.eku(SERVER_AUTH)] }, 'ca.key'));
      expectCode([serverOnly], { provider, trustAnchors: certs('ca.pem'), purpose: 'clientAuth' }, 26, 0);
    });

    it('matches issuer names that differ only in string type, case and spacing (RFC 5280 §7.1)', () => {
      const issuer = name([atv('2.5.4.10', printable('TLSBIO'))], [atv('2.5.4.3', printable('tlsbio  test ROOT CA '))]);
      const leaf = parseCertificate(signed({ ...leafSpec, issuer }, 'ca.key'));
      verifyCertificateChain([leaf], { provider, trustAnchors: certs('ca.pem') });
      const other = name([atv('2.5.4.10', printable('tlsbio'))], [atv('2.5.4.3', printable('tlsbio Test Root'))]);
      expectCode(
        [parseCertificate(signed({ ...leafSpec, issuer: other }, 'ca.key'))],
        { provider, trustAnchors: certs('ca.pem') },
        20,
        0,
      );
    });

    it('chooses among same-named anchors by key identifier, or else by signature', () => {
      // An impostor root with the real root's name but other-ca's key.
      const impostor = parseCertificate(
        signed(
          {
            issuer: cnName('tlsbio Test Root CA'),
            subject: cnName('tlsbio Test Root CA'),
            spki: spkiOf(pkiDer('other-ca.pem')),
            extensions: [Ext.basicConstraints(true), Ext.ski(Uint8Array.of(9, 9, 9))],
          },
          'other-ca.key',
        ),
      );
      const anchors = [impostor, cert('ca.pem')];
      verifyCertificateChain(certs('server-rsa.pem'), { provider, trustAnchors: anchors }); // AKI = the real root's SKI
      const noAki = parseCertificate(signed(leafSpec, 'ca.key'));
      expect(noAki.authorityKeyIdentifier).toBeUndefined();
      verifyCertificateChain([noAki], { provider, trustAnchors: anchors }); // the one whose key verifies
      expectCode([noAki], { provider, trustAnchors: [impostor] }, 7, 0);
      const wrongAki = parseCertificate(
        signed({ ...leafSpec, extensions: [Ext.aki(Uint8Array.of(1, 2, 3))] }, 'ca.key'),
      );
      expectCode([wrongAki], { provider, trustAnchors: anchors }, 20, 0);
    });

    it('34 for a critical extension anywhere in the path, the anchor included', () => {
      const anchor = parseCertificate(
        signed(
          {
            issuer: cnName('Odd Root'),
            subject: cnName('Odd Root'),
            spki: caSpki,
            // A critical policyConstraints (requireExplicitPolicy 0): policies are not processed, so it is unknown.
            extensions: [Ext.basicConstraints(true), extension('2.5.29.36', Uint8Array.of(0x30, 0x03, 0x80, 0x01, 0x00), true)],
          },
          'ca.key',
        ),
      );
      const leaf = parseCertificate(signed({ ...leafSpec, issuer: cnName('Odd Root') }, 'ca.key'));
      expectCode([leaf], { provider, trustAnchors: [anchor] }, 34, 1);
    });

    it('checks times read from UTCTime and GeneralizedTime alike', () => {
      const leaf = parseCertificate(
        signed(
          { ...leafSpec, notBefore: utcTime('491231235959Z'), notAfter: generalizedTime('20500101000000Z') },
          'ca.key',
        ),
      );
      verifyCertificateChain([leaf], { provider, trustAnchors: certs('ca.pem'), now: new Date('2049-12-31T23:59:59Z') });
      verifyCertificateChain([leaf], { provider, trustAnchors: certs('ca.pem'), now: new Date('2050-01-01T00:00:00Z') });
      expectCode([leaf], { provider, trustAnchors: certs('ca.pem'), now: new Date('2049-12-31T23:59:58Z') }, 9, 0);
      expectCode([leaf], { provider, trustAnchors: certs('ca.pem'), now: new Date('2050-01-01T00:00:01Z') }, 10, 0);
    });
  });

  it("refuses an empty chain and a bad maxChainLength as the caller's errors", () => {
    for (const run of [
      () => verifyCertificateChain([], options(['ca.pem'])),
      () => verifyCertificateChain(certs('server-rsa.pem'), options(['ca.pem'], { maxChainLength: 0 })),
      () => verifyCertificateChain(certs('server-rsa.pem'), options(['ca.pem'], { maxChainLength: 1.5 })),
    ]) {
      expect(run).toThrow(expect.objectContaining({ reason: 'INVALID_ARGUMENT' }));
    }
  });
});

describe('matchesHostname (RFC 6125 §6, RFC 9525)', () => {
  const withNames = (...names: Uint8Array[]): Certificate =>
    parseCertificate(certificate(tbsCertificate({ subject: cnName('cn.example'), extensions: [Ext.san(...names)] })));
  const cert = withNames(
    GN.dns('example.com'),
    GN.dns('*.wild.example.com'),
    GN.dns('UPPER.Example.ORG'),
    GN.dns('trailing.example.net.'),
    GN.dns('f*.partial.example.com'),
    GN.dns('*.com'),
    GN.dns('*.*.double.example'),
    GN.dns('a.*.middle.example'),
    GN.dns('xn--bcher-kva.example'),
    GN.dns('192.0.2.1'),
    GN.dns(''),
    GN.ip([127, 0, 0, 1]),
    GN.ip([...new Array(15).fill(0), 1]),
    GN.ip([0x20, 0x01, 0x0d, 0xb8, ...new Array(11).fill(0), 0x17]),
  );
  const cases: Array<[string, boolean]> = [
    ['example.com', true],
    ['EXAMPLE.Com', true],
    ['example.com.', true],
    ['www.example.com', false],
    ['xample.com', false],
    ['a.wild.example.com', true],
    ['A-1.WILD.example.com.', true],
    ['wild.example.com', false],
    ['a.b.wild.example.com', false],
    ['.wild.example.com', false],
    ['*.wild.example.com', false],
    ['upper.example.org', true],
    ['trailing.example.net', true],
    ['trailing.example.net.', true],
    ['foo.partial.example.com', false],
    ['f.partial.example.com', false],
    ['anything.com', false],
    ['a.b.double.example', false],
    ['a.x.middle.example', false],
    ['xn--bcher-kva.example', true],
    ['cn.example', false], // the subject CN is never used
    ['192.0.2.1', false], // an IP literal matches iPAddress entries only
    ['127.0.0.1', true],
    ['127.0.0.2', false],
    ['127.000.000.001', false],
    ['::1', true],
    ['[::1]', true],
    ['0:0:0:0:0:0:0:1', true],
    ['::0:1', true],
    ['::ffff:127.0.0.1', false], // the IPv4-mapped form is another address
    ['2001:DB8::17', true],
    ['2001:db8:0:0:0:0:0:17', true],
    ['2001:db8::18', false],
    ['', false],
    ['example.com..', false],
    ['exa mple.com', false],
    ['example.com\u0000.evil', false],
    ['bücher.example', true], // U-labels are converted to A-labels before comparing
    ['BÜCHER.example.', true],
    ['bü cher.example', false],
    ['xn--bcher-kva.example.', true],
  ];
  for (const [hostname, expected] of cases) {
    it(`${JSON.stringify(hostname)} ${expected ? 'matches' : 'does not match'}`, () => {
      expect(matchesHostname(cert, hostname)).toBe(expected);
    });
  }
  it('a certificate without subjectAltName matches nothing, whatever its CN', () => {
    const bare = parseCertificate(
      certificate(tbsCertificate({ subject: name([atv('2.5.4.3', utf8String('example.com'))]) })),
    );
    expect(matchesHostname(bare, 'example.com')).toBe(false);
    expect(matchesHostname(bare, '127.0.0.1')).toBe(false);
  });
  it('ignores non-DNS alternative names', () => {
    const other = withNames(GN.email('example.com'), GN.uri('example.com'));
    expect(matchesHostname(other, 'example.com')).toBe(false);
  });
});

describe('parseIpAddress', () => {
  const bytes = (text: string): number[] | undefined => {
    const result = parseIpAddress(text);
    return result === undefined ? undefined : Array.from(result);
  };
  it('reads IPv4 dotted quads, strictly', () => {
    expect(bytes('1.2.3.4')).toEqual([1, 2, 3, 4]);
    expect(bytes('255.255.255.255')).toEqual([255, 255, 255, 255]);
    expect(bytes('0.0.0.0')).toEqual([0, 0, 0, 0]);
    for (const bad of ['1.2.3', '1.2.3.4.5', '256.1.1.1', '01.2.3.4', '1.2.3.-4', '1.2.3.4 ', '0x1.2.3.4', '1..3.4']) {
      expect(bytes(bad), bad).toBeUndefined();
    }
  });
  it('reads IPv6 in every RFC 4291 §2.2 form', () => {
    const zeros = new Array(16).fill(0);
    expect(bytes('::')).toEqual(zeros);
    expect(bytes('::1')).toEqual([...zeros.slice(1), 1]);
    expect(bytes('1::')).toEqual([0, 1, ...zeros.slice(2)]);
    expect(bytes('1:2:3:4:5:6:7:8')).toEqual([0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 8]);
    expect(bytes('1:2:3:4:5:6:7::')).toEqual([0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 0]);
    expect(bytes('::2:3:4:5:6:7:8')).toEqual([0, 0, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 8]);
    expect(bytes('::ffff:192.0.2.1')).toEqual([...zeros.slice(0, 10), 0xff, 0xff, 192, 0, 2, 1]);
    expect(bytes('FE80::aBcD')).toEqual([0xfe, 0x80, ...zeros.slice(0, 12), 0xab, 0xcd]);
    expect(bytes('[2001:db8::1]')).toEqual([0x20, 0x01, 0x0d, 0xb8, ...zeros.slice(0, 11), 1]);
    for (const bad of [
      '1:2:3:4:5:6:7',
      '1:2:3:4:5:6:7:8:9',
      '1:2:3:4:5:6:7:8::',
      '1::2::3',
      ':::',
      ':1::',
      '12345::',
      'g::',
      'fe80::1%eth0',
      '::1.2.3',
      '::1.2.3.4:5',
      '[::1',
      'localhost',
      '',
    ]) {
      expect(bytes(bad), bad).toBeUndefined();
    }
  });
});

describe.each(providers)(
  'an extended key usage with an unknown purpose only (%s provider)',
  (_name, createProvider) => {
    it('is unsuitable for TLS', () => {
      const provider = createProvider();
      const leaf = parseCertificate(
        signed(
          { subject: cnName('localhost'), spki: spkiOf(pkiDer('server-ecdsa.pem')), extensions: [Ext.eku('1.2.3.4')] },
          pkiKey('ca.key'),
        ),
      );
      expect(leaf.extendedKeyUsage).toEqual(['1.2.3.4']);
      expect(() => verifyCertificateChain([leaf], { provider, trustAnchors: [cert('ca.pem')] })).toThrow(
        expect.objectContaining({ verifyCode: 26, depth: 0 }),
      );
    });
  },
);
