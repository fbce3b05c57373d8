import { InvalidArgumentError, ProtocolError, isTLSError } from '@tlsbio/errors';
import { describe, expect, it } from 'vitest';
import { UniversalTag } from '../src/asn1/der.js';
import {
  derBitString,
  derBoolean,
  derContextTag,
  derElement,
  derInteger,
  derNull,
  derOctetString,
  derOid,
  derSequence,
} from '../src/asn1/der-writer.js';
import { parseCertificate, type Certificate } from '../src/x509/index.js';
import {
  Alg,
  Ext,
  GN,
  ascii,
  atv,
  certificate,
  cnName,
  concat,
  extension,
  generalizedTime,
  ia5,
  name,
  printable,
  str,
  subtree,
  tbsCertificate,
  utcTime,
  utf8String,
  type TbsSpec,
} from './fixtures/pki/synthetic.js';

// Certificates built field by field (test/fixtures/pki/synthetic.ts), each differing from a good one in one place.

const build = (spec: TbsSpec = {}): Uint8Array => certificate(tbsCertificate(spec));

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

/** The certificate is refused: BAD_DER from a local file, BAD_CERTIFICATE (alert 42) from a peer. */
function expectRejected(der: Uint8Array, message?: RegExp): void {
  const local = thrown(() => parseCertificate(der, 'local'));
  expect(InvalidArgumentError.isInstance(local), String(local)).toBe(true);
  expect((local as InvalidArgumentError).reason).toBe('BAD_DER');
  expect((local as InvalidArgumentError).argument).toBe('certificate');
  if (message !== undefined) expect((local as Error).message).toMatch(message);

  const peer = thrown(() => parseCertificate(der, 'peer'));
  expect(ProtocolError.isInstance(peer), String(peer)).toBe(true);
  expect((peer as ProtocolError).reason).toBe('BAD_CERTIFICATE');
  expect((peer as ProtocolError).fault).toBe('remote');
  expect((peer as ProtocolError).alert).toMatchObject({ description: 42, name: 'bad_certificate', sent: true });
  expect(InvalidArgumentError.isInstance((peer as Error).cause)).toBe(true);
  if (message !== undefined) expect((peer as Error).message).toMatch(message);
}

const parse = (der: Uint8Array): Certificate => parseCertificate(der, 'peer');

describe('the synthetic baseline', () => {
  it('parses, so that each rejection below is due to its one change', () => {
    const cert = parse(build({ extensions: [Ext.san(GN.dns('localhost'))] }));
    expect(cert.version).toBe(3);
    expect(cert.serialNumber).toEqual(Uint8Array.of(0x01, 0x23));
    expect(cert.subject.attributes.map((rdn) => rdn.map((a) => a.value))).toEqual([['tlsbio'], ['localhost']]);
    expect(cert.notBefore.toISOString()).toBe('2026-01-01T00:00:00.000Z');
    expect(cert.notAfter.toISOString()).toBe('2125-12-31T23:59:59.000Z');
    expect(cert.subjectAltName?.dns).toEqual(['localhost']);
  });
});

describe('DER framing', () => {
  const good = build();
  it('refuses bytes after the Certificate', () => expectRejected(concat(good, Uint8Array.of(0)), /unexpected byte/));
  it('refuses an element after the signature', () => {
    expectRejected(derSequence(tbsCertificate(), Alg.ecdsaSha256, derBitString(new Uint8Array(8)), derNull()));
  });
  it('refuses an element after the subjectPublicKeyInfo that is none of the optional fields', () => {
    expectRejected(build({ afterSpki: [derNull()] }), /TBSCertificate/);
  });
  it('refuses an indefinite (BER) length', () => {
    const body = good.subarray(4); // the fixture header is 30 82 xx xx
    expectRejected(concat(Uint8Array.of(0x30, 0x80), body, Uint8Array.of(0, 0)), /indefinite length/);
  });
  it('refuses a non-minimal length', () => {
    expectRejected(concat(Uint8Array.of(0x30, 0x83, 0x00), good.subarray(2)), /non-minimal length/);
  });
  it('refuses a truncated certificate, an empty input, and a non-SEQUENCE', () => {
    expectRejected(good.subarray(0, good.length - 1));
    expectRejected(new Uint8Array(0));
    expectRejected(derNull());
  });
  it("refuses a non-Uint8Array input as the caller's error, whatever the origin", () => {
    for (const origin of ['peer', 'local'] as const) {
      const error = thrown(() => parseCertificate('MIIB' as unknown as Uint8Array, origin));
      expect(InvalidArgumentError.isInstance(error)).toBe(true);
    }
  });
  it('refuses a signature BIT STRING with unused bits', () => {
    expectRejected(derSequence(tbsCertificate(), Alg.ecdsaSha256, derBitString(Uint8Array.of(0x80), 7)));
  });
});

describe('version, serial number and algorithm', () => {
  it('refuses an explicit v1 (DER omits the DEFAULT) and versions above v3', () => {
    expectRejected(build({ version: derContextTag(0, derInteger(0)) }), /X\.690 §11\.5/);
    expectRejected(build({ version: derContextTag(0, derInteger(3)) }), /unknown certificate version 4/);
  });
  it('reads v1 and v2 certificates', () => {
    expect(parse(build({ version: 1 })).version).toBe(1);
    const uniqueIds = [
      derContextTag(1, Uint8Array.of(0, 0xab), { implicit: true }),
      derContextTag(2, Uint8Array.of(0, 0xcd), { implicit: true }),
    ];
    expect(parse(build({ version: 2, afterSpki: uniqueIds })).version).toBe(2);
    expect(parse(build({ version: 3, afterSpki: uniqueIds, extensions: [Ext.ski(Uint8Array.of(1))] })).version).toBe(3);
  });
  it('refuses extensions in v1 and v2 certificates, and unique identifiers in v1', () => {
    expectRejected(build({ version: 1, extensions: [Ext.ski(Uint8Array.of(1))] }), /extensions in a version 1/);
    expectRejected(build({ version: 2, extensions: [Ext.ski(Uint8Array.of(1))] }), /extensions in a version 2/);
    expectRejected(
      build({ version: 1, afterSpki: [derContextTag(1, Uint8Array.of(0, 1), { implicit: true })] }),
      /issuerUniqueID in a version 1/,
    );
  });
  it('refuses unique identifiers that are constructed, malformed or out of order', () => {
    expectRejected(build({ afterSpki: [derContextTag(1, derBitString(Uint8Array.of(1)))] }), /primitive/);
    expectRejected(build({ afterSpki: [derContextTag(1, Uint8Array.of(9, 0), { implicit: true })] }));
    const [one, two] = [
      derContextTag(1, Uint8Array.of(0, 1), { implicit: true }),
      derContextTag(2, Uint8Array.of(0, 2), { implicit: true }),
    ];
    expectRejected(build({ afterSpki: [two, one] }));
  });
  it('reads the serial number as a magnitude: zero is empty, the sign octet is dropped', () => {
    expect(parse(build({ serial: derInteger(0) })).serialNumber).toEqual(new Uint8Array(0));
    expect(parse(build({ serial: derInteger(Uint8Array.of(0x80, 0x01)) })).serialNumber).toEqual(
      Uint8Array.of(0x80, 0x01),
    );
  });
  it('refuses negative and non-minimal serial numbers', () => {
    expectRejected(build({ serial: derElement(0, false, UniversalTag.INTEGER, Uint8Array.of(0x80)) }), /negative/);
    expectRejected(
      build({ serial: derElement(0, false, UniversalTag.INTEGER, Uint8Array.of(0x00, 0x01)) }),
      /non-minimal/,
    );
  });
  it('refuses a signatureAlgorithm that differs from the TBSCertificate signature field', () => {
    expectRejected(
      certificate(tbsCertificate({ signature: Alg.ecdsaSha256 }), Alg.ecdsaSha384),
      /RFC 5280 §4\.1\.1\.2/,
    );
    const withNull = derSequence(derOid('1.2.840.10045.4.3.2'), derNull());
    expectRejected(certificate(tbsCertificate({ signature: Alg.ecdsaSha256 }), withNull), /differs/);
  });
  it('keeps the parameters of the signature algorithm, and unknown algorithms', () => {
    const rsa = parse(certificate(tbsCertificate({ signature: Alg.sha256Rsa }), Alg.sha256Rsa));
    expect(rsa.signatureParameters).toEqual(Uint8Array.of(5, 0));
    const unknown = derSequence(derOid('1.2.3.4'), derOctetString(Uint8Array.of(1)));
    const cert = parse(certificate(tbsCertificate({ signature: unknown }), unknown));
    expect(cert.signatureAlgorithm).toBe('1.2.3.4');
    expect(cert.signatureParameters).toEqual(Uint8Array.of(4, 1, 1));
  });
  it('refuses a subjectPublicKeyInfo that is not SEQUENCE { AlgorithmIdentifier, BIT STRING }', () => {
    expectRejected(build({ spki: derSequence(derSequence(derOid('1.2.840.10045.2.1'))) }));
    expectRejected(
      build({ spki: derSequence(derSequence(derOid('1.3.101.112')), derBitString(new Uint8Array(32)), derNull()) }),
    );
    expect(
      parse(build({ spki: derSequence(derSequence(derOid('1.3.101.112')), derBitString(new Uint8Array(32))) }))
        .publicKeyAlgorithm,
    ).toBe('1.3.101.112');
  });
});

describe('validity times (RFC 5280 §4.1.2.5)', () => {
  const at = (notBefore: Uint8Array): Date => parse(build({ notBefore })).notBefore;
  it('reads UTCTime years as 1950-2049 and GeneralizedTime years as written', () => {
    expect(at(utcTime('490101000000Z')).toISOString()).toBe('2049-01-01T00:00:00.000Z');
    expect(at(utcTime('500101000000Z')).toISOString()).toBe('1950-01-01T00:00:00.000Z');
    expect(at(generalizedTime('20240229123456Z')).toISOString()).toBe('2024-02-29T12:34:56.000Z');
    expect(at(generalizedTime('00050101000000Z')).getUTCFullYear()).toBe(5);
    expect(at(generalizedTime('99991231235959Z')).toISOString()).toBe('9999-12-31T23:59:59.000Z');
  });
  for (const [label, time] of [
    ['a UTCTime without seconds', utcTime('2601010000Z')],
    ['a UTCTime with an offset', utcTime('260101000000+0100')],
    ['a UTCTime without Z', utcTime('260101000000')],
    ['a GeneralizedTime with fractional seconds', generalizedTime('20260101000000.5Z')],
    ['a GeneralizedTime in local time', generalizedTime('20260101000000')],
    ['February 30th', generalizedTime('20260230000000Z')],
    ['February 29th of 2100', generalizedTime('21000229000000Z')],
    ['hour 24', utcTime('260101240000Z')],
    ['second 60', utcTime('260101235960Z')],
    ['month 13', utcTime('261301000000Z')],
    ['day 0', utcTime('260100000000Z')],
    ['a time of another type', printable('260101000000Z')],
    ['non-digits', utcTime('26o101000000Z')],
  ] as const) {
    it(`refuses ${label}`, () => expectRejected(build({ notBefore: time })));
  }
});

describe('names (RFC 5280 §4.1.2.4)', () => {
  const subjectValue = (value: Uint8Array, oid = '2.5.4.3'): string =>
    parse(build({ subject: name([atv(oid, value)]) })).subject.attributes[0]![0]!.value;
  it('decodes every string type', () => {
    expect(subjectValue(utf8String('Grüße 😀'))).toBe('Grüße 😀');
    expect(subjectValue(printable('Plain 1'))).toBe('Plain 1');
    expect(subjectValue(ia5('a@b.example'))).toBe('a@b.example');
    expect(subjectValue(str(UniversalTag.TeletexString, Uint8Array.of(0x63, 0x61, 0x66, 0xe9)))).toBe('café');
    expect(subjectValue(str(UniversalTag.BMPString, Uint8Array.of(0x03, 0xa9, 0x00, 0x6d)))).toBe('Ωm');
    expect(subjectValue(str(UniversalTag.UniversalString, Uint8Array.of(0, 1, 0xf6, 0x00, 0, 0, 0, 0x41)))).toBe('😀A');
    expect(subjectValue(str(26, ascii('visible')))).toBe('visible');
    expect(subjectValue(str(18, ascii('123 45')))).toBe('123 45');
  });
  it('gives a value of a non-string type as # and its DER in hex (RFC 4514 §2.4)', () => {
    expect(subjectValue(derBitString(Uint8Array.of(0xab)), '2.5.4.45')).toBe('#030200ab');
    expect(subjectValue(derInteger(5))).toBe('#020105');
  });
  it('names attribute types as OpenSSL does, unknown ones by OID', () => {
    const cert = parse(
      build({
        subject: name(
          [atv('2.5.4.97', utf8String('VATDE-1'))],
          [atv('1.3.6.1.4.1.311.60.2.1.3', printable('DE'))],
          [atv('0.9.2342.19200300.100.1.1', utf8String('uid'))],
          [atv('1.2.3.4.5', utf8String('x'))],
        ),
      }),
    );
    expect(cert.subject.attributes.map((rdn) => rdn[0]!.name)).toEqual([
      'organizationIdentifier',
      'jurisdictionCountryName',
      'userId',
      '1.2.3.4.5',
    ]);
  });
  it('reads an empty name (a subject may be empty when subjectAltName is critical)', () => {
    const cert = parse(
      build({ subject: derSequence(), extensions: [extension('2.5.29.17', derSequence(GN.dns('a.example')), true)] }),
    );
    expect(cert.subject.attributes).toEqual([]);
    expect(cert.subject.der).toEqual(Uint8Array.of(0x30, 0x00));
  });
  for (const [label, value] of [
    ['invalid UTF-8', str(UniversalTag.UTF8String, Uint8Array.of(0xc3, 0x28))],
    ['a UTF-8 encoded surrogate', str(UniversalTag.UTF8String, Uint8Array.of(0xed, 0xa0, 0x80))],
    ['an odd-length BMPString', str(UniversalTag.BMPString, Uint8Array.of(0, 0x41, 0))],
    ['a surrogate in a BMPString', str(UniversalTag.BMPString, Uint8Array.of(0xd8, 0x3d, 0xde, 0x00))],
    ['a UniversalString that is not whole characters', str(UniversalTag.UniversalString, Uint8Array.of(0, 0, 0x41))],
    ['a UniversalString beyond U+10FFFF', str(UniversalTag.UniversalString, Uint8Array.of(0, 0x11, 0, 0))],
    ['a control character in a PrintableString', printable('a\u0001b')],
    ['a non-ASCII byte in an IA5String', str(UniversalTag.IA5String, Uint8Array.of(0x61, 0xe9))],
    ['a constructed string', derElement(0, true, UniversalTag.UTF8String, utf8String('x'))],
  ] as const) {
    it(`refuses ${label}`, () => expectRejected(build({ subject: name([atv('2.5.4.3', value)]) })));
  }
  it('refuses an empty RDN, an attribute without a value, and an RDN that is not a SET', () => {
    expectRejected(
      build({ issuer: derSequence(derElement(0, true, UniversalTag.SET, new Uint8Array(0))) }),
      /empty RelativeDistinguishedName/,
    );
    expectRejected(build({ issuer: name([derSequence(derOid('2.5.4.3'))]) }));
    expectRejected(build({ issuer: derSequence(derSequence(atv('2.5.4.3', utf8String('x')))) }));
  });
});

describe('extensions (RFC 5280 §4.2)', () => {
  const withExtensions = (...extensions: Uint8Array[]): Uint8Array => build({ extensions });
  it('refuses an empty Extensions list and a [3] that is not explicit', () => {
    expectRejected(build({ rawExtensions: derContextTag(3, derSequence()) }), /empty/);
    expectRejected(
      build({ rawExtensions: derContextTag(3, Uint8Array.of(0x30, 0x00), { implicit: true, constructed: false }) }),
    );
  });
  it('refuses an extension that appears twice', () => {
    expectRejected(withExtensions(Ext.ski(Uint8Array.of(1)), Ext.ski(Uint8Array.of(1))), /appears twice/);
    expectRejected(withExtensions(extension('1.2.3', derNull()), extension('1.2.3', derNull())), /appears twice/);
  });
  it('refuses critical FALSE spelled out', () => {
    expectRejected(withExtensions(extension('2.5.29.14', derOctetString(Uint8Array.of(1)), 'false')), /critical FALSE/);
  });
  it('records unknown critical extensions and keeps unknown ones as bytes', () => {
    const cert = parse(
      withExtensions(
        extension('1.2.3.4', derNull(), true),
        extension('1.2.3.5', Uint8Array.of(0xff)),
        Ext.basicConstraints(false),
      ),
    );
    expect(cert.unknownCriticalExtensions).toEqual(['1.2.3.4']);
    expect(cert.extensions).toEqual([
      { oid: '1.2.3.4', critical: true, value: derNull() },
      { oid: '1.2.3.5', critical: false, value: Uint8Array.of(0xff) },
      { oid: '2.5.29.19', critical: true, value: derSequence() },
    ]);
    // Policies are not processed: a critical policy extension must stop a verifier.
    const constrained = parse(withExtensions(extension('2.5.29.36', derSequence(derContextTag(0, Uint8Array.of(0), { implicit: true })), true)));
    expect(constrained.unknownCriticalExtensions).toEqual(['2.5.29.36']);
  });
  it('reads nameConstraints of every name type, with IP address and mask', () => {
    const cert = parse(
      withExtensions(
        Ext.nameConstraints(
          [subtree(GN.dns('example.com')), subtree(GN.ip([10, 0, 0, 0, 255, 0, 0, 0])), subtree(GN.dirName(cnName('Dept')))],
          [subtree(GN.email('.bad.example')), subtree(GN.uri('.evil.example'), 1)],
        ),
      ),
    );
    expect(cert.unknownCriticalExtensions).toEqual([]);
    const nc = cert.nameConstraints!;
    expect(nc.permitted.map((s) => s.base.type)).toEqual(['dNSName', 'iPAddress', 'directoryName']);
    expect(nc.permitted[1]!.base).toMatchObject({ bytes: Uint8Array.of(10, 0, 0, 0, 255, 0, 0, 0) });
    expect(nc.excluded).toEqual([
      { base: { type: 'rfc822Name', value: '.bad.example' } },
      { base: { type: 'uniformResourceIdentifier', value: '.evil.example' }, minimum: 1 },
    ]);
  });
  it('refuses an empty nameConstraints, an empty subtree list, minimum 0 spelled out and a bare IP address', () => {
    expectRejected(withExtensions(extension('2.5.29.30', derSequence(), true)), /no subtree/);
    expectRejected(
      withExtensions(extension('2.5.29.30', derSequence(derContextTag(0, new Uint8Array(0), { implicit: true, constructed: true })), true)),
      /empty/,
    );
    expectRejected(withExtensions(Ext.nameConstraints([subtree(GN.dns('example.com'), 0)])), /minimum 0/);
    expectRejected(withExtensions(Ext.nameConstraints([subtree(GN.ip([10, 0, 0, 0]))])), /iPAddress of 4 bytes/);
  });
  it('keeps every subjectAltName entry in order, of every type', () => {
    const cert = parse(withExtensions(Ext.san(GN.dns('a.example'), GN.dirName(cnName('X')), GN.otherName('1.2.3', utf8String('o')))));
    expect(cert.altNames?.map((n) => n.type)).toEqual(['dNSName', 'directoryName', 'otherName']);
  });
  it('refuses trailing bytes inside a known extension value', () => {
    expectRejected(withExtensions(extension('2.5.29.14', concat(derOctetString(Uint8Array.of(1)), derNull()))));
  });

  it('reads basicConstraints', () => {
    expect(parse(withExtensions(Ext.basicConstraints(true, 3))).basicConstraints).toEqual({ ca: true, pathLength: 3 });
    expect(parse(withExtensions(Ext.basicConstraints(true))).basicConstraints).toEqual({ ca: true });
    expect(parse(withExtensions(Ext.basicConstraints(false))).basicConstraints).toEqual({ ca: false });
    expect(parse(withExtensions(Ext.basicConstraints(false, 1))).basicConstraints).toEqual({
      ca: false,
      pathLength: 1,
    });
  });
  it('refuses cA FALSE spelled out, a negative path length, and other junk in basicConstraints', () => {
    expectRejected(withExtensions(extension('2.5.29.19', derSequence(derBoolean(false)), true)), /cA FALSE/);
    expectRejected(
      withExtensions(
        extension('2.5.29.19', derSequence(derBoolean(true), derElement(0, false, 2, Uint8Array.of(0xff))), true),
      ),
    );
    expectRejected(
      withExtensions(extension('2.5.29.19', derSequence(derBoolean(true), derInteger(1), derNull()), true)),
    );
    expectRejected(withExtensions(extension('2.5.29.19', derBoolean(true), true)));
  });

  it('reads keyUsage bits, decipherOnly in the second octet included', () => {
    expect([...parse(withExtensions(Ext.keyUsage([0x80], 7))).keyUsage!]).toEqual(['digitalSignature']);
    expect([...parse(withExtensions(Ext.keyUsage([0x06], 1))).keyUsage!]).toEqual(['keyCertSign', 'cRLSign']);
    expect([...parse(withExtensions(Ext.keyUsage([0x00, 0x80], 7))).keyUsage!]).toEqual(['decipherOnly']);
    expect([...parse(withExtensions(Ext.keyUsage([0xff, 0x80], 7))).keyUsage!]).toHaveLength(9);
  });
  it('refuses a keyUsage with no bit set, or a non-zero padding bit', () => {
    expectRejected(withExtensions(Ext.keyUsage([], 0)), /KeyUsage/);
    expectRejected(withExtensions(Ext.keyUsage([0x00], 7)), /KeyUsage/);
    expectRejected(withExtensions(Ext.keyUsage([0x00, 0x00], 0)), /KeyUsage/);
    expectRejected(withExtensions(extension('2.5.29.15', Uint8Array.of(0x03, 0x02, 0x01, 0x81), true)), /padding/);
  });
  it('takes trailing zero bits in keyUsage (X.690 §11.2.2), as two Mozilla roots write it', () => {
    // Trustwave Global ECC P256/P384 Certification Authority: 03 03 07 06 00 (keyCertSign, cRLSign).
    expect([...parse(withExtensions(Ext.keyUsage([0x06, 0x00], 7))).keyUsage!]).toEqual(['keyCertSign', 'cRLSign']);
    expect([...parse(withExtensions(Ext.keyUsage([0x80], 0))).keyUsage!]).toEqual(['digitalSignature']);
  });

  it('reads extendedKeyUsage and refuses an empty one', () => {
    expect(parse(withExtensions(Ext.eku('1.3.6.1.5.5.7.3.1', '2.5.29.37.0'))).extendedKeyUsage).toEqual([
      '1.3.6.1.5.5.7.3.1',
      '2.5.29.37.0',
    ]);
    expectRejected(withExtensions(Ext.eku()), /empty/);
  });

  it('reads key identifiers, and refuses an AKI with an issuer but no serial number', () => {
    const cert = parse(withExtensions(Ext.ski(Uint8Array.of(1, 2)), Ext.aki(Uint8Array.of(3, 4))));
    expect(cert.subjectKeyIdentifier).toEqual(Uint8Array.of(1, 2));
    expect(cert.authorityKeyIdentifier).toEqual(Uint8Array.of(3, 4));
    const issuerAndSerial = [
      derContextTag(1, GN.dns('ca.example'), { implicit: true, constructed: true }),
      derContextTag(2, Uint8Array.of(7), { implicit: true }),
    ];
    const full = parse(withExtensions(extension('2.5.29.35', derSequence(...issuerAndSerial))));
    expect(full.authorityKeyIdentifier).toBeUndefined();
    expect(full.extensions).toHaveLength(1);
    expectRejected(withExtensions(extension('2.5.29.35', derSequence(issuerAndSerial[0]!))), /both/);
    expectRejected(withExtensions(extension('2.5.29.35', derSequence(issuerAndSerial[1]!))), /both/);
    expectRejected(
      withExtensions(extension('2.5.29.35', derSequence(derContextTag(0, derOctetString(Uint8Array.of(1)))))),
    ); // constructed [0]
    expectRejected(withExtensions(extension('2.5.29.14', derInteger(1))));
  });

  it('reads subjectAltName entries by type', () => {
    const dirName = derContextTag(4, cnName('Dir', false));
    const otherName = derContextTag(0, concat(derOid('1.2.3'), derContextTag(0, utf8String('x'))), {
      implicit: true,
      constructed: true,
    });
    const rid = derContextTag(8, derOid('1.2.3.4').subarray(2), { implicit: true });
    const cert = parse(
      withExtensions(
        Ext.san(
          GN.dns('a.example'),
          GN.ip([127, 0, 0, 1]),
          GN.ip([...new Array(15).fill(0), 1]),
          GN.email('x@a.example'),
          GN.uri('https://a.example/'),
          dirName,
          otherName,
          rid,
        ),
      ),
    );
    expect(cert.subjectAltName).toEqual({
      dns: ['a.example'],
      ip: [Uint8Array.of(127, 0, 0, 1), Uint8Array.of(...new Array(15).fill(0), 1)],
      email: ['x@a.example'],
      uri: ['https://a.example/'],
    });
  });
  for (const [label, entry] of [
    ['an iPAddress of 5 bytes', GN.ip([1, 2, 3, 4, 5])],
    ['an iPAddress of 8 bytes (name-constraint form)', GN.ip([10, 0, 0, 0, 255, 0, 0, 0])],
    ['a non-ASCII dNSName', derContextTag(2, Uint8Array.of(0x61, 0xc3, 0xa9), { implicit: true })],
    ['a constructed dNSName', derContextTag(2, ia5('a.example'))],
    ['an unknown tag [9]', derContextTag(9, ascii('x'), { implicit: true })],
    ['a universal tag', ia5('a.example')],
    ['an otherName without its value', derContextTag(0, derOid('1.2.3'), { implicit: true, constructed: true })],
    ['a primitive directoryName', derContextTag(4, cnName('x'), { implicit: true })],
    ['a malformed registeredID', derContextTag(8, Uint8Array.of(0x80), { implicit: true })],
  ] as const) {
    it(`refuses a subjectAltName with ${label}`, () => expectRejected(withExtensions(Ext.san(entry))));
  }
  it('refuses an empty subjectAltName', () => expectRejected(withExtensions(Ext.san()), /empty/));
});

describe('errors', () => {
  it("are TLSErrors of the origin's kind, with the reader's offset in the message", () => {
    const error = thrown(() => parseCertificate(build({ version: derContextTag(0, derInteger(0)) }), 'local'));
    expect(isTLSError(error)).toBe(true);
    expect((error as Error).message).toMatch(/^certificate: .*\(DER offset \d+\)$/);
  });
  it('default to the local origin', () => {
    const error = thrown(() => parseCertificate(new Uint8Array(1)));
    expect(InvalidArgumentError.isInstance(error)).toBe(true);
  });
});
