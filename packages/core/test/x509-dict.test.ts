import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { derContextTag, derInteger, derOid, derSequence } from '../src/asn1/der-writer.js';
import { certificateToDict, parseCertificate } from '../src/x509/index.js';
import {
  Ext,
  GN,
  ascii,
  atv,
  certificate,
  concat,
  extension,
  generalizedTime,
  name,
  pkiDer,
  str,
  tbsCertificate,
  utcTime,
} from './fixtures/pki/synthetic.js';

// What CPython 3.11 (OpenSSL 3.0) prints: `ssl._ssl._test_decode_cert(path)`, the function behind getpeercert().
// For the fixtures, generate.sh records it in python-getpeercert.json (tuples as arrays); for the synthetic
// certificates below it was run once while writing this test and pasted here.
const recorded = JSON.parse(
  readFileSync(new URL('./fixtures/pki/python-getpeercert.json', import.meta.url), 'utf8'),
) as Record<string, unknown>;

describe("certificateToDict equals Python's getpeercert()", () => {
  for (const [file, expected] of Object.entries(recorded)) {
    it(file, () => {
      const dict = certificateToDict(parseCertificate(pkiDer(file)));
      expect(dict).toEqual(expected);
      // Same keys in the same order, so JSON.stringify (and a port of Python code printing it) agree too.
      expect(JSON.stringify(dict)).toBe(JSON.stringify(expected));
    });
  }

  it('covers the cases that matter', () => {
    // names.pem: multi-valued RDN, T61String and BMPString, every SAN type Python prints, AIA and CRL DP.
    const names = recorded['names.pem'] as Record<string, unknown>;
    expect(Object.keys(names)).toEqual([
      'subject',
      'issuer',
      'version',
      'serialNumber',
      'notBefore',
      'notAfter',
      'subjectAltName',
      'OCSP',
      'caIssuers',
      'crlDistributionPoints',
    ]);
    expect((recorded['expired.pem'] as Record<string, unknown>).notBefore).toBe('Jan  1 00:00:00 2000 GMT');
    expect((recorded['ca.pem'] as Record<string, unknown>).subjectAltName).toBeUndefined();
  });

  it('a synthetic certificate: a 40-byte serial, UniversalString and unknown attributes, EDI party and IP names', () => {
    const serial = Uint8Array.from({ length: 40 }, (_, i) => (i === 0 ? 0x12 : i));
    const edi = derContextTag(5, derContextTag(1, str(12, ascii('party'))), { implicit: true, constructed: true });
    const aia = extension(
      '1.3.6.1.5.5.7.1.1',
      derSequence(
        derSequence(derOid('1.3.6.1.5.5.7.48.1'), GN.dns('ocsp.example')), // not a URI: Python skips it
        derSequence(derOid('1.3.6.1.5.5.7.48.2'), GN.uri('http://ca.example/a')),
        derSequence(derOid('1.3.6.1.5.5.7.48.2'), GN.uri('http://ca.example/b')),
      ),
    );
    const crl = extension(
      '2.5.29.31',
      derSequence(
        // nameRelativeToCRLIssuer, then a fullName with a DNS name and a URI, then a cRLIssuer alone
        derSequence(
          derContextTag(
            0,
            derContextTag(1, derSequence(derOid('2.5.4.3'), str(12, ascii('rel'))), {
              implicit: true,
              constructed: true,
            }),
          ),
        ),
        derSequence(
          derContextTag(
            0,
            derContextTag(0, concat(GN.dns('crl.example'), GN.uri('http://crl.example/x.crl')), {
              implicit: true,
              constructed: true,
            }),
          ),
        ),
        derSequence(derContextTag(2, GN.uri('http://issuer.example/'), { implicit: true, constructed: true })),
      ),
    );
    const der = certificate(
      tbsCertificate({
        serial: derInteger(serial),
        notBefore: utcTime('260309010203Z'),
        notAfter: generalizedTime('21251231235959Z'),
        subject: name(
          [atv('2.5.4.3', str(28, Uint8Array.of(0, 0, 0, 0x41, 0, 1, 0xf6, 0)))],
          [atv('1.2.3.4.5', str(12, ascii('odd')))],
        ),
        extensions: [
          Ext.san(edi, GN.ip([10, 0, 0, 1]), GN.ip([0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xab, 0xcd])),
          aia,
          crl,
        ],
      }),
    );
    expect(certificateToDict(parseCertificate(der))).toEqual({
      subject: [[['commonName', 'A😀']], [['1.2.3.4.5', 'odd']]],
      issuer: [[['organizationName', 'tlsbio']], [['commonName', 'tlsbio Test Root CA']]],
      version: 3,
      serialNumber: '120102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F202122\\\n',
      notBefore: 'Mar  9 01:02:03 2026 GMT',
      notAfter: 'Dec 31 23:59:59 2125 GMT',
      subjectAltName: [
        ['EdiPartyName', '<unsupported>'],
        ['IP Address', '10.0.0.1'],
        ['IP Address', '2001:DB8:0:0:0:0:0:ABCD'],
      ],
      caIssuers: ['http://ca.example/a', 'http://ca.example/b'],
      crlDistributionPoints: ['http://crl.example/x.crl'],
    });
  });

  it('a synthetic certificate: serial zero, and an AIA without URIs', () => {
    const der = certificate(
      tbsCertificate({
        serial: derInteger(0),
        extensions: [
          extension('1.3.6.1.5.5.7.1.1', derSequence(derSequence(derOid('1.3.6.1.5.5.7.48.1'), GN.dns('x')))),
        ],
      }),
    );
    expect(certificateToDict(parseCertificate(der))).toEqual({
      subject: [[['organizationName', 'tlsbio']], [['commonName', 'localhost']]],
      issuer: [[['organizationName', 'tlsbio']], [['commonName', 'tlsbio Test Root CA']]],
      version: 3,
      serialNumber: '00',
      notBefore: 'Jan  1 00:00:00 2026 GMT',
      notAfter: 'Dec 31 23:59:59 2125 GMT',
    });
  });
});

describe('certificateToDict beyond what Python shows', () => {
  it('prints serial numbers of 35 bytes whole, and the other name types as OpenSSL 3.0 does', () => {
    const serial = Uint8Array.from({ length: 35 }, (_, i) => i + 1);
    const otherName = derContextTag(0, concat(derOid('1.2.3'), derContextTag(0, str(12, ascii('x')))), {
      implicit: true,
      constructed: true,
    });
    const x400 = derContextTag(3, derSequence(derSequence()), { implicit: true, constructed: true });
    const rid = derContextTag(8, derOid('1.2.3.4').subarray(2), { implicit: true });
    const dict = certificateToDict(
      parseCertificate(
        certificate(
          tbsCertificate({
            serial: derInteger(serial),
            extensions: [Ext.san(otherName, x400, rid, GN.email('a@b'), GN.uri('u:'))],
          }),
        ),
      ),
    );
    expect(dict.serialNumber).toBe(Array.from(serial, (b) => b.toString(16).toUpperCase().padStart(2, '0')).join(''));
    expect(dict.subjectAltName).toEqual([
      ['othername', '<unsupported>'],
      ['X400Name', '<unsupported>'],
      ['Registered ID', '1.2.3.4'],
      ['email', 'a@b'],
      ['URI', 'u:'],
    ]);
  });

  it('leaves out an information extension that does not decode, as Python does', () => {
    const broken = [
      extension('1.3.6.1.5.5.7.1.1', Uint8Array.of(0x30, 0x01, 0x00)),
      extension('2.5.29.31', derSequence(derInteger(1))),
    ];
    const dict = certificateToDict(parseCertificate(certificate(tbsCertificate({ extensions: broken }))));
    expect(Object.keys(dict)).toEqual(['subject', 'issuer', 'version', 'serialNumber', 'notBefore', 'notAfter']);
  });

  it('prints v1 certificates and an empty subject', () => {
    const dict = certificateToDict(
      parseCertificate(certificate(tbsCertificate({ version: 1, subject: derSequence() }))),
    );
    expect(dict.version).toBe(1);
    expect(dict.subject).toEqual([]);
  });
});
