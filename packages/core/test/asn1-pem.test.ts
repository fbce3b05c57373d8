import { readFileSync } from 'node:fs';
import { InvalidArgumentError } from '@tlsbio/errors';
import { describe, expect, it } from 'vitest';
import { base64Decode, base64Encode } from '../src/asn1/base64.js';
import { decodePem, pemEncode } from '../src/asn1/pem.js';

const fixture = (name: string): string => readFileSync(new URL(`./fixtures/keys/${name}`, import.meta.url), 'utf8');
const fixtureBytes = (name: string): Uint8Array =>
  new Uint8Array(readFileSync(new URL(`./fixtures/keys/${name}`, import.meta.url)));

function failure(body: () => unknown): InvalidArgumentError {
  try {
    body();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidArgumentError);
    return error as InvalidArgumentError;
  }
  throw new Error('expected an InvalidArgumentError');
}

describe('base64', () => {
  it('agrees with Buffer on random inputs of every length mod 3', () => {
    let seed = 99;
    const next = () => (seed = (seed * 1664525 + 1013904223) >>> 0) >>> 24;
    for (let length = 0; length < 300; length++) {
      const bytes = Uint8Array.from({ length }, next);
      const expected = Buffer.from(bytes).toString('base64');
      expect(base64Encode(bytes)).toBe(expected);
      expect(base64Decode(expected)).toEqual(bytes);
    }
  });

  it('skips whitespace between (and within) lines', () => {
    expect(base64Decode('QUJD\r\nREVG\n R0g=\t\n')).toEqual(new TextEncoder().encode('ABCDEFGH'));
  });

  it('rejects characters outside the alphabet, with the argument and reason given', () => {
    for (const bad of ['QU-D', 'QU_D', 'QUJD!', 'QUJ\u00e9', 'QUJD\0']) {
      const error = failure(() => base64Decode(bad, 'cert', 'BAD_PEM'));
      expect(error.reason).toBe('BAD_PEM');
      expect(error.message).toMatch(/^cert: invalid base64: unexpected character/);
    }
  });

  it('rejects missing, misplaced and excess padding, and non-zero padding bits', () => {
    const cases: Array<[string, RegExp]> = [
      ['QUI', /multiple of 4/],
      ['QQ', /multiple of 4/],
      ['Q===', /misplaced padding/],
      ['====', /misplaced padding/],
      ['QQ==QUJD', /data after padding/],
      ['QQ=A', /data after padding/],
      ['QUI==', /misplaced padding/],
      ['QUI=\n=', /misplaced padding/],
      ['QR==', /non-zero padding bits/], // 'Q' 'R' leaves bits 0001 after the byte
      ['QUJ=', /non-zero padding bits/],
    ];
    for (const [text, message] of cases) expect(() => base64Decode(text)).toThrow(message);
  });
});

describe('PEM', () => {
  it('decodes an openssl PEM file to the same bytes as its DER twin', () => {
    const [block, ...rest] = decodePem(fixture('ec-p256.spki.pem'), 'key');
    expect(rest).toHaveLength(0);
    expect(block?.label).toBe('PUBLIC KEY');
    expect(block?.headers.size).toBe(0);
    expect(block?.der).toEqual(fixtureBytes('ec-p256.spki.der'));
  });

  it('encodes exactly as openssl does', () => {
    for (const [pem, der, label] of [
      ['rsa2048.pkcs8.pem', 'rsa2048.pkcs8.der', 'PRIVATE KEY'],
      ['ec-p384.sec1.pem', 'ec-p384.sec1.der', 'EC PRIVATE KEY'],
      ['rsa2048.pkcs1-public.pem', 'rsa2048.pkcs1-public.der', 'RSA PUBLIC KEY'],
    ] as const) {
      expect(pemEncode(label, fixtureBytes(der))).toBe(fixture(pem));
    }
  });

  it('accepts bytes as well as text, CRLF line ends, and text around blocks', () => {
    const text = `Subject: test\r\n${fixture('ed25519.spki.pem').replace(/\n/g, '\r\n')}trailing words\n`;
    const fromText = decodePem(text);
    const fromBytes = decodePem(new TextEncoder().encode(text));
    expect(fromText).toHaveLength(1);
    expect(fromBytes).toEqual(fromText);
  });

  it('returns every block in order, and nothing for text without blocks', () => {
    const text = fixture('ec-p256.spki.pem') + fixture('ec-p256.sec1.pem') + fixture('rsa2048.spki.pem');
    expect(decodePem(text).map((block) => block.label)).toEqual(['PUBLIC KEY', 'EC PRIVATE KEY', 'PUBLIC KEY']);
    expect(decodePem('no pem here')).toEqual([]);
  });

  it('returns RFC 1421 headers of legacy encrypted keys', () => {
    const [block] = decodePem(fixture('unsupported-encrypted.pkcs1.pem'));
    expect(block?.headers.get('Proc-Type')).toBe('4,ENCRYPTED');
    expect(block?.headers.get('DEK-Info')).toMatch(/^AES-128-CBC,[0-9A-F]{32}$/);
    expect(block?.der.length).toBeGreaterThan(1000);
  });

  it('rejects mismatched labels, missing END lines and malformed BEGIN lines', () => {
    const body = 'MAA=\n';
    const cases: Array<[string, RegExp]> = [
      [`-----BEGIN PUBLIC KEY-----\n${body}-----END PRIVATE KEY-----\n`, /closed by "-----END PRIVATE KEY-----"/],
      [`-----BEGIN PUBLIC KEY-----\n${body}`, /no END line/],
      [`-----BEGIN PUBLIC KEY\n${body}-----END PUBLIC KEY-----\n`, /malformed PEM label/],
      [`-----BEGIN PUBLIC  KEY-----\n${body}-----END PUBLIC  KEY-----\n`, /malformed PEM label/],
      [`-----BEGIN PUBLIC KEY----- x\n${body}-----END PUBLIC KEY-----\n`, /unexpected text after/],
      [`-----BEGIN PUBLIC KEY-----\nMA$=\n-----END PUBLIC KEY-----\n`, /invalid base64/],
      [`-----BEGIN PUBLIC KEY-----\nMA=\n-----END PUBLIC KEY-----\n`, /invalid base64/],
      [`-----BEGIN X-----\nProc-Type: 4,ENCRYPTED\n${body}-----END X-----\n`, /malformed PEM header line/],
      [`-----BEGIN X-----\nProc-Type: 4,ENCRYPTED-----END X-----\n`, /not followed by an empty line/],
    ];
    for (const [text, message] of cases) {
      const error = failure(() => decodePem(text, 'cert'));
      expect(error.reason).toBe('BAD_PEM');
      expect(error.argument).toBe('cert');
      expect(error.message).toMatch(message);
    }
  });

  it('refuses to encode an invalid label', () => {
    expect(() => pemEncode('BAD--LABEL', new Uint8Array(1))).toThrow(InvalidArgumentError);
    expect(() => pemEncode('', new Uint8Array(1))).toThrow(InvalidArgumentError);
  });

  it('wraps at 64 characters and round-trips', () => {
    const der = Uint8Array.from({ length: 100 }, (_, i) => i);
    const pem = pemEncode('TEST DATA', der);
    const lines = pem.trimEnd().split('\n');
    expect(lines[1]).toHaveLength(64);
    expect(lines.at(-1)).toBe('-----END TEST DATA-----');
    expect(decodePem(pem)[0]?.der).toEqual(der);
  });
});
