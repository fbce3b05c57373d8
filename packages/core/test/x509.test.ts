import { X509Certificate, createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { InvalidArgumentError } from '@tlsbio/errors';
import { describe, expect, it } from 'vitest';
import { decodePem } from '../src/asn1/pem.js';
import type { SignatureSchemeName } from '../src/crypto/provider.js';
import {
  certificateSignatureScheme,
  parseCertificate,
  parseCertificatesPem,
  SignatureOid,
  type Certificate,
} from '../src/x509/index.js';
import { pkiDer, pkiText } from './fixtures/pki/synthetic.js';
import { providers } from './helpers/providers.js';

// Every certificate of the test PKI, with what generate.sh made it with: the issuer's file, the signature algorithm
// (`openssl x509 -noout -text` prints the same) and the TLS scheme that checks it (undefined: none).
interface Expected {
  readonly issuer: string;
  readonly algorithm: string;
  readonly scheme: SignatureSchemeName | undefined;
  readonly ca?: boolean;
  readonly pathLength?: number;
}
const S = SignatureOid;
const FIXTURES: Record<string, Expected> = {
  'ca.pem': { issuer: 'ca.pem', algorithm: S.ecdsaWithSHA256, scheme: 'ecdsa_secp256r1_sha256', ca: true },
  'ca-int.pem': {
    issuer: 'ca.pem',
    algorithm: S.ecdsaWithSHA256,
    scheme: 'ecdsa_secp256r1_sha256',
    ca: true,
    pathLength: 0,
  },
  'ca-int2.pem': { issuer: 'ca-int.pem', algorithm: S.ecdsaWithSHA384, scheme: 'ecdsa_secp384r1_sha384', ca: true },
  'server-ecdsa.pem': { issuer: 'ca-int.pem', algorithm: S.ecdsaWithSHA384, scheme: 'ecdsa_secp384r1_sha384' },
  'server-rsa.pem': { issuer: 'ca.pem', algorithm: S.ecdsaWithSHA256, scheme: 'ecdsa_secp256r1_sha256' },
  'server-ed25519.pem': { issuer: 'ca.pem', algorithm: S.ecdsaWithSHA256, scheme: 'ecdsa_secp256r1_sha256' },
  'server-p384.pem': { issuer: 'ca.pem', algorithm: S.ecdsaWithSHA256, scheme: 'ecdsa_secp256r1_sha256' },
  'server-deep.pem': { issuer: 'ca-int2.pem', algorithm: S.ecdsaWithSHA256, scheme: 'ecdsa_secp256r1_sha256' },
  'client.pem': { issuer: 'ca.pem', algorithm: S.ecdsaWithSHA256, scheme: 'ecdsa_secp256r1_sha256' },
  'client-rsa.pem': { issuer: 'ca.pem', algorithm: S.ecdsaWithSHA256, scheme: 'ecdsa_secp256r1_sha256' },
  'client-ed25519.pem': { issuer: 'ca.pem', algorithm: S.ecdsaWithSHA256, scheme: 'ecdsa_secp256r1_sha256' },
  'expired.pem': { issuer: 'ca.pem', algorithm: S.ecdsaWithSHA256, scheme: 'ecdsa_secp256r1_sha256' },
  'not-yet-valid.pem': { issuer: 'ca.pem', algorithm: S.ecdsaWithSHA256, scheme: 'ecdsa_secp256r1_sha256' },
  'wrong-host.pem': { issuer: 'ca.pem', algorithm: S.ecdsaWithSHA256, scheme: 'ecdsa_secp256r1_sha256' },
  'self-signed.pem': { issuer: 'self-signed.pem', algorithm: S.ecdsaWithSHA256, scheme: 'ecdsa_secp256r1_sha256' },
  'other-ca.pem': { issuer: 'other-ca.pem', algorithm: S.ecdsaWithSHA256, scheme: 'ecdsa_secp256r1_sha256', ca: true },
  'forged.pem': { issuer: 'ca.pem', algorithm: S.ecdsaWithSHA256, scheme: 'ecdsa_secp256r1_sha256' },
  'issued-by-leaf.pem': { issuer: 'server-rsa.pem', algorithm: S.sha256WithRSAEncryption, scheme: 'rsa_pkcs1_sha256' },
  'critical-ext.pem': { issuer: 'ca.pem', algorithm: S.ecdsaWithSHA256, scheme: 'ecdsa_secp256r1_sha256' },
  'sha1.pem': { issuer: 'ca.pem', algorithm: S.ecdsaWithSHA1, scheme: undefined },
  'ecdsa-sha384-by-p256.pem': { issuer: 'ca.pem', algorithm: S.ecdsaWithSHA384, scheme: undefined },
  'ca-ed448.pem': { issuer: 'ca-ed448.pem', algorithm: S.ed448, scheme: undefined, ca: true },
  'via-ed448.pem': { issuer: 'ca-ed448.pem', algorithm: S.ed448, scheme: undefined },
  'ca-rsa.pem': { issuer: 'ca-rsa.pem', algorithm: S.sha256WithRSAEncryption, scheme: 'rsa_pkcs1_sha256', ca: true },
  'via-rsa-pkcs1.pem': { issuer: 'ca-rsa.pem', algorithm: S.sha512WithRSAEncryption, scheme: 'rsa_pkcs1_sha512' },
  'via-rsa-pss.pem': { issuer: 'ca-rsa.pem', algorithm: S.rsassaPss, scheme: 'rsa_pss_rsae_sha384' },
  'ca-rsa-pss.pem': { issuer: 'ca-rsa-pss.pem', algorithm: S.rsassaPss, scheme: 'rsa_pss_pss_sha256', ca: true },
  'via-rsa-pss-key.pem': { issuer: 'ca-rsa-pss.pem', algorithm: S.rsassaPss, scheme: 'rsa_pss_pss_sha512' },
  'ca-ed25519.pem': { issuer: 'ca-ed25519.pem', algorithm: S.ed25519, scheme: 'ed25519', ca: true },
  'via-ed25519.pem': { issuer: 'ca-ed25519.pem', algorithm: S.ed25519, scheme: 'ed25519' },
  'names.pem': { issuer: 'ca.pem', algorithm: S.ecdsaWithSHA256, scheme: 'ecdsa_secp256r1_sha256' },
};

// node:crypto's short names for the attribute types the fixtures use, to compare with X509Certificate.subject.
const SHORT: Record<string, string> = {
  countryName: 'C',
  stateOrProvinceName: 'ST',
  localityName: 'L',
  organizationName: 'O',
  organizationalUnitName: 'OU',
  commonName: 'CN',
  emailAddress: 'emailAddress',
  serialNumber: 'serialNumber',
  domainComponent: 'DC',
};

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const nodeCert = (file: string) => new X509Certificate(pkiText(file));

function nodeStyleName(cert: Certificate, which: 'subject' | 'issuer'): string {
  return cert[which].attributes
    .map((rdn) => rdn.map((a) => `${SHORT[a.name] ?? a.oid}=${a.value}`).join(' + '))
    .join('\n');
}

function nodeStyleSan(cert: Certificate): string {
  const ip = (bytes: Uint8Array): string =>
    bytes.length === 4
      ? Array.from(bytes).join('.')
      : Array.from({ length: 8 }, (_, i) => ((bytes[2 * i]! << 8) | bytes[2 * i + 1]!).toString(16).toUpperCase()).join(
          ':',
        );
  const san = cert.subjectAltName!;
  return [
    ...san.dns.map((d) => `DNS:${d}`),
    ...san.ip.map((b) => `IP Address:${ip(b)}`),
    ...san.email.map((e) => `email:${e}`),
    ...san.uri.map((u) => `URI:${u}`),
  ].join(', ');
}

describe('the test PKI', () => {
  it('has an expectation for every certificate generate.sh writes', () => {
    const files = readdirSync(new URL('./fixtures/pki/', import.meta.url)).filter(
      (f) => f.endsWith('.pem') && f !== 'server-ecdsa-chain.pem',
    );
    expect(files.sort()).toEqual(Object.keys(FIXTURES).sort());
  });
});

describe('parseCertificate on every fixture, against node:crypto', () => {
  for (const [file, expected] of Object.entries(FIXTURES)) {
    it(file, () => {
      const der = pkiDer(file);
      const cert = parseCertificate(der);
      const node = nodeCert(file);
      expect(cert.der).toEqual(new Uint8Array(node.raw));
      expect(cert.version).toBe(3);
      expect(cert.serialNumber[0]).not.toBe(0); // a magnitude, without leading zeros
      expect(BigInt(`0x${hex(cert.serialNumber) || '0'}`)).toBe(BigInt(`0x${node.serialNumber}`));
      expect(cert.notBefore.getTime()).toBe(Date.parse(node.validFrom));
      expect(cert.notAfter.getTime()).toBe(Date.parse(node.validTo));
      expect(nodeStyleName(cert, 'subject')).toBe(node.subject);
      expect(nodeStyleName(cert, 'issuer')).toBe(node.issuer);
      expect(cert.spki).toEqual(new Uint8Array(node.publicKey.export({ type: 'spki', format: 'der' })));
      expect(cert.signatureAlgorithm).toBe(expected.algorithm);
      expect(cert.basicConstraints?.ca ?? false).toBe(node.ca);
      expect(cert.basicConstraints?.ca ?? false).toBe(expected.ca ?? false);
      expect(cert.basicConstraints?.pathLength).toBe(expected.pathLength);
      expect(cert.extendedKeyUsage).toEqual(node.keyUsage); // node's keyUsage is the extended key usage
      expect(cert.unknownCriticalExtensions).toEqual(file === 'critical-ext.pem' ? ['1.3.6.1.4.1.55555.1'] : []);
      if (file !== 'names.pem' && node.subjectAltName !== undefined)
        expect(nodeStyleSan(cert)).toBe(node.subjectAltName);
      if (node.subjectAltName === undefined) expect(cert.subjectAltName).toBeUndefined();

      // The TBS is what the issuer signed: node:crypto agrees the signature verifies over the whole certificate.
      const issuerNode = nodeCert(expected.issuer);
      expect(node.verify(issuerNode.publicKey)).toBe(file !== 'forged.pem');
      expect(node.issuer).toBe(issuerNode.subject);
      expect(cert.issuer.der).toEqual(parseCertificate(pkiDer(expected.issuer)).subject.der);
      expect(der.subarray(4, 4 + cert.tbs.length)).toEqual(cert.tbs); // after the 4-byte header of the Certificate
      // The PSS certificates carry their RSASSA-PSS-params; the others, NULL (RSA) or nothing (ECDSA, EdDSA).
      if (expected.algorithm === S.rsassaPss) expect(cert.signatureParameters?.[0]).toBe(0x30);
      else if (expected.algorithm === S.sha256WithRSAEncryption || expected.algorithm === S.sha512WithRSAEncryption) {
        expect(cert.signatureParameters).toEqual(Uint8Array.of(0x05, 0x00));
      } else expect(cert.signatureParameters).toBeUndefined();
    });
  }

  it('reads subject key identifiers as OpenSSL computes them (SHA-1 of the key bits), and matching AKIs', () => {
    for (const [file, expected] of Object.entries(FIXTURES)) {
      const cert = parseCertificate(pkiDer(file));
      if (file === 'forged.pem') {
        expect(cert.subjectKeyIdentifier).toBeUndefined();
        expect(cert.authorityKeyIdentifier).toBeUndefined();
        continue;
      }
      // SubjectPublicKeyInfo ends with the BIT STRING of the key: its bytes after the unused-bits octet.
      const spki = cert.spki;
      const keyBits = nodeCert(file).publicKey.export({ type: 'spki', format: 'der' });
      expect(new Uint8Array(keyBits)).toEqual(spki);
      const bitString = bitStringContents(spki);
      expect(hex(cert.subjectKeyIdentifier!)).toBe(createHash('sha1').update(bitString).digest('hex'));
      const issuer = parseCertificate(pkiDer(expected.issuer));
      if (cert.authorityKeyIdentifier !== undefined)
        expect(cert.authorityKeyIdentifier).toEqual(issuer.subjectKeyIdentifier);
      else expect(expected.issuer).toBe(file); // only roots go without one
    }
  });

  it('reads key usage bits', () => {
    expect([...parseCertificate(pkiDer('ca.pem')).keyUsage!].sort()).toEqual(['cRLSign', 'keyCertSign']);
    expect([...parseCertificate(pkiDer('server-rsa.pem')).keyUsage!]).toEqual(['digitalSignature']);
    expect([...parseCertificate(pkiDer('names.pem')).keyUsage!].sort()).toEqual([
      'digitalSignature',
      'keyEncipherment',
    ]);
  });

  it('reads every name and general-name type of names.pem', () => {
    const cert = parseCertificate(pkiDer('names.pem'));
    expect(cert.subject.attributes.map((rdn) => rdn.map((a) => [a.name, a.value]))).toEqual([
      [['countryName', 'DE']],
      [['stateOrProvinceName', 'Berlin']],
      [['localityName', 'Berlin']],
      [['organizationName', 'tlsbio Ünïcode']], // T61String, read as Latin-1
      [
        ['organizationalUnitName', 'Unit A'],
        ['organizationalUnitName', 'Unit B'],
      ],
      [['organizationalUnitName', 'Unit 中文']], // BMPString
      [['commonName', 'names.tlsbio.test']],
      [['emailAddress', 'names@tlsbio.test']],
      [['serialNumber', '1234']],
      [['domainComponent', 'tlsbio']],
      [['domainComponent', 'test']],
    ]);
    expect(cert.subject.attributes[0]![0]!.oid).toBe('2.5.4.6');
    expect(cert.serialNumber).toEqual(Uint8Array.of(0xff, 0x01));
    expect(cert.subjectAltName).toEqual({
      dns: ['names.tlsbio.test', '*.wild.tlsbio.test'],
      ip: [Uint8Array.of(192, 0, 2, 7), Uint8Array.of(0x20, 0x01, 0x0d, 0xb8, ...new Array(11).fill(0), 0x17)],
      email: ['names@tlsbio.test'],
      uri: ['https://tlsbio.test/names'],
    });
    expect(cert.extendedKeyUsage).toEqual(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2', '1.3.6.1.4.1.55555.3']);
    expect(cert.extensions.map((e) => [e.oid, e.critical])).toEqual([
      ['2.5.29.19', true],
      ['2.5.29.15', true],
      ['2.5.29.37', false],
      ['2.5.29.17', false],
      ['1.3.6.1.5.5.7.1.1', false],
      ['2.5.29.31', false],
      ['2.5.29.14', false],
      ['2.5.29.35', false],
    ]);
  });

  it("copies its input: later changes to the caller's bytes do not reach the certificate", () => {
    const der = pkiDer('server-rsa.pem').slice();
    const cert = parseCertificate(der);
    const before = cert.subject.der.slice();
    der.fill(0);
    expect(cert.subject.der).toEqual(before);
    expect(cert.der).toEqual(pkiDer('server-rsa.pem'));
    expect(Object.isFrozen(cert)).toBe(true);
  });
});

function bitStringContents(spki: Uint8Array): Uint8Array {
  // Walk SEQUENCE { AlgorithmIdentifier, BIT STRING } with the lengths the fixtures use (short or 0x81/0x82 forms).
  const length = (at: number): [number, number] => {
    const first = spki[at]!;
    if (first < 0x80) return [first, at + 1];
    let value = 0;
    for (let i = 1; i <= (first & 0x7f); i++) value = value * 256 + spki[at + i]!;
    return [value, at + 1 + (first & 0x7f)];
  };
  const [, bodyStart] = length(1);
  const [algLength, algStart] = length(bodyStart + 1);
  const bitStringAt = algStart + algLength;
  const [bitsLength, bitsStart] = length(bitStringAt + 1);
  return spki.subarray(bitsStart + 1, bitsStart + bitsLength);
}

describe('parseCertificatesPem', () => {
  it('returns every CERTIFICATE block in order and skips other blocks and text', () => {
    const chain = parseCertificatesPem(pkiText('server-ecdsa-chain.pem'));
    expect(chain.map((c) => c.subject.attributes.at(-1)![0]!.value)).toEqual([
      'localhost',
      'tlsbio Test Intermediate CA',
    ]);
    const mixed = `comment\n${pkiText('ca.key')}${pkiText('ca.pem')}trailing text\n${pkiText('client.pem')}`;
    expect(parseCertificatesPem(mixed).map((c) => c.der)).toEqual([pkiDer('ca.pem'), pkiDer('client.pem')]);
    expect(parseCertificatesPem('no PEM here')).toEqual([]);
  });

  it('raises BAD_PEM for broken armour and BAD_DER for a broken certificate', () => {
    const pem = pkiText('ca.pem');
    expect(() => parseCertificatesPem(pem.replace('-----END CERTIFICATE-----', '-----END X-----'))).toThrow(
      expect.objectContaining({ reason: 'BAD_PEM' }),
    );
    const block = decodePem(pem)[0]!;
    const broken = `-----BEGIN CERTIFICATE-----\n${Buffer.from(block.der.subarray(0, 100)).toString('base64')}\n-----END CERTIFICATE-----\n`;
    let error: unknown;
    try {
      parseCertificatesPem(broken);
    } catch (caught) {
      error = caught;
    }
    expect(InvalidArgumentError.isInstance(error)).toBe(true);
    expect((error as InvalidArgumentError).reason).toBe('BAD_DER');
    expect(() => parseCertificatesPem(42 as unknown as string)).toThrow(expect.objectContaining({ reason: 'BAD_PEM' }));
  });
});

describe.each(providers)('certificateSignatureScheme (%s provider)', (_name, createProvider) => {
  const provider = createProvider();
  for (const [file, expected] of Object.entries(FIXTURES)) {
    it(`${file}: ${expected.scheme ?? 'no TLS scheme'}`, () => {
      const cert = parseCertificate(pkiDer(file));
      if (expected.issuer === 'ca-ed448.pem') {
        // Ed448 is not a key tlsbio takes: no key, so no scheme either.
        expect(() => provider.importPublicKey(parseCertificate(pkiDer(expected.issuer)).spki)).toThrow(
          expect.objectContaining({ reason: 'UNSUPPORTED_KEY_TYPE' }),
        );
        return;
      }
      const key = provider.importPublicKey(parseCertificate(pkiDer(expected.issuer)).spki);
      const scheme = certificateSignatureScheme(cert, key);
      expect(scheme).toBe(expected.scheme);
      if (scheme === undefined) return;
      const algorithm = provider.signatures[scheme]!;
      expect(algorithm.supportsKey(key)).toBe(true);
      expect(algorithm.verify(key, cert.tbs, cert.signature)).toBe(file !== 'forged.pem');
      const tampered = cert.tbs.slice();
      tampered[tampered.length - 1]! ^= 1;
      expect(algorithm.verify(key, tampered, cert.signature)).toBe(false);
    });
  }

  it('is undefined when the issuer key does not fit the algorithm', () => {
    const p256 = provider.importPublicKey(parseCertificate(pkiDer('ca.pem')).spki);
    const p384 = provider.importPublicKey(parseCertificate(pkiDer('ca-int.pem')).spki);
    const rsa = provider.importPublicKey(parseCertificate(pkiDer('ca-rsa.pem')).spki);
    const rsaPss = provider.importPublicKey(parseCertificate(pkiDer('ca-rsa-pss.pem')).spki);
    const ed25519 = provider.importPublicKey(parseCertificate(pkiDer('ca-ed25519.pem')).spki);
    const ecdsa256 = parseCertificate(pkiDer('server-rsa.pem')); // ecdsa-with-SHA256
    const pkcs1 = parseCertificate(pkiDer('via-rsa-pkcs1.pem'));
    const pss = parseCertificate(pkiDer('via-rsa-pss.pem'));
    const eddsa = parseCertificate(pkiDer('via-ed25519.pem'));
    expect(certificateSignatureScheme(ecdsa256, p384)).toBeUndefined(); // SHA-256 from P-384: no TLS scheme
    expect(certificateSignatureScheme(ecdsa256, rsa)).toBeUndefined();
    expect(certificateSignatureScheme(pkcs1, rsaPss)).toBeUndefined(); // an RSASSA-PSS key cannot do PKCS #1 v1.5
    expect(certificateSignatureScheme(pkcs1, p256)).toBeUndefined();
    expect(certificateSignatureScheme(pss, rsaPss)).toBe('rsa_pss_pss_sha384');
    expect(certificateSignatureScheme(pss, p256)).toBeUndefined();
    expect(certificateSignatureScheme(eddsa, p256)).toBeUndefined();
    expect(certificateSignatureScheme(ecdsa256, ed25519)).toBeUndefined();
  });
});
