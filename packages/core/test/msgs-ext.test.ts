/**
 * Extension body codecs (packages/core/src/msgs/ext): exact encodings, round trips, and every rejection, each built
 * from hex so a test breaks one rule at a time.
 */
import { describe, expect, it } from 'vitest';
import { AlertDescription, InvalidArgumentError, ProtocolError } from '@tlsbio/errors';
import {
  EcPointFormat,
  NamedGroupId,
  PskKeyExchangeMode,
  SignatureSchemeId,
  decodeAlpn,
  decodeAlpnServer,
  decodeCertificateAuthorities,
  decodeCookie,
  decodeEarlyDataIndication,
  decodeEcPointFormats,
  decodeKeyShareClient,
  decodeKeyShareHelloRetry,
  decodeKeyShareServer,
  decodePreSharedKeyClient,
  decodePreSharedKeyServer,
  decodePskKeyExchangeModes,
  decodeRecordSizeLimit,
  decodeRenegotiationInfo,
  decodeServerName,
  decodeSignatureSchemes,
  decodeSupportedGroups,
  decodeSupportedVersionsClient,
  decodeSupportedVersionsServer,
  encodeAlpn,
  encodeAlpnServer,
  encodeCertificateAuthorities,
  encodeCookie,
  encodeEarlyDataIndication,
  encodeEcPointFormats,
  encodeKeyShareClient,
  encodeKeyShareHelloRetry,
  encodeKeyShareServer,
  encodePreSharedKeyClient,
  encodePreSharedKeyServer,
  encodePskKeyExchangeModes,
  encodeRecordSizeLimit,
  encodeRenegotiationInfo,
  encodeServerName,
  encodeSignatureSchemes,
  encodeSupportedGroups,
  encodeSupportedVersionsClient,
  encodeSupportedVersionsServer,
  pskBindersLength,
  type OfferedPsks,
} from '../src/msgs/index.js';

const fromHex = (s: string) => {
  const clean = s.replace(/[^0-9a-f]/gi, '');
  return new Uint8Array(clean.match(/../g)?.map((x) => parseInt(x, 16)) ?? []);
};
const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
const fill = (n: number, byte = 0xab) => new Uint8Array(n).fill(byte);
const ascii = (s: string) => new TextEncoder().encode(s);

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

function expectProtocolError(
  fn: () => unknown,
  reason: 'DECODE_ERROR' | 'ILLEGAL_PARAMETER',
  messagePart?: string,
): void {
  const error = thrown(fn);
  expect(error).toBeInstanceOf(ProtocolError);
  const e = error as ProtocolError;
  expect(e.reason).toBe(reason);
  expect(e.fault).toBe('remote');
  const alert = reason === 'DECODE_ERROR' ? AlertDescription.decode_error : AlertDescription.illegal_parameter;
  expect(e.alert?.description).toBe(alert);
  if (messagePart !== undefined) expect(e.message).toContain(messagePart);
}
const decodeErr = (hexData: string, decode: (d: Uint8Array) => unknown, part?: string) =>
  expectProtocolError(() => decode(fromHex(hexData)), 'DECODE_ERROR', part);

function expectInvalidArgument(fn: () => unknown, reason: 'INVALID_ARGUMENT' | 'LENGTH_OVERFLOW' = 'INVALID_ARGUMENT') {
  const error = thrown(fn);
  expect(error).toBeInstanceOf(InvalidArgumentError);
  expect((error as InvalidArgumentError).reason).toBe(reason);
}

describe('server_name (RFC 6066 §3)', () => {
  it('encodes one host_name and decodes it back', () => {
    const data = encodeServerName('example.com');
    expect(hex(data)).toBe('000e' + '00' + '000b' + hex(ascii('example.com')));
    expect(decodeServerName(data)).toBe('example.com');
  });

  it('an empty body (the server acknowledgement) decodes to undefined', () => {
    expect(decodeServerName(new Uint8Array(0))).toBeUndefined();
  });

  it('skips entries of unknown name types', () => {
    expect(decodeServerName(fromHex('0009 07 0002 aaaa 00 0001 61'))).toBe('a');
    expect(decodeServerName(fromHex('0005 07 0002 aaaa'))).toBeUndefined();
  });

  it('rejects a malformed list with DECODE_ERROR', () => {
    decodeErr('0000', decodeServerName, 'empty');
    decodeErr('0003 00 0000', decodeServerName, 'empty name');
    decodeErr('0004 00 0002 61', decodeServerName);
    decodeErr('0004 00 0001 61 00', decodeServerName, 'trailing');
    decodeErr('0004 00 0001 61' + '00', decodeServerName);
    decodeErr('00', decodeServerName);
  });

  it('rejects a host name that is not printable ASCII: NUL, control bytes, UTF-8', () => {
    decodeErr('0006 00 0003 61 00 62', decodeServerName, 'not printable');
    decodeErr('0005 00 0002 61 0a', decodeServerName, 'not printable');
    decodeErr('0005 00 0002 c3 a4', decodeServerName, 'not printable');
    decodeErr('0004 00 0001 7f', decodeServerName, 'not printable');
  });

  it('rejects two host_name entries with ILLEGAL_PARAMETER', () => {
    const twice = fromHex('0008 00 0001 61 00 0001 62');
    expectProtocolError(() => decodeServerName(twice), 'ILLEGAL_PARAMETER', 'host_name');
  });

  it('refuses to encode an empty, non-ASCII or over-long name', () => {
    expectInvalidArgument(() => encodeServerName(''));
    expectInvalidArgument(() => encodeServerName('exämple.com'));
    expectInvalidArgument(() => encodeServerName('a\u0000b'));
    expectInvalidArgument(() => encodeServerName('a'.repeat(0x10000)), 'LENGTH_OVERFLOW');
  });
});

describe('supported_groups and signature_algorithms (RFC 8446 §4.2.7, §4.2.3)', () => {
  const cases = [
    [
      'supported_groups',
      encodeSupportedGroups,
      decodeSupportedGroups,
      [NamedGroupId.X25519MLKEM768, 0x2a2a, NamedGroupId.x25519],
    ],
    [
      'signature_algorithms',
      encodeSignatureSchemes,
      decodeSignatureSchemes,
      [SignatureSchemeId.ed25519, 0xfafa, SignatureSchemeId.rsa_pss_rsae_sha256],
    ],
  ] as const;

  for (const [name, encode, decode, ids] of cases) {
    it(`${name}: round-trips in order, GREASE included`, () => {
      const data = encode(ids);
      expect(hex(data)).toBe('0006' + ids.map((id) => id.toString(16).padStart(4, '0')).join(''));
      expect(decode(data)).toEqual(ids);
    });

    it(`${name}: rejects an empty, odd-length, truncated or trailing list`, () => {
      decodeErr('0000', decode);
      decodeErr('0003 001d00', decode);
      decodeErr('0004 001d', decode);
      decodeErr('0002 001d 00', decode, 'trailing');
      decodeErr('', decode);
      expectInvalidArgument(() => encode([]));
      expectInvalidArgument(() => encode([0x10000]));
    });
  }
});

describe('application_layer_protocol_negotiation (RFC 7301 §3.1)', () => {
  it('encodes and decodes a preference list', () => {
    const data = encodeAlpn([ascii('h2'), ascii('http/1.1')]);
    expect(hex(data)).toBe('000c 02 6832 08 687474702f312e31'.replace(/ /g, ''));
    expect(decodeAlpn(data).map((p) => new TextDecoder().decode(p))).toEqual(['h2', 'http/1.1']);
    expect(decodeAlpn(encodeAlpn([fill(255)]))[0]?.length).toBe(255);
  });

  it('rejects an empty list, an empty name, truncation and trailing bytes', () => {
    decodeErr('0000', decodeAlpn, 'empty');
    decodeErr('0001 00', decodeAlpn, 'empty ProtocolName');
    decodeErr('0004 02 6832', decodeAlpn);
    decodeErr('0003 03 6832', decodeAlpn);
    decodeErr('0003 02 6832 00', decodeAlpn, 'trailing');
  });

  it('refuses to encode a 300-byte protocol (LENGTH_OVERFLOW), an empty one, or an empty list', () => {
    expectInvalidArgument(() => encodeAlpn([fill(300)]), 'LENGTH_OVERFLOW');
    expectInvalidArgument(() => encodeAlpn([ascii('h2'), new Uint8Array(0)]));
    expectInvalidArgument(() => encodeAlpn([]));
  });

  it('the server answer carries exactly one protocol', () => {
    expect(hex(decodeAlpnServer(encodeAlpnServer(ascii('h2'))))).toBe('6832');
    decodeErr(hex(encodeAlpn([ascii('h2'), ascii('h3')])), decodeAlpnServer, '2 protocols');
    decodeErr('0000', decodeAlpnServer);
  });
});

describe('supported_versions (RFC 8446 §4.2.1)', () => {
  it('client list: round-trips, rejects empty, odd, truncated and trailing', () => {
    const data = encodeSupportedVersionsClient([0x0304, 0x0303, 0x7a7a]);
    expect(hex(data)).toBe('06030403037a7a');
    expect(decodeSupportedVersionsClient(data)).toEqual([0x0304, 0x0303, 0x7a7a]);
    decodeErr('00', decodeSupportedVersionsClient);
    decodeErr('03 030403', decodeSupportedVersionsClient);
    decodeErr('04 0304', decodeSupportedVersionsClient);
    decodeErr('02 0304 03', decodeSupportedVersionsClient, 'trailing');
    expectInvalidArgument(() => encodeSupportedVersionsClient([]));
    expectInvalidArgument(() => encodeSupportedVersionsClient(new Array<number>(128).fill(0x0304)), 'LENGTH_OVERFLOW');
  });

  it('server selection: exactly two bytes', () => {
    expect(hex(encodeSupportedVersionsServer(0x0304))).toBe('0304');
    expect(decodeSupportedVersionsServer(fromHex('0304'))).toBe(0x0304);
    decodeErr('03', decodeSupportedVersionsServer);
    decodeErr('030400', decodeSupportedVersionsServer, 'trailing');
    expectInvalidArgument(() => encodeSupportedVersionsServer(-1));
  });
});

describe('key_share (RFC 8446 §4.2.8)', () => {
  const x25519 = { group: NamedGroupId.x25519, keyExchange: fill(32, 1) };
  const p256 = { group: NamedGroupId.secp256r1, keyExchange: fill(65, 4) };

  it('client shares: round-trip, and an empty list is legal', () => {
    const data = encodeKeyShareClient([x25519, p256]);
    expect(hex(data.subarray(0, 6))).toBe('0069001d0020');
    expect(decodeKeyShareClient(data)).toEqual([x25519, p256]);
    expect(hex(encodeKeyShareClient([]))).toBe('0000');
    expect(decodeKeyShareClient(fromHex('0000'))).toEqual([]);
  });

  it('client shares: a repeated group is ILLEGAL_PARAMETER, an empty key_exchange DECODE_ERROR', () => {
    const twice = '000c 001d 0002 aaaa 001d 0002 bbbb';
    expectProtocolError(() => decodeKeyShareClient(fromHex(twice)), 'ILLEGAL_PARAMETER', 'group 29');
    decodeErr('0004 001d 0000', decodeKeyShareClient, 'empty key_exchange');
    decodeErr('0005 001d 0002 aa', decodeKeyShareClient);
    decodeErr('0006 001d 0002 aaaa 00', decodeKeyShareClient, 'trailing');
    decodeErr('0003 001d 00', decodeKeyShareClient);
    expectInvalidArgument(() => encodeKeyShareClient([x25519, x25519]));
    expectInvalidArgument(() => encodeKeyShareClient([{ group: 29, keyExchange: new Uint8Array(0) }]));
  });

  it('server share: one entry', () => {
    const data = encodeKeyShareServer(x25519);
    expect(hex(data.subarray(0, 4))).toBe('001d0020');
    expect(decodeKeyShareServer(data)).toEqual(x25519);
    decodeErr('001d 0000', decodeKeyShareServer, 'empty key_exchange');
    decodeErr('001d 0002 aaaa 00', decodeKeyShareServer, 'trailing');
    decodeErr('001d', decodeKeyShareServer);
    expectInvalidArgument(() => encodeKeyShareServer({ group: 29, keyExchange: new Uint8Array(0) }));
  });

  it('HelloRetryRequest: the selected group alone', () => {
    expect(hex(encodeKeyShareHelloRetry(NamedGroupId.secp384r1))).toBe('0018');
    expect(decodeKeyShareHelloRetry(fromHex('0018'))).toBe(0x18);
    decodeErr('00', decodeKeyShareHelloRetry);
    decodeErr('001800', decodeKeyShareHelloRetry, 'trailing');
  });
});

describe('cookie (RFC 8446 §4.2.2)', () => {
  it('round-trips and rejects empty, truncated and trailing cookies', () => {
    expect(hex(encodeCookie(fromHex('c0ffee')))).toBe('0003c0ffee');
    expect(hex(decodeCookie(fromHex('0003c0ffee')))).toBe('c0ffee');
    decodeErr('0000', decodeCookie, 'empty');
    decodeErr('0003c0ff', decodeCookie);
    decodeErr('0001c0ff', decodeCookie, 'trailing');
    expectInvalidArgument(() => encodeCookie(new Uint8Array(0)));
    expectInvalidArgument(() => encodeCookie(fill(0x10000)), 'LENGTH_OVERFLOW');
  });
});

describe('psk_key_exchange_modes (RFC 8446 §4.2.9)', () => {
  it('round-trips, carrying a GREASE mode, and rejects an empty list', () => {
    const data = encodePskKeyExchangeModes([PskKeyExchangeMode.psk_dhe_ke, 0x0b]);
    expect(hex(data)).toBe('02010b');
    expect(decodePskKeyExchangeModes(data)).toEqual([1, 0x0b]);
    decodeErr('00', decodePskKeyExchangeModes, 'empty');
    decodeErr('0201', decodePskKeyExchangeModes);
    decodeErr('0101 00', decodePskKeyExchangeModes, 'trailing');
    expectInvalidArgument(() => encodePskKeyExchangeModes([]));
    expectInvalidArgument(() => encodePskKeyExchangeModes([256]));
  });
});

describe('early_data (RFC 8446 §4.2.10)', () => {
  it('is max_early_data_size in NewSessionTicket and empty elsewhere', () => {
    expect(hex(encodeEarlyDataIndication(16384))).toBe('00004000');
    expect(decodeEarlyDataIndication(fromHex('00004000'), true)).toBe(16384);
    expect(decodeEarlyDataIndication(fromHex('ffffffff'), true)).toBe(0xffffffff);
    expect(encodeEarlyDataIndication().length).toBe(0);
    expect(decodeEarlyDataIndication(new Uint8Array(0), false)).toBeUndefined();
  });

  it('rejects the wrong shape for its message', () => {
    expectProtocolError(() => decodeEarlyDataIndication(fromHex('00004000'), false), 'DECODE_ERROR', 'empty');
    expectProtocolError(() => decodeEarlyDataIndication(new Uint8Array(0), true), 'DECODE_ERROR');
    expectProtocolError(() => decodeEarlyDataIndication(fromHex('000040'), true), 'DECODE_ERROR');
    expectProtocolError(() => decodeEarlyDataIndication(fromHex('0000400000'), true), 'DECODE_ERROR', 'trailing');
    expectInvalidArgument(() => encodeEarlyDataIndication(2 ** 32));
  });
});

describe('pre_shared_key (RFC 8446 §4.2.11)', () => {
  const offered: OfferedPsks = {
    identities: [
      { identity: fill(178, 0x2c), obfuscatedTicketAge: 0xfad6aacb },
      { identity: fromHex('01'), obfuscatedTicketAge: 0 },
    ],
    binders: [fill(32, 0x3a), fill(48, 0x3b)],
  };
  const identity = (id: string, age = '00000000') => `${(id.length / 2).toString(16).padStart(4, '0')}${id}${age}`;
  const vec16 = (body: string) => (body.length / 2).toString(16).padStart(4, '0') + body;
  const binder = (n: number) => n.toString(16).padStart(2, '0') + 'ab'.repeat(n);

  it('client offer: round-trips, and pskBindersLength is the binders tail', () => {
    const data = encodePreSharedKeyClient(offered);
    expect(decodePreSharedKeyClient(data)).toEqual(offered);
    const tail = pskBindersLength(offered.binders);
    expect(tail).toBe(2 + 33 + 49);
    expect(hex(data.subarray(data.length - tail, data.length - tail + 2))).toBe('0052');
    const binders = '0052' + '20' + hex(fill(32, 0x3a)) + '30' + hex(fill(48, 0x3b));
    expect(hex(data.subarray(data.length - tail))).toBe(binders);
  });

  it('client offer: identities and binders counts must match (ILLEGAL_PARAMETER)', () => {
    const data = vec16(identity('aa') + identity('bb')) + vec16(binder(32));
    const mismatch = '2 identities but 1 binders';
    expectProtocolError(() => decodePreSharedKeyClient(fromHex(data)), 'ILLEGAL_PARAMETER', mismatch);
    expectInvalidArgument(() => encodePreSharedKeyClient({ ...offered, binders: [fill(32)] }));
  });

  it('client offer: rejects empty lists, empty identities, short binders, truncation, trailing bytes', () => {
    decodeErr(vec16('') + vec16(binder(32)), decodePreSharedKeyClient, 'identities is empty');
    decodeErr(vec16(identity('aa')) + vec16(''), decodePreSharedKeyClient, 'binders is empty');
    decodeErr(vec16(identity('')) + vec16(binder(32)), decodePreSharedKeyClient, 'empty identity');
    decodeErr(vec16(identity('aa')) + vec16(binder(31)), decodePreSharedKeyClient, 'at least 32');
    decodeErr(vec16(identity('aa', '000000')) + vec16(binder(32)), decodePreSharedKeyClient);
    decodeErr(vec16(identity('aa')) + vec16(binder(32)) + '00', decodePreSharedKeyClient, 'trailing');
    decodeErr(vec16(identity('aa')), decodePreSharedKeyClient);
    // A 255-byte binder is the longest allowed.
    expect(decodePreSharedKeyClient(fromHex(vec16(identity('aa')) + vec16(binder(255)))).binders[0]?.length).toBe(255);
  });

  it('client offer: refuses to encode bad identities and binders', () => {
    expectInvalidArgument(() => encodePreSharedKeyClient({ identities: [], binders: [] }));
    expectInvalidArgument(() =>
      encodePreSharedKeyClient({
        identities: [{ identity: new Uint8Array(0), obfuscatedTicketAge: 0 }],
        binders: [fill(32)],
      }),
    );
    const one = [offered.identities[1]!];
    expectInvalidArgument(() => encodePreSharedKeyClient({ identities: one, binders: [fill(31)] }));
    expectInvalidArgument(() => encodePreSharedKeyClient({ identities: one, binders: [fill(256)] }), 'LENGTH_OVERFLOW');
    expectInvalidArgument(() =>
      encodePreSharedKeyClient({ identities: [{ identity: fill(1), obfuscatedTicketAge: -1 }], binders: [fill(32)] }),
    );
    expectInvalidArgument(() => pskBindersLength([fill(256)]));
    expectInvalidArgument(() => pskBindersLength([fill(31)]));
  });

  it('server selection: a 16-bit index', () => {
    expect(hex(encodePreSharedKeyServer(1))).toBe('0001');
    expect(decodePreSharedKeyServer(fromHex('0001'))).toBe(1);
    decodeErr('00', decodePreSharedKeyServer);
    decodeErr('000100', decodePreSharedKeyServer, 'trailing');
    expectInvalidArgument(() => encodePreSharedKeyServer(0x10000));
  });
});

describe('certificate_authorities (RFC 8446 §4.2.4)', () => {
  it('round-trips and rejects an empty list, an empty name, truncation and trailing bytes', () => {
    const names = [fromHex('3000'), fill(300)];
    const data = encodeCertificateAuthorities(names);
    expect(hex(data.subarray(0, 6))).toBe('0132' + '0002' + '3000');
    expect(decodeCertificateAuthorities(data)).toEqual(names);
    decodeErr('0000', decodeCertificateAuthorities, 'empty');
    decodeErr('0002 0000', decodeCertificateAuthorities, 'empty DistinguishedName');
    decodeErr('0003 0002 30', decodeCertificateAuthorities);
    decodeErr('0004 0002 3000 00', decodeCertificateAuthorities, 'trailing');
    expectInvalidArgument(() => encodeCertificateAuthorities([]));
    expectInvalidArgument(() => encodeCertificateAuthorities([new Uint8Array(0)]));
  });
});

describe('ec_point_formats (RFC 8422 §5.1.2) and renegotiation_info (RFC 5746 §3.2)', () => {
  it('ec_point_formats: round-trips and rejects an empty list', () => {
    expect(hex(encodeEcPointFormats([EcPointFormat.uncompressed]))).toBe('0100');
    expect(decodeEcPointFormats(fromHex('03000102'))).toEqual([0, 1, 2]);
    decodeErr('00', decodeEcPointFormats, 'empty');
    decodeErr('0200', decodeEcPointFormats);
    decodeErr('010000', decodeEcPointFormats, 'trailing');
    expectInvalidArgument(() => encodeEcPointFormats([]));
  });

  it('renegotiation_info: the empty initial value, or verify data, and nothing else', () => {
    expect(hex(encodeRenegotiationInfo())).toBe('00');
    expect(decodeRenegotiationInfo(fromHex('00')).length).toBe(0);
    const verifyData = fill(24, 0x11);
    expect(decodeRenegotiationInfo(encodeRenegotiationInfo(verifyData))).toEqual(verifyData);
    decodeErr('', decodeRenegotiationInfo);
    decodeErr('0c 1111', decodeRenegotiationInfo);
    decodeErr('00 00', decodeRenegotiationInfo, 'trailing');
    expectInvalidArgument(() => encodeRenegotiationInfo(fill(256)), 'LENGTH_OVERFLOW');
  });
});

describe('record_size_limit (RFC 8449 §4)', () => {
  it('round-trips from 64 up and rejects smaller values with ILLEGAL_PARAMETER', () => {
    expect(hex(encodeRecordSizeLimit(0x4001))).toBe('4001');
    expect(decodeRecordSizeLimit(fromHex('4001'))).toBe(16385);
    expect(decodeRecordSizeLimit(fromHex('0040'))).toBe(64);
    expectProtocolError(() => decodeRecordSizeLimit(fromHex('003f')), 'ILLEGAL_PARAMETER', 'below 64');
    decodeErr('40', decodeRecordSizeLimit);
    decodeErr('400100', decodeRecordSizeLimit, 'trailing');
    expectInvalidArgument(() => encodeRecordSizeLimit(63));
    expectInvalidArgument(() => encodeRecordSizeLimit(0x10000));
  });
});
