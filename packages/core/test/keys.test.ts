import { createPrivateKey, createPublicKey, type JsonWebKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { InvalidArgumentError } from '@tlsbio/errors';
import { describe, expect, it } from 'vitest';
import {
  derBitString,
  derContextTag,
  derInteger,
  derNull,
  derOctetString,
  derOid,
  derSequence,
} from '../src/asn1/der-writer.js';
import { pemEncode } from '../src/asn1/pem.js';
import type { PrivateKeyMaterial, PublicKeyMaterial } from '../src/crypto/key-material.js';
import { ecPublicKey, ed25519PublicKey, parsePrivateKey, parsePublicKey, rsaPublicKey } from '../src/crypto/keys.js';

// Fixtures come from the openssl CLI (test/fixtures/keys/generate.sh). Expected values come from node:crypto's
// JWK export (RSA, EC, one Ed25519 key) or from `openssl pkey -text` (RSA-PSS, which Node cannot export as JWK).

const fixtureUrl = (name: string) => new URL(`./fixtures/keys/${name}`, import.meta.url);
const text = (name: string): string => readFileSync(fixtureUrl(name), 'utf8');
const bytes = (name: string): Uint8Array => new Uint8Array(readFileSync(fixtureUrl(name)));
const b64u = (value: Uint8Array): string => Buffer.from(value).toString('base64url');
const fromB64u = (value: string | undefined): Uint8Array => new Uint8Array(Buffer.from(value ?? '', 'base64url'));
const jwkOfPrivate = (name: string): JsonWebKey =>
  createPrivateKey(readFileSync(fixtureUrl(name))).export({ format: 'jwk' });
const jwkOfPublic = (name: string): JsonWebKey =>
  createPublicKey(readFileSync(fixtureUrl(name))).export({ format: 'jwk' });
const P256_OID = '1.2.840.10045.3.1.7';
/** `[1] IMPLICIT BIT STRING` of whole bytes, as PKCS #8 v2 carries the public key. */
const implicitPublicKey = (key: Uint8Array) => derContextTag(1, Uint8Array.from([0, ...key]), { implicit: true });
/** The DER inside a PEM file, decoded by Node rather than by the code under test. */
const pemBody = (name: string): Uint8Array =>
  new Uint8Array(Buffer.from(text(name).replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, ''), 'base64'));

function failure(body: () => unknown): InvalidArgumentError {
  try {
    body();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidArgumentError);
    return error as InvalidArgumentError;
  }
  throw new Error('expected an InvalidArgumentError');
}

/** The members of the union `M` whose `type` can be one of `T`. */
type Narrowed<M, T> = M extends { type: infer K } ? ([Extract<K, T>] extends [never] ? never : M) : never;

/** Checks the material's type at run time and narrows it for the compiler. */
function narrow<T extends PrivateKeyMaterial['type'] | PublicKeyMaterial['type'], M extends { type: string }>(
  material: M,
  ...types: T[]
): Narrowed<M, T> {
  expect(types).toContain(material.type);
  return material as Narrowed<M, T>;
}

/** Values from `openssl pkey -text -noout`: each field's hex lines, joined. */
function opensslText(name: string): Record<string, Uint8Array> {
  const fields: Record<string, Uint8Array> = {};
  let current = '';
  let hex = '';
  const flush = () => {
    if (current !== '') fields[current] = Uint8Array.from(Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex'));
  };
  for (const line of text(name).split('\n')) {
    const inline = /^(\w+): (\d+) \(0x([0-9a-f]+)\)$/.exec(line);
    if (inline) {
      flush();
      current = inline[1]!;
      hex = inline[3]!;
    } else if (/^\w+:$/.test(line)) {
      flush();
      current = line.slice(0, -1);
      hex = '';
    } else if (/^\s+[0-9a-f:]+$/.test(line)) {
      hex += line.trim().replace(/:/g, '');
    } else {
      flush();
      current = '';
    }
  }
  flush();
  return fields;
}

const stripZeros = (value: Uint8Array): Uint8Array => value.subarray(value.findIndex((byte) => byte !== 0));

describe('parsePrivateKey: RSA', () => {
  const jwk = jwkOfPrivate('rsa2048.pkcs8.pem');
  for (const name of ['rsa2048.pkcs8.pem', 'rsa2048.pkcs1.pem', 'rsa2048.pkcs8.der', 'rsa2048.pkcs1.der']) {
    it(`reads ${name}`, () => {
      const input = name.endsWith('.der') ? bytes(name) : text(name);
      const key = narrow(parsePrivateKey(input), 'rsa');
      expect(key.type).toBe('rsa');
      expect(key.bits).toBe(2048);
      const { rsa } = key;
      expect({ n: b64u(rsa.n), e: b64u(rsa.e), d: b64u(rsa.d), p: b64u(rsa.p), q: b64u(rsa.q) }).toEqual({
        n: jwk.n,
        e: jwk.e,
        d: jwk.d,
        p: jwk.p,
        q: jwk.q,
      });
      expect({ dp: b64u(rsa.dp), dq: b64u(rsa.dq), qi: b64u(rsa.qi) }).toEqual({ dp: jwk.dp, dq: jwk.dq, qi: jwk.qi });
      expect(rsa.n[0]).not.toBe(0);
    });
  }

  for (const name of ['rsa-pss.pkcs8.pem', 'rsa-pss-params.pkcs8.pem']) {
    it(`reads the id-RSASSA-PSS key ${name} as rsa-pss`, () => {
      const expected = opensslText(name.replace('.pem', '.txt'));
      const key = narrow(parsePrivateKey(text(name)), 'rsa-pss');
      expect(key.type).toBe('rsa-pss');
      expect(key.bits).toBe(2048);
      expect(key.rsa.n).toEqual(stripZeros(expected.modulus!));
      expect(key.rsa.e).toEqual(expected.publicExponent);
      expect(key.rsa.d).toEqual(stripZeros(expected.privateExponent!));
      expect(key.rsa.p).toEqual(stripZeros(expected.prime1!));
      expect(key.rsa.q).toEqual(stripZeros(expected.prime2!));
      expect(key.rsa.dp).toEqual(stripZeros(expected.exponent1!));
      expect(key.rsa.dq).toEqual(stripZeros(expected.exponent2!));
      expect(key.rsa.qi).toEqual(stripZeros(expected.coefficient!));
    });
  }
});

describe('parsePrivateKey: EC', () => {
  for (const [curve, prefix, size] of [
    ['P-256', 'ec-p256', 32],
    ['P-384', 'ec-p384', 48],
  ] as const) {
    const jwk = jwkOfPrivate(`${prefix}.pkcs8.pem`);
    const point = Uint8Array.from([4, ...fromB64u(jwk.x), ...fromB64u(jwk.y)]);
    for (const [file, hasPoint] of [
      ['pkcs8.pem', true],
      ['pkcs8.der', true],
      ['sec1.pem', true],
      ['sec1.der', true],
      ['sec1-nopub.pem', false],
    ] as const) {
      it(`reads ${prefix}.${file}`, () => {
        const input = file.endsWith('.der') ? bytes(`${prefix}.${file}`) : text(`${prefix}.${file}`);
        const key = narrow(parsePrivateKey(input), 'ec');
        expect(key.curve).toBe(curve);
        expect(key.d).toHaveLength(size);
        expect(b64u(key.d)).toBe(jwk.d);
        if (hasPoint) expect(key.point).toEqual(point);
        else expect(key.point).toBeUndefined();
      });
    }

    it(`infers ${curve} for a SEC1 key without parameters from the private key length`, () => {
      const d = fromB64u(jwk.d);
      const withPoint = derSequence(derInteger(1), derOctetString(d), derContextTag(1, derBitString(point)));
      const bare = derSequence(derInteger(1), derOctetString(d));
      expect(parsePrivateKey(withPoint)).toEqual({ type: 'ec', curve, d, point });
      expect(parsePrivateKey(pemEncode('EC PRIVATE KEY', bare))).toEqual({ type: 'ec', curve, d });
    });
  }

  it('left-pads a short private scalar to the curve size', () => {
    const sec1 = derSequence(derInteger(1), derOctetString(Uint8Array.of(5)), derContextTag(0, derOid(P256_OID)));
    const key = narrow(parsePrivateKey(sec1), 'ec');
    expect(key.d).toEqual(Uint8Array.from({ length: 32 }, (_, i) => (i === 31 ? 5 : 0)));
  });

  it('rejects scalars of zero, of the group order, and longer than the curve', () => {
    const order = Buffer.from('ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551', 'hex');
    const p256 = derContextTag(0, derOid(P256_OID));
    for (const [d, message] of [
      [new Uint8Array(32), /out of range/],
      [new Uint8Array(order), /out of range/],
      [new Uint8Array(33).fill(1), /longer than 32/],
    ] as const) {
      const error = failure(() => parsePrivateKey(derSequence(derInteger(1), derOctetString(d), p256)));
      expect(error.reason).toBe('BAD_DER');
      expect(error.message).toMatch(message);
    }
  });

  it('rejects a public point that is not on the curve', () => {
    const jwk = jwkOfPrivate('ec-p256.pkcs8.pem');
    const point = Uint8Array.from([4, ...fromB64u(jwk.x), ...fromB64u(jwk.y)]);
    point[64] = (point[64] as number) ^ 1;
    const sec1 = derSequence(derInteger(1), derOctetString(fromB64u(jwk.d)), derContextTag(1, derBitString(point)));
    const error = failure(() => parsePrivateKey(sec1));
    expect(error.reason).toBe('BAD_DER');
    expect(error.message).toMatch(/not a point on P-256/);
  });

  it('reads a PKCS #8 v2 EC key whose public key is given outside ECPrivateKey, and checks the two agree', () => {
    const jwk = jwkOfPrivate('ec-p256.pkcs8.pem');
    const point = Uint8Array.from([4, ...fromB64u(jwk.x), ...fromB64u(jwk.y)]);
    const algorithm = derSequence(derOid('1.2.840.10045.2.1'), derOid(P256_OID));
    const v2 = (inner: Uint8Array, outer: Uint8Array) =>
      derSequence(derInteger(1), algorithm, derOctetString(inner), implicitPublicKey(outer));
    const bare = derSequence(derInteger(1), derOctetString(fromB64u(jwk.d)));
    expect(narrow(parsePrivateKey(v2(bare, point)), 'ec').point).toEqual(point);

    const other = Uint8Array.from(point);
    other[1] = (other[1] as number) ^ 0xff;
    const d = fromB64u(jwk.d);
    const withInner = derSequence(derInteger(1), derOctetString(d), derContextTag(1, derBitString(point)));
    expect(failure(() => parsePrivateKey(v2(withInner, other))).reason).toBe('KEY_MISMATCH');

    const v1WithPublic = derSequence(derInteger(0), algorithm, derOctetString(bare), implicitPublicKey(point));
    const error = failure(() => parsePrivateKey(v1WithPublic));
    expect(error.message).toMatch(/version 1 PrivateKeyInfo cannot carry a public key/);
  });

  it('rejects SEC1 parameters that disagree with the PKCS #8 algorithm', () => {
    const jwk = jwkOfPrivate('ec-p256.pkcs8.pem');
    const algorithm = derSequence(derOid('1.2.840.10045.2.1'), derOid('1.3.132.0.34'));
    const inner = derSequence(derInteger(1), derOctetString(fromB64u(jwk.d)), derContextTag(0, derOid(P256_OID)));
    const error = failure(() => parsePrivateKey(derSequence(derInteger(0), algorithm, derOctetString(inner))));
    expect(error.reason).toBe('BAD_DER');
    expect(error.message).toMatch(/names P-256 but the algorithm names P-384/);
  });
});

describe('parsePrivateKey: Ed25519', () => {
  // One JWK export only: Node 20 hangs after many Ed25519/X25519 JWK exports (DESIGN.md §8).
  const jwk = jwkOfPrivate('ed25519.pkcs8.pem');

  it('reads PEM and DER to the 32-byte seed', () => {
    for (const input of [text('ed25519.pkcs8.pem'), bytes('ed25519.pkcs8.der')]) {
      expect(parsePrivateKey(input)).toEqual({ type: 'ed25519', seed: fromB64u(jwk.d) });
    }
  });

  it('reads a PKCS #8 v2 (OneAsymmetricKey) key with its public key', () => {
    const seed = fromB64u(jwk.d);
    const ed25519 = derSequence(derOid('1.3.101.112'));
    const publicKey = implicitPublicKey(fromB64u(jwk.x));
    const v2 = derSequence(derInteger(1), ed25519, derOctetString(derOctetString(seed)), publicKey);
    expect(parsePrivateKey(v2)).toEqual({ type: 'ed25519', seed });
    const badLength = derSequence(derInteger(0), ed25519, derOctetString(derOctetString(seed.subarray(1))));
    expect(failure(() => parsePrivateKey(badLength)).message).toMatch(/must be 32 bytes/);
    const withNull = derSequence(derOid('1.3.101.112'), derNull());
    const withParameters = derSequence(derInteger(0), withNull, derOctetString(derOctetString(seed)));
    expect(failure(() => parsePrivateKey(withParameters)).message).toMatch(/parameters must be absent/);
  });
});

describe('parsePublicKey', () => {
  it('reads RSA SPKI and PKCS #1, PEM and DER, with SPKI identical to openssl', () => {
    const jwk = jwkOfPublic('rsa2048.spki.pem');
    const spki = bytes('rsa2048.spki.der');
    const names = ['rsa2048.spki.pem', 'rsa2048.spki.der', 'rsa2048.pkcs1-public.pem', 'rsa2048.pkcs1-public.der'];
    for (const name of names) {
      const key = narrow(parsePublicKey(name.endsWith('.der') ? bytes(name) : text(name)), 'rsa');
      expect(key.bits).toBe(2048);
      expect(b64u(key.rsa.n)).toBe(jwk.n);
      expect(b64u(key.rsa.e)).toBe(jwk.e);
      expect(key.spki).toEqual(spki);
    }
  });

  it('reads RSA-PSS SPKI, with and without parameters', () => {
    for (const name of ['rsa-pss.spki.pem', 'rsa-pss-params.spki.pem']) {
      const expected = opensslText(name.replace('.spki.pem', '.pkcs8.txt'));
      const key = narrow(parsePublicKey(text(name)), 'rsa-pss');
      expect(key.rsa.n).toEqual(stripZeros(expected.modulus!));
      expect(key.bits).toBe(2048);
      expect(key.spki).toEqual(pemBody(name));
    }
  });

  for (const [curve, prefix] of [
    ['P-256', 'ec-p256'],
    ['P-384', 'ec-p384'],
  ] as const) {
    it(`reads ${curve} SPKI`, () => {
      const jwk = jwkOfPublic(`${prefix}.spki.pem`);
      for (const input of [text(`${prefix}.spki.pem`), bytes(`${prefix}.spki.der`)]) {
        const key = narrow(parsePublicKey(input), 'ec');
        expect(key.curve).toBe(curve);
        expect(key.point).toEqual(Uint8Array.from([4, ...fromB64u(jwk.x), ...fromB64u(jwk.y)]));
        expect(key.spki).toEqual(bytes(`${prefix}.spki.der`));
      }
    });
  }

  it('reads Ed25519 SPKI', () => {
    const spki = pemBody('ed25519.spki.pem');
    const key = narrow(parsePublicKey(text('ed25519.spki.pem')), 'ed25519');
    expect(key.publicKey).toEqual(spki.subarray(spki.length - 32));
    expect(key.spki).toEqual(spki);
  });

  it('requires NULL parameters for rsaEncryption', () => {
    const rsa = narrow(parsePublicKey(text('rsa2048.spki.pem')), 'rsa').rsa;
    const rsaPublic = derBitString(derSequence(derInteger(rsa.n), derInteger(rsa.e)));
    const absent = derSequence(derSequence(derOid('1.2.840.113549.1.1.1')), rsaPublic);
    const error = failure(() => parsePublicKey(absent));
    expect(error.reason).toBe('BAD_DER');
    expect(error.message).toMatch(/must be NULL/);
  });
});

describe('building public keys', () => {
  it('builds SPKI byte for byte as openssl does, for every key type', () => {
    const p256 = jwkOfPublic('ec-p256.spki.pem');
    const p384 = jwkOfPublic('ec-p384.spki.pem');
    const rsa = jwkOfPublic('rsa2048.spki.pem');
    const pss = narrow(parsePrivateKey(text('rsa-pss.pkcs8.pem')), 'rsa-pss').rsa;
    const ed = pemBody('ed25519.spki.pem');
    const point = (jwk: JsonWebKey) => Uint8Array.from([4, ...fromB64u(jwk.x), ...fromB64u(jwk.y)]);

    expect(ecPublicKey('P-256', point(p256)).spki).toEqual(bytes('ec-p256.spki.der'));
    expect(ecPublicKey('P-384', point(p384)).spki).toEqual(bytes('ec-p384.spki.der'));
    expect(rsaPublicKey('rsa', { n: fromB64u(rsa.n), e: fromB64u(rsa.e) }).spki).toEqual(bytes('rsa2048.spki.der'));
    expect(rsaPublicKey('rsa-pss', { n: pss.n, e: pss.e }).spki).toEqual(pemBody('rsa-pss.spki.pem'));
    expect(ed25519PublicKey(ed.subarray(ed.length - 32)).spki).toEqual(ed);
  });

  it('builds what parsePublicKey reads back', () => {
    const key = narrow(parsePublicKey(text('rsa2048.spki.pem')), 'rsa');
    const withZeros = Uint8Array.from([0, 0, ...key.rsa.n]);
    const built = rsaPublicKey('rsa', { n: withZeros, e: key.rsa.e });
    expect(built.rsa.n).toEqual(key.rsa.n);
    expect(built.bits).toBe(2048);
    expect(parsePublicKey(built.spki)).toEqual(built);
    const ec = narrow(parsePublicKey(text('ec-p384.spki.pem')), 'ec');
    expect(parsePublicKey(ecPublicKey('P-384', ec.point).spki)).toEqual(ec);
  });

  it('checks its arguments', () => {
    const ec = narrow(parsePublicKey(text('ec-p256.spki.pem')), 'ec');
    expect(failure(() => ecPublicKey('P-521' as 'P-256', ec.point)).argument).toBe('curve');
    expect(failure(() => ecPublicKey('P-384', ec.point)).reason).toBe('BAD_KEY_LENGTH');
    const offCurve = Uint8Array.from(ec.point);
    offCurve[10] = (offCurve[10] as number) ^ 1;
    expect(failure(() => ecPublicKey('P-256', offCurve)).reason).toBe('INVALID_ARGUMENT');
    const compressed = Uint8Array.from([2 + ((ec.point[64] as number) & 1), ...ec.point.subarray(1, 33)]);
    expect(failure(() => ecPublicKey('P-256', compressed)).reason).toBe('UNSUPPORTED_KEY_TYPE');
    expect(failure(() => ed25519PublicKey(new Uint8Array(31))).reason).toBe('BAD_KEY_LENGTH');
    const even = { n: Uint8Array.of(0x10, 0), e: Uint8Array.of(3) };
    expect(failure(() => rsaPublicKey('rsa', even)).reason).toBe('INVALID_ARGUMENT');
    const tiny = { n: Uint8Array.of(0xc5), e: Uint8Array.of(3) };
    expect(failure(() => rsaPublicKey('rsa', tiny)).reason).toBe('UNSUPPORTED_KEY_TYPE');
  });
});

describe('unsupported keys', () => {
  const privateCases: Array<[string, RegExp]> = [
    ['unsupported-secp256k1.pkcs8.pem', /secp256k1 \(1\.3\.132\.0\.10\)/],
    ['unsupported-secp256k1.sec1.pem', /secp256k1 \(1\.3\.132\.0\.10\)/],
    ['unsupported-secp521r1.pkcs8.pem', /secp521r1 \(P-521\) \(1\.3\.132\.0\.35\)/],
    ['unsupported-explicit-curve.sec1.pem', /explicit EC curve parameters/],
    ['unsupported-ed448.pkcs8.pem', /Ed448/],
    ['unsupported-x25519.pkcs8.pem', /X25519/],
    ['unsupported-dsa.pkcs8.pem', /DSA/],
    ['unsupported-dh.pkcs8.pem', /DH \(PKCS #3\)/],
    ['unsupported-encrypted.pkcs8.pem', /encrypted private keys are not supported: decrypt the key first/],
    ['unsupported-encrypted.pkcs8.der', /encrypted private keys are not supported: decrypt the key first/],
    ['unsupported-encrypted.pkcs1.pem', /encrypted private keys are not supported: decrypt the key first/],
  ];
  for (const [name, message] of privateCases) {
    it(`refuses the private key ${name}`, () => {
      const error = failure(() => parsePrivateKey(name.endsWith('.der') ? bytes(name) : text(name), 'serverKey'));
      expect(error.reason).toBe('UNSUPPORTED_KEY_TYPE');
      expect(error.argument).toBe('serverKey');
      expect(error.message).toMatch(message);
    });
  }

  const publicCases: Array<[string, RegExp]> = [
    ['unsupported-secp256k1.spki.pem', /secp256k1/],
    ['unsupported-secp521r1.spki.pem', /secp521r1/],
    ['unsupported-explicit-curve.spki.pem', /explicit EC curve parameters/],
    ['unsupported-ed448.spki.pem', /Ed448/],
    ['unsupported-x25519.spki.pem', /X25519/],
    ['unsupported-dsa.spki.pem', /DSA/],
    ['unsupported-dh.spki.pem', /DH/],
    ['ec-p256-compressed.spki.pem', /compressed P-256 points are not supported: TLS uses uncompressed points only/],
  ];
  for (const [name, message] of publicCases) {
    it(`refuses the public key ${name}`, () => {
      const error = failure(() => parsePublicKey(text(name)));
      expect(error.reason).toBe('UNSUPPORTED_KEY_TYPE');
      expect(error.message).toMatch(message);
    });
  }

  it('refuses multi-prime RSA and RSA moduli out of bounds', () => {
    const rsa = narrow(parsePrivateKey(text('rsa2048.pkcs1.pem')), 'rsa').rsa;
    const fields = [rsa.n, rsa.e, rsa.d, rsa.p, rsa.q, rsa.dp, rsa.dq, rsa.qi].map((value) => derInteger(value));
    expect(failure(() => parsePrivateKey(derSequence(derInteger(1), ...fields))).message).toMatch(/multi-prime/);
    const small = derSequence(derInteger(Uint8Array.of(0xc5)), derInteger(3));
    const error = failure(() => parsePublicKey(pemEncode('RSA PUBLIC KEY', small)));
    expect(error.reason).toBe('UNSUPPORTED_KEY_TYPE');
    expect(error.message).toMatch(/8-bit RSA keys are not supported/);
  });
});

describe('input handling', () => {
  it('accepts PEM given as bytes, and picks the key out of a file with other blocks', () => {
    const combined = text('ec-p256.spki.pem') + text('rsa2048.pkcs1.pem') + 'comment\n';
    expect(narrow(parsePrivateKey(new TextEncoder().encode(combined)), 'rsa').bits).toBe(2048);
    expect(narrow(parsePublicKey(combined), 'ec').curve).toBe('P-256');
    // `openssl ecparam -genkey` writes EC PARAMETERS before the key.
    const params = pemEncode('EC PARAMETERS', derOid('1.2.840.10045.3.1.7'));
    expect(parsePrivateKey(params + text('ec-p256.sec1.pem')).type).toBe('ec');
  });

  it('says what it found when there is no key of the right kind, or several', () => {
    const wrongKind = failure(() => parsePrivateKey(text('ec-p256.spki.pem')));
    expect(wrongKind.reason).toBe('BAD_PEM');
    expect(wrongKind.message).toBe('key: no private key in the PEM input (found: PUBLIC KEY)');
    const two = failure(() => parsePublicKey(text('ec-p256.spki.pem') + text('ec-p384.spki.pem')));
    expect(two.message).toMatch(/2 public keys in the PEM input/);
    expect(failure(() => parsePrivateKey('MIGHAgEAMBMG')).message).toMatch(/no PEM block found/);
    const notDer = failure(() => parsePrivateKey(new Uint8Array([1, 2, 3])));
    expect(notDer.message).toMatch(/neither DER \(a SEQUENCE\) nor PEM/);
    expect(failure(() => parsePrivateKey(42 as unknown as string)).reason).toBe('INVALID_ARGUMENT');
  });

  it('tells DER of the wrong kind apart by structure', () => {
    expect(failure(() => parsePrivateKey(bytes('ec-p256.spki.der'))).message).toMatch(/this is a public key/);
    const rsaPublic = failure(() => parsePrivateKey(bytes('rsa2048.pkcs1-public.der')));
    expect(rsaPublic.message).toMatch(/RSA public key, not a private key/);
    expect(failure(() => parsePublicKey(bytes('ec-p256.pkcs8.der'))).message).toMatch(/looks like a private key/);
    expect(failure(() => parsePublicKey(bytes('rsa2048.pkcs1.der'))).message).toMatch(/looks like a private key/);
  });

  it('rejects trailing bytes after the key, in DER and in PEM', () => {
    const der = bytes('ed25519.pkcs8.der');
    const error = failure(() => parsePrivateKey(Uint8Array.from([...der, 0])));
    expect(error.reason).toBe('BAD_DER');
    expect(error.message).toMatch(/unexpected byte/);
    const pem = pemEncode('PRIVATE KEY', Uint8Array.from([...der, 5, 0]));
    expect(failure(() => parsePrivateKey(pem)).reason).toBe('BAD_DER');
  });

  it('detects an RSA key whose parts do not fit together', () => {
    const rsa = narrow(parsePrivateKey(text('rsa2048.pkcs1.pem')), 'rsa').rsa;
    const q = Uint8Array.from(rsa.q);
    q[q.length - 1] = (q[q.length - 1] as number) ^ 2;
    const fields = [rsa.n, rsa.e, rsa.d, rsa.p, q, rsa.dp, rsa.dq, rsa.qi].map((value) => derInteger(value));
    const error = failure(() => parsePrivateKey(pemEncode('RSA PRIVATE KEY', derSequence(derInteger(0), ...fields))));
    expect(error.reason).toBe('KEY_MISMATCH');
  });

  it('returns copies that do not alias the input', () => {
    const der = bytes('ec-p256.sec1.der');
    const key = narrow(parsePrivateKey(der), 'ec');
    const before = Uint8Array.from(key.d);
    der.fill(0);
    expect(key.d).toEqual(before);
    expect(key.d.buffer).not.toBe(der.buffer);
  });
});
