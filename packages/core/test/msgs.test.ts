/**
 * Handshake message codecs (packages/core/src/msgs): registries, extension blocks, framing, and every message's
 * round trip and error paths. Malformed inputs are built from hex pieces so each test breaks exactly one rule.
 */
import { describe, expect, it } from 'vitest';
import { AlertDescription, InvalidArgumentError, ProtocolError } from '@tlsbio/errors';
import { ByteReader } from '../src/codec/reader.js';
import { ByteWriter } from '../src/codec/writer.js';
import {
  CipherSuiteId,
  DEFAULT_MAX_CERTIFICATE_ENTRIES,
  DOWNGRADE_TLS11,
  DOWNGRADE_TLS12,
  ExtensionType,
  HELLO_RETRY_REQUEST_RANDOM,
  HandshakeType,
  ProtocolVersion,
  cipherSuiteName,
  decodeCertificate13,
  decodeCertificateRequest13,
  decodeCertificateVerify,
  decodeClientHello,
  decodeEncryptedExtensions,
  decodeEndOfEarlyData,
  decodeFinished,
  decodeHandshake,
  decodeKeyUpdate,
  decodeNewSessionTicket13,
  decodeServerHello,
  downgradeSentinel,
  encodeCertificate13,
  encodeCertificateRequest13,
  encodeCertificateVerify,
  encodeClientHello,
  encodeEncryptedExtensions,
  encodeEndOfEarlyData,
  encodeFinished,
  encodeHandshake,
  encodeKeyUpdate,
  encodeMessageHash,
  encodeNewSessionTicket13,
  encodeServerHello,
  expectEmptyExtension,
  extensionTypeName,
  findExtension,
  handshakeTypeName,
  isGrease,
  isGreasePskMode,
  isHelloRetryRequestRandom,
  readExtensions,
  writeExtensions,
  type Certificate13,
  type ClientHello,
  type Extension,
  type NewSessionTicket13,
} from '../src/msgs/index.js';

// ---- helpers ----
const fromHex = (s: string) => {
  const clean = s.replace(/[^0-9a-f]/gi, '');
  return new Uint8Array(clean.match(/../g)?.map((x) => parseInt(x, 16)) ?? []);
};
const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
const fill = (n: number, byte = 0xab) => new Uint8Array(n).fill(byte);
const h = (n: number, width: number) => n.toString(16).padStart(width * 2, '0');
/** Hex of a length-prefixed vector around `body` (hex), with a `width`-byte prefix. */
const vec = (width: number, body: string) => h(body.replace(/\s/g, '').length / 2, width) + body.replace(/\s/g, '');
const vec8 = (body: string) => vec(1, body);
const vec16 = (body: string) => vec(2, body);
const vec24 = (body: string) => vec(3, body);
const extHex = (type: number, data: string) => h(type, 2) + vec16(data);

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

const ALERTS: Record<string, number> = {
  DECODE_ERROR: AlertDescription.decode_error,
  ILLEGAL_PARAMETER: AlertDescription.illegal_parameter,
  EXCESSIVE_MESSAGE_SIZE: AlertDescription.illegal_parameter,
};

function expectProtocolError(
  fn: () => unknown,
  reason: 'DECODE_ERROR' | 'ILLEGAL_PARAMETER' | 'EXCESSIVE_MESSAGE_SIZE',
  messagePart?: string,
): void {
  const error = thrown(fn);
  expect(error).toBeInstanceOf(ProtocolError);
  const e = error as ProtocolError;
  expect(e.reason).toBe(reason);
  expect(e.fault).toBe('remote');
  expect(e.alert?.description).toBe(ALERTS[reason]);
  if (messagePart !== undefined) expect(e.message).toContain(messagePart);
}

function expectInvalidArgument(fn: () => unknown, reason: 'INVALID_ARGUMENT' | 'LENGTH_OVERFLOW' = 'INVALID_ARGUMENT') {
  const error = thrown(fn);
  expect(error).toBeInstanceOf(InvalidArgumentError);
  expect((error as InvalidArgumentError).reason).toBe(reason);
}

const RANDOM = '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff';

/** A ClientHello body in hex, each part overridable to break one rule. */
interface HelloParts {
  version?: string;
  random?: string;
  sid?: string;
  suites?: string;
  comp?: string;
  exts?: string;
}

function clientHelloHex(parts: HelloParts = {}) {
  return (
    (parts.version ?? '0303') +
    (parts.random ?? RANDOM) +
    (parts.sid ?? vec8('')) +
    (parts.suites ?? vec16('13011302')) +
    (parts.comp ?? vec8('00')) +
    (parts.exts ?? vec16(extHex(43, vec8('0304'))))
  );
}

function serverHelloHex(parts: HelloParts = {}) {
  const exts = parts.exts ?? vec16(extHex(43, '0304'));
  return '0303' + (parts.random ?? RANDOM) + (parts.sid ?? vec8('')) + '1301' + '00' + exts;
}

// ---- registry ----
describe('registry', () => {
  it('isGrease accepts exactly the sixteen RFC 8701 values', () => {
    const grease = Array.from({ length: 16 }, (_, i) => i * 0x1010 + 0x0a0a);
    expect(grease[15]).toBe(0xfafa);
    for (const value of grease) expect(isGrease(value)).toBe(true);
    let count = 0;
    for (let v = 0; v <= 0xffff; v++) if (isGrease(v)) count++;
    expect(count).toBe(16);
    for (const value of [0x0a1a, 0x1a0a, 0x0b0b, 11, 0x1301, -1, 0x10a0a, 0x0a0a + 0.5, Number.NaN]) {
      expect(isGrease(value)).toBe(false);
    }
  });

  it('isGreasePskMode accepts the eight one-byte values of RFC 8701 §2', () => {
    const modes = [0x0b, 0x2a, 0x49, 0x68, 0x87, 0xa6, 0xc5, 0xe4];
    const found: number[] = [];
    for (let v = 0; v < 256; v++) if (isGreasePskMode(v)) found.push(v);
    expect(found).toEqual(modes);
  });

  it('downgrade sentinels spell DOWNGRD and are recognised at the end of a random (RFC 8446 §4.1.3)', () => {
    expect(new TextDecoder().decode(DOWNGRADE_TLS12.subarray(0, 7))).toBe('DOWNGRD');
    expect(hex(DOWNGRADE_TLS12)).toBe('444f574e47524401');
    expect(hex(DOWNGRADE_TLS11)).toBe('444f574e47524400');
    const random = fill(32, 0x11);
    expect(downgradeSentinel(random)).toBeUndefined();
    random.set(DOWNGRADE_TLS12, 24);
    expect(downgradeSentinel(random)).toBe('tls12');
    random.set(DOWNGRADE_TLS11, 24);
    expect(downgradeSentinel(random)).toBe('tls11');
    random[31] = 0x02;
    expect(downgradeSentinel(random)).toBeUndefined();
    // Only at the end of a 32-byte random.
    expect(downgradeSentinel(DOWNGRADE_TLS12)).toBeUndefined();
  });

  it('recognises the HelloRetryRequest random even if the exported copy is overwritten', () => {
    expect(isHelloRetryRequestRandom(HELLO_RETRY_REQUEST_RANDOM)).toBe(true);
    expect(isHelloRetryRequestRandom(HELLO_RETRY_REQUEST_RANDOM.subarray(1))).toBe(false);
    const exported = HELLO_RETRY_REQUEST_RANDOM.slice();
    const other = exported.slice();
    other[0] = (other[0] as number) ^ 1;
    expect(isHelloRetryRequestRandom(other)).toBe(false);
    try {
      HELLO_RETRY_REQUEST_RANDOM.fill(0);
      expect(isHelloRetryRequestRandom(exported)).toBe(true);
      expect(isHelloRetryRequestRandom(new Uint8Array(32))).toBe(false);
    } finally {
      HELLO_RETRY_REQUEST_RANDOM.set(exported);
    }
  });

  it('names codepoints and carries unknown ones', () => {
    expect(handshakeTypeName(HandshakeType.certificate_verify)).toBe('certificate_verify');
    expect(handshakeTypeName(99)).toBe('unknown(99)');
    expect(extensionTypeName(ExtensionType.renegotiation_info)).toBe('renegotiation_info');
    expect(extensionTypeName(0x1a1a)).toBe('unknown(6682)');
    expect(cipherSuiteName(CipherSuiteId.TLS_CHACHA20_POLY1305_SHA256)).toBe('TLS_CHACHA20_POLY1305_SHA256');
  });
});

// ---- extension blocks and framing ----
describe('extension blocks', () => {
  const read = (hexBlock: string, optional?: boolean) =>
    readExtensions(new ByteReader(fromHex(hexBlock), 'Test'), 'Test', optional);

  it('reads types and data in order, carrying unknown and GREASE types', () => {
    const extensions = read(vec16(extHex(0x1a1a, '') + extHex(0x1234, 'aabb') + extHex(43, '0304')));
    expect(extensions.map((e) => [e.type, hex(e.data)])).toEqual([
      [0x1a1a, ''],
      [0x1234, 'aabb'],
      [43, '0304'],
    ]);
    expect(findExtension(extensions, 0x1234)).toEqual(fromHex('aabb'));
    expect(findExtension(extensions, 0x1235)).toBeUndefined();
  });

  it('an absent block is [] only when optional', () => {
    expect(read('', true)).toEqual([]);
    expectProtocolError(() => read(''), 'DECODE_ERROR');
    expect(read('0000')).toEqual([]);
  });

  it('rejects duplicate types with ILLEGAL_PARAMETER (RFC 8446 §4.2)', () => {
    const block = vec16(extHex(10, '0002001d') + extHex(10, '00020017'));
    expectProtocolError(() => read(block), 'ILLEGAL_PARAMETER', 'duplicate');
  });

  it('rejects truncated headers and data with DECODE_ERROR', () => {
    expectProtocolError(() => read(vec16('00')), 'DECODE_ERROR');
    expectProtocolError(() => read(vec16('002b0003' + '0304')), 'DECODE_ERROR');
    expectProtocolError(() => read('0010' + extHex(1, '')), 'DECODE_ERROR');
  });

  it('writes a block that reads back, refusing duplicates and oversize data', () => {
    const extensions: Extension[] = [
      { type: 0xff01, data: fromHex('00') },
      { type: 0, data: new Uint8Array(0) },
    ];
    const w = new ByteWriter();
    writeExtensions(w, extensions);
    const bytes = w.finish();
    expect(hex(bytes)).toBe(vec16(extHex(0xff01, '00') + extHex(0, '')));
    expect(readExtensions(new ByteReader(bytes), 'Test')).toEqual(extensions);

    expectInvalidArgument(() => writeExtensions(new ByteWriter(), [extensions[0]!, extensions[0]!]));
    const huge = [{ type: 21, data: fill(0x10000) }];
    expectInvalidArgument(() => writeExtensions(new ByteWriter(), huge), 'LENGTH_OVERFLOW');
    expectInvalidArgument(() => writeExtensions(new ByteWriter(), [{ type: 0x10000, data: fill(1) }]));
  });

  it('expectEmptyExtension accepts only an empty body', () => {
    expect(() => expectEmptyExtension(new Uint8Array(0), 'extended_master_secret')).not.toThrow();
    const name = 'post_handshake_auth';
    expectProtocolError(() => expectEmptyExtension(fill(1), name), 'DECODE_ERROR', name);
  });
});

describe('handshake framing', () => {
  it('prefixes the type and a 24-bit length (RFC 8446 §4)', () => {
    expect(hex(encodeHandshake(HandshakeType.key_update, fromHex('01')))).toBe('1800000101');
    expect(hex(encodeHandshake(HandshakeType.end_of_early_data, new Uint8Array(0)))).toBe('05000000');
    const big = encodeHandshake(HandshakeType.certificate, fill(0x12345));
    expect(hex(big.subarray(0, 4))).toBe('0b012345');
    expect(big.length).toBe(0x12345 + 4);
  });

  it('decodeHandshake splits one message and requires its exact length', () => {
    expect(decodeHandshake(fromHex('1800000101'))).toEqual({ type: 24, body: fromHex('01') });
    expectProtocolError(() => decodeHandshake(fromHex('180000')), 'DECODE_ERROR');
    expectProtocolError(() => decodeHandshake(fromHex('18000002 01')), 'DECODE_ERROR');
    expectProtocolError(() => decodeHandshake(fromHex('18000001 0100')), 'DECODE_ERROR');
  });

  it('refuses a type outside one byte', () => {
    expectInvalidArgument(() => encodeHandshake(256, new Uint8Array(0)));
  });

  it('encodeMessageHash builds the synthetic message_hash message (RFC 8446 §4.4.1)', () => {
    const hash = fill(32, 0x5a);
    expect(hex(encodeMessageHash(hash))).toBe('fe000020' + hex(hash));
    expect(hex(encodeMessageHash(fill(48)).subarray(0, 4))).toBe('fe000030');
    expectInvalidArgument(() => encodeMessageHash(new Uint8Array(0)));
  });
});

// ---- ClientHello ----
describe('ClientHello', () => {
  const sample: ClientHello = {
    legacyVersion: ProtocolVersion.TLS1_2,
    random: fill(32, 7),
    legacySessionId: fill(32, 9),
    cipherSuites: [0x2a2a, CipherSuiteId.TLS_AES_128_GCM_SHA256, 0x00ff],
    legacyCompressionMethods: [0],
    extensions: [
      { type: 0x3a3a, data: new Uint8Array(0) },
      { type: ExtensionType.supported_versions, data: fromHex('0403040303') },
      { type: 0xfe0d, data: fill(20) },
      { type: ExtensionType.pre_shared_key, data: fill(40) },
    ],
  };

  it('round-trips, carrying GREASE and unknown values', () => {
    const body = encodeClientHello(sample);
    expect(decodeClientHello(body)).toEqual(sample);
    expect(hex(encodeClientHello(decodeClientHello(body)))).toBe(hex(body));
  });

  it('accepts a ClientHello without an extensions block and re-encodes it unchanged (TLS 1.2 and older)', () => {
    const body = fromHex(clientHelloHex({ exts: '' }));
    const hello = decodeClientHello(body);
    expect(hello.extensions).toEqual([]);
    expect(hex(encodeClientHello(hello))).toBe(hex(body));
    expect(decodeClientHello(fromHex(clientHelloHex({ exts: '0000' }))).extensions).toEqual([]);
  });

  it('rejects malformed fields with DECODE_ERROR', () => {
    const bad = (parts: Parameters<typeof clientHelloHex>[0], part?: string) =>
      expectProtocolError(() => decodeClientHello(fromHex(clientHelloHex(parts))), 'DECODE_ERROR', part);
    bad({ random: RANDOM.slice(0, 62), sid: '', suites: '', comp: '', exts: '' }, 'random');
    bad({ sid: vec8(hex(fill(33))) }, 'legacy_session_id');
    bad({ suites: vec16('') }, 'cipher_suites');
    bad({ suites: vec16('130113') }, 'cipher_suites');
    bad({ comp: vec8('') }, 'legacy_compression_methods');
    bad({ comp: '05 00', exts: '' }, 'legacy_compression_methods');
    bad({ exts: vec16(extHex(43, '0304')) + '00' }, 'trailing');
    bad({ exts: vec16(extHex(43, '0304')).slice(0, -2) });
    expectProtocolError(() => decodeClientHello(fromHex('0303')), 'DECODE_ERROR');
    expectProtocolError(() => decodeClientHello(new Uint8Array(0)), 'DECODE_ERROR');
  });

  it('accepts a 32-byte session id', () => {
    expect(decodeClientHello(fromHex(clientHelloHex({ sid: vec8(hex(fill(32))) }))).legacySessionId.length).toBe(32);
  });

  it('requires pre_shared_key to be the last extension (ILLEGAL_PARAMETER, RFC 8446 §4.2.11)', () => {
    const psk = extHex(ExtensionType.pre_shared_key, hex(fill(10)));
    const ok = decodeClientHello(fromHex(clientHelloHex({ exts: vec16(extHex(43, '020304') + psk) })));
    expect(ok.extensions.at(-1)?.type).toBe(ExtensionType.pre_shared_key);
    expectProtocolError(
      () => decodeClientHello(fromHex(clientHelloHex({ exts: vec16(psk + extHex(43, '020304')) }))),
      'ILLEGAL_PARAMETER',
      'pre_shared_key',
    );
  });

  it('rejects duplicate extensions with ILLEGAL_PARAMETER', () => {
    const exts = vec16(extHex(43, '020304') + extHex(43, '020303'));
    expectProtocolError(() => decodeClientHello(fromHex(clientHelloHex({ exts }))), 'ILLEGAL_PARAMETER');
  });

  it('refuses to encode what the protocol cannot carry', () => {
    expectInvalidArgument(() => encodeClientHello({ ...sample, random: fill(31) }));
    expectInvalidArgument(() => encodeClientHello({ ...sample, legacySessionId: fill(33) }));
    expectInvalidArgument(() => encodeClientHello({ ...sample, cipherSuites: [] }));
    expectInvalidArgument(() => encodeClientHello({ ...sample, cipherSuites: [0x10000] }));
    expectInvalidArgument(() => encodeClientHello({ ...sample, legacyCompressionMethods: [] }));
    expectInvalidArgument(() => encodeClientHello({ ...sample, extensions: [...sample.extensions].reverse() }));
    expectInvalidArgument(
      () => encodeClientHello({ ...sample, extensions: [{ type: 21, data: fill(0xfffc) }, ...sample.extensions] }),
      'LENGTH_OVERFLOW',
    );
  });
});

// ---- ServerHello ----
describe('ServerHello', () => {
  const sample = {
    legacyVersion: ProtocolVersion.TLS1_2,
    random: fill(32, 3),
    legacySessionIdEcho: fill(32, 9),
    cipherSuite: CipherSuiteId.TLS_AES_256_GCM_SHA384,
    legacyCompressionMethod: 0,
    extensions: [{ type: ExtensionType.supported_versions, data: fromHex('0304') }],
  };

  it('round-trips and flags a HelloRetryRequest by its random', () => {
    const body = encodeServerHello(sample);
    expect(decodeServerHello(body)).toEqual({ ...sample, isHelloRetryRequest: false });
    const hrr = decodeServerHello(encodeServerHello({ ...sample, random: HELLO_RETRY_REQUEST_RANDOM }));
    expect(hrr.isHelloRetryRequest).toBe(true);
  });

  it('accepts a TLS 1.2 ServerHello without extensions, and carries the downgrade sentinel', () => {
    const random = fill(32, 1);
    random.set(DOWNGRADE_TLS12, 24);
    const body = fromHex(serverHelloHex({ random: hex(random), exts: '' }));
    const hello = decodeServerHello(body);
    expect(hello.extensions).toEqual([]);
    expect(downgradeSentinel(hello.random)).toBe('tls12');
    expect(hex(encodeServerHello(hello))).toBe(hex(body));
  });

  it('rejects malformed fields', () => {
    const longEcho = fromHex(serverHelloHex({ sid: vec8(hex(fill(33))) }));
    expectProtocolError(() => decodeServerHello(longEcho), 'DECODE_ERROR', 'legacy_session_id_echo');
    expectProtocolError(() => decodeServerHello(fromHex(serverHelloHex() + '00')), 'DECODE_ERROR', 'trailing');
    expectProtocolError(() => decodeServerHello(fromHex(serverHelloHex()).subarray(0, 40)), 'DECODE_ERROR');
    const dup = vec16(extHex(43, '0304') + extHex(43, '0304'));
    expectProtocolError(() => decodeServerHello(fromHex(serverHelloHex({ exts: dup }))), 'ILLEGAL_PARAMETER');
  });

  it('refuses to encode a bad random or session id echo', () => {
    expectInvalidArgument(() => encodeServerHello({ ...sample, random: fill(33) }));
    expectInvalidArgument(() => encodeServerHello({ ...sample, legacySessionIdEcho: fill(33) }));
    expectInvalidArgument(() => encodeServerHello({ ...sample, legacyCompressionMethod: 256 }));
  });
});

// ---- EncryptedExtensions ----
describe('EncryptedExtensions', () => {
  it('round-trips, including an empty block', () => {
    expect(hex(encodeEncryptedExtensions({ extensions: [] }))).toBe('0000');
    expect(decodeEncryptedExtensions(fromHex('0000'))).toEqual({ extensions: [] });
    const m = { extensions: [{ type: 16, data: fromHex('0003026832') }, { type: 0, data: new Uint8Array(0) }] };
    expect(decodeEncryptedExtensions(encodeEncryptedExtensions(m))).toEqual(m);
  });

  it('requires the block and nothing after it', () => {
    expectProtocolError(() => decodeEncryptedExtensions(new Uint8Array(0)), 'DECODE_ERROR');
    expectProtocolError(() => decodeEncryptedExtensions(fromHex('000000')), 'DECODE_ERROR', 'trailing');
    const dup = fromHex(vec16(extHex(0, '') + extHex(0, '')));
    expectProtocolError(() => decodeEncryptedExtensions(dup), 'ILLEGAL_PARAMETER');
  });
});

// ---- Certificate ----
describe('Certificate (TLS 1.3)', () => {
  const sample: Certificate13 = {
    certificateRequestContext: fromHex('c0ffee'),
    entries: [
      { certData: fill(300, 1), extensions: [{ type: ExtensionType.status_request, data: fill(5) }] },
      { certData: fill(1, 2), extensions: [] },
      { certData: fill(70000, 3), extensions: [] },
    ],
  };

  it('round-trips a chain with per-entry extensions, and an empty chain', () => {
    const decoded = decodeCertificate13(encodeCertificate13(sample));
    expect(decoded.certificateRequestContext).toEqual(sample.certificateRequestContext);
    expect(decoded.entries.slice(0, 2)).toEqual(sample.entries.slice(0, 2));
    // The third certificate needs a 24-bit length; compared by hand, as toEqual is slow on 70 kB.
    const big = decoded.entries[2];
    expect(big?.certData.length).toBe(70000);
    expect(big?.certData.every((b) => b === 3)).toBe(true);
    expect(big?.extensions).toEqual([]);
    const empty = { certificateRequestContext: new Uint8Array(0), entries: [] };
    expect(hex(encodeCertificate13(empty))).toBe('00000000');
    expect(decodeCertificate13(fromHex('00000000'))).toEqual(empty);
  });

  it('rejects an empty cert_data with DECODE_ERROR (<1..2^24-1>)', () => {
    const body = vec8('') + vec24(vec24('') + vec16(''));
    expectProtocolError(() => decodeCertificate13(fromHex(body)), 'DECODE_ERROR', 'cert_data');
  });

  it('limits the number of entries with EXCESSIVE_MESSAGE_SIZE', () => {
    const entries = (n: number) => vec8('') + vec24((vec24('30') + vec16('')).repeat(n));
    expect(decodeCertificate13(fromHex(entries(3)), { maxEntries: 3 }).entries).toHaveLength(3);
    expectProtocolError(() => decodeCertificate13(fromHex(entries(4)), { maxEntries: 3 }), 'EXCESSIVE_MESSAGE_SIZE');
    expect(decodeCertificate13(fromHex(entries(DEFAULT_MAX_CERTIFICATE_ENTRIES))).entries).toHaveLength(100);
    const tooMany = fromHex(entries(DEFAULT_MAX_CERTIFICATE_ENTRIES + 1));
    expectProtocolError(() => decodeCertificate13(tooMany), 'EXCESSIVE_MESSAGE_SIZE');
  });

  it('rejects truncation, trailing bytes, and duplicate entry extensions', () => {
    const good = encodeCertificate13(sample);
    expectProtocolError(() => decodeCertificate13(good.subarray(0, good.length - 1)), 'DECODE_ERROR');
    const trailing = new Uint8Array(good.length + 1);
    trailing.set(good);
    expectProtocolError(() => decodeCertificate13(trailing), 'DECODE_ERROR', 'trailing');
    const dup = vec8('') + vec24(vec24('30') + vec16(extHex(5, '') + extHex(5, '')));
    expectProtocolError(() => decodeCertificate13(fromHex(dup)), 'ILLEGAL_PARAMETER');
    // An entry whose extensions block is missing.
    expectProtocolError(() => decodeCertificate13(fromHex(vec8('') + vec24(vec24('30')))), 'DECODE_ERROR');
  });

  it('refuses to encode an empty certificate or an over-long context', () => {
    expectInvalidArgument(() =>
      encodeCertificate13({
        certificateRequestContext: new Uint8Array(0),
        entries: [{ certData: new Uint8Array(0), extensions: [] }],
      }),
    );
    const longContext = { certificateRequestContext: fill(256), entries: [] };
    expectInvalidArgument(() => encodeCertificate13(longContext), 'LENGTH_OVERFLOW');
  });
});

// ---- CertificateRequest ----
describe('CertificateRequest (TLS 1.3)', () => {
  it('round-trips', () => {
    const m = {
      certificateRequestContext: fill(8),
      extensions: [
        { type: ExtensionType.signature_algorithms, data: fromHex('000404030804') },
        { type: ExtensionType.certificate_authorities, data: fromHex(vec16(vec16('3000'))) },
      ],
    };
    expect(decodeCertificateRequest13(encodeCertificateRequest13(m))).toEqual(m);
  });

  it('requires at least one extension (<2..2^16-1>, RFC 8446 §4.3.2)', () => {
    expectProtocolError(() => decodeCertificateRequest13(fromHex('00 0000')), 'DECODE_ERROR', 'empty');
    expectProtocolError(() => decodeCertificateRequest13(fromHex('00')), 'DECODE_ERROR');
    const trailing = fromHex('00' + vec16(extHex(13, '000204 03')) + '00');
    expectProtocolError(() => decodeCertificateRequest13(trailing), 'DECODE_ERROR', 'trailing');
    const none = { certificateRequestContext: new Uint8Array(0), extensions: [] };
    expectInvalidArgument(() => encodeCertificateRequest13(none));
  });
});

// ---- CertificateVerify ----
describe('CertificateVerify', () => {
  it('round-trips', () => {
    const m = { scheme: 0x0403, signature: fill(71) };
    const body = encodeCertificateVerify(m);
    expect(hex(body.subarray(0, 4))).toBe('04030047');
    expect(decodeCertificateVerify(body)).toEqual(m);
  });

  it('rejects truncation and trailing bytes', () => {
    expectProtocolError(() => decodeCertificateVerify(fromHex('0403')), 'DECODE_ERROR');
    expectProtocolError(() => decodeCertificateVerify(fromHex('0403 0002 aa')), 'DECODE_ERROR');
    expectProtocolError(() => decodeCertificateVerify(fromHex('0403 0001 aa bb')), 'DECODE_ERROR', 'trailing');
    const huge = { scheme: 0x0403, signature: fill(0x10000) };
    expectInvalidArgument(() => encodeCertificateVerify(huge), 'LENGTH_OVERFLOW');
  });
});

// ---- Finished ----
describe('Finished', () => {
  it('is the verify_data itself, of the hash length (RFC 8446 §4.4.4)', () => {
    const verifyData = fill(48, 0x44);
    const body = encodeFinished(verifyData);
    expect(body).toEqual(verifyData);
    expect(body).not.toBe(verifyData);
    expect(decodeFinished(body, 48)).toEqual(verifyData);
    expectProtocolError(() => decodeFinished(body, 32), 'DECODE_ERROR', 'expected 32');
    expectProtocolError(() => decodeFinished(fill(31), 32), 'DECODE_ERROR');
    expectProtocolError(() => decodeFinished(new Uint8Array(0), 32), 'DECODE_ERROR');
    expectInvalidArgument(() => encodeFinished(new Uint8Array(0)));
  });
});

// ---- NewSessionTicket ----
describe('NewSessionTicket (TLS 1.3)', () => {
  const sample: NewSessionTicket13 = {
    lifetime: 604800,
    ageAdd: 0xffffffff,
    nonce: fill(255),
    ticket: fill(1000, 0x77),
    extensions: [
      { type: ExtensionType.early_data, data: fromHex('00004000') },
      { type: 0x4a4a, data: new Uint8Array(0) },
    ],
  };
  const nstHex = (lifetime: number, ticket: string, exts = vec16('')) =>
    h(lifetime, 4) + '01020304' + vec8('00') + vec16(ticket) + exts;

  it('round-trips at the limits', () => {
    expect(decodeNewSessionTicket13(encodeNewSessionTicket13(sample))).toEqual(sample);
    expect(decodeNewSessionTicket13(fromHex(nstHex(0, 'aa'))).lifetime).toBe(0);
  });

  it('rejects a lifetime over seven days with ILLEGAL_PARAMETER (RFC 8446 §4.6.1)', () => {
    const tooLong = fromHex(nstHex(604801, 'aa'));
    expectProtocolError(() => decodeNewSessionTicket13(tooLong), 'ILLEGAL_PARAMETER', 'ticket_lifetime');
    expectProtocolError(() => decodeNewSessionTicket13(fromHex(nstHex(0xffffffff, 'aa'))), 'ILLEGAL_PARAMETER');
    expectInvalidArgument(() => encodeNewSessionTicket13({ ...sample, lifetime: 604801 }));
  });

  it('rejects an empty ticket (<1..2^16-1>), a missing extensions block and trailing bytes', () => {
    expectProtocolError(() => decodeNewSessionTicket13(fromHex(nstHex(30, ''))), 'DECODE_ERROR', 'ticket');
    expectProtocolError(() => decodeNewSessionTicket13(fromHex(nstHex(30, 'aa', ''))), 'DECODE_ERROR');
    expectProtocolError(() => decodeNewSessionTicket13(fromHex(nstHex(30, 'aa') + '00')), 'DECODE_ERROR', 'trailing');
    const dup = vec16(extHex(42, '00000001') + extHex(42, '00000001'));
    expectProtocolError(() => decodeNewSessionTicket13(fromHex(nstHex(30, 'aa', dup))), 'ILLEGAL_PARAMETER');
  });

  it('rejects an extensions block of 65535 bytes (<0..2^16-2>)', () => {
    const exts = vec16(extHex(21, hex(new Uint8Array(0xffff - 4))));
    expect(exts.slice(0, 4)).toBe('ffff');
    expectProtocolError(() => decodeNewSessionTicket13(fromHex(nstHex(30, 'aa', exts))), 'DECODE_ERROR', '65535');
    const fits = vec16(extHex(21, hex(new Uint8Array(0xfffe - 4))));
    expect(decodeNewSessionTicket13(fromHex(nstHex(30, 'aa', fits))).extensions).toHaveLength(1);
  });

  it('refuses to encode an empty ticket or an over-long nonce', () => {
    expectInvalidArgument(() => encodeNewSessionTicket13({ ...sample, ticket: new Uint8Array(0) }));
    expectInvalidArgument(() => encodeNewSessionTicket13({ ...sample, nonce: fill(256) }), 'LENGTH_OVERFLOW');
    expectInvalidArgument(() => encodeNewSessionTicket13({ ...sample, ageAdd: 2 ** 32 }));
  });
});

// ---- KeyUpdate, EndOfEarlyData ----
describe('KeyUpdate and EndOfEarlyData', () => {
  it('KeyUpdate carries update_requested as 0 or 1 (RFC 8446 §4.6.3)', () => {
    expect(hex(encodeKeyUpdate(false))).toBe('00');
    expect(hex(encodeKeyUpdate(true))).toBe('01');
    expect(decodeKeyUpdate(fromHex('00'))).toEqual({ updateRequested: false });
    expect(decodeKeyUpdate(fromHex('01'))).toEqual({ updateRequested: true });
    expectProtocolError(() => decodeKeyUpdate(fromHex('02')), 'ILLEGAL_PARAMETER', 'request_update');
    expectProtocolError(() => decodeKeyUpdate(fromHex('ff')), 'ILLEGAL_PARAMETER');
    expectProtocolError(() => decodeKeyUpdate(new Uint8Array(0)), 'DECODE_ERROR');
    expectProtocolError(() => decodeKeyUpdate(fromHex('0100')), 'DECODE_ERROR');
  });

  it('EndOfEarlyData is empty (RFC 8446 §4.5)', () => {
    expect(encodeEndOfEarlyData().length).toBe(0);
    expect(() => decodeEndOfEarlyData(new Uint8Array(0))).not.toThrow();
    expectProtocolError(() => decodeEndOfEarlyData(fromHex('00')), 'DECODE_ERROR');
  });
});
