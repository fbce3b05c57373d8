import { describe, expect, it } from 'vitest';
import { AlertDescription, AlertLevel, TLSVersion, alertName, isClosureAlert, tlsVersionName } from '../src/index.js';

// The AlertDescription enums as the RFCs print them.
const RFC_8446_SECTION_6 = {
  close_notify: 0,
  unexpected_message: 10,
  bad_record_mac: 20,
  record_overflow: 22,
  handshake_failure: 40,
  bad_certificate: 42,
  unsupported_certificate: 43,
  certificate_revoked: 44,
  certificate_expired: 45,
  certificate_unknown: 46,
  illegal_parameter: 47,
  unknown_ca: 48,
  access_denied: 49,
  decode_error: 50,
  decrypt_error: 51,
  protocol_version: 70,
  insufficient_security: 71,
  internal_error: 80,
  inappropriate_fallback: 86,
  user_canceled: 90,
  missing_extension: 109,
  unsupported_extension: 110,
  unrecognized_name: 112,
  bad_certificate_status_response: 113,
  unknown_psk_identity: 115,
  certificate_required: 116,
  no_application_protocol: 120,
};
const RFC_5246_SECTION_7_2 = {
  close_notify: 0,
  unexpected_message: 10,
  bad_record_mac: 20,
  decryption_failed_RESERVED: 21,
  record_overflow: 22,
  decompression_failure: 30,
  handshake_failure: 40,
  no_certificate_RESERVED: 41,
  bad_certificate: 42,
  unsupported_certificate: 43,
  certificate_revoked: 44,
  certificate_expired: 45,
  certificate_unknown: 46,
  illegal_parameter: 47,
  unknown_ca: 48,
  access_denied: 49,
  decode_error: 50,
  decrypt_error: 51,
  export_restriction_RESERVED: 60,
  protocol_version: 70,
  insufficient_security: 71,
  internal_error: 80,
  user_canceled: 90,
  no_renegotiation: 100,
  unsupported_extension: 110,
};

describe('AlertDescription', () => {
  it.each([
    ['RFC 8446 §6', RFC_8446_SECTION_6],
    ['RFC 5246 §7.2', RFC_5246_SECTION_7_2],
  ])('has every value of %s under its name', (_, registry) => {
    for (const [name, value] of Object.entries(registry)) {
      expect((AlertDescription as Record<string, number>)[name], name).toBe(value);
      expect(alertName(value)).toBe(name);
    }
  });

  it('has the rest of the IANA registry', () => {
    expect(AlertDescription.certificate_unobtainable_RESERVED).toBe(111);
    expect(AlertDescription.bad_certificate_hash_value_RESERVED).toBe(114);
    expect(AlertDescription.general_error).toBe(117);
    expect(AlertDescription.ech_required).toBe(121);
  });

  it('gives each value one name, every value a byte', () => {
    const values = Object.values(AlertDescription);
    expect(new Set(values).size).toBe(values.length);
    for (const value of values) expect(value >= 0 && value <= 255 && Number.isInteger(value)).toBe(true);
  });

  it('carries and names values outside the registry', () => {
    const known = new Set<number>(Object.values(AlertDescription));
    for (let value = 0; value <= 255; value++) {
      if (known.has(value)) expect(alertName(value)).toMatch(/^[a-z_A-Z]+$/);
      else expect(alertName(value)).toBe(`unknown(${value})`);
    }
    expect(alertName(1000)).toBe('unknown(1000)');
  });

  it('tells closure alerts from error alerts (RFC 8446 §6.1, §6.2)', () => {
    const closure = Object.values(AlertDescription).filter((value) => isClosureAlert(value));
    expect(closure).toEqual([0, 90]);
    expect(isClosureAlert(250)).toBe(false);
  });

  it('has the two levels of RFC 5246 §7.2', () => {
    expect(AlertLevel).toEqual({ warning: 1, fatal: 2 });
  });
});

describe('TLSVersion', () => {
  it('has the wire values of RFC 8446 §4.2.1 and RFC 5246 Appendix E', () => {
    expect(TLSVersion).toEqual({ SSLv3: 0x0300, TLSv1: 0x0301, TLSv1_1: 0x0302, TLSv1_2: 0x0303, TLSv1_3: 0x0304 });
  });

  it('names versions as OpenSSL and Python do, and carries unknown ones', () => {
    expect(tlsVersionName(0x0304)).toBe('TLSv1.3');
    expect(tlsVersionName(0x0303)).toBe('TLSv1.2');
    expect(tlsVersionName(0x0302)).toBe('TLSv1.1');
    expect(tlsVersionName(0x0301)).toBe('TLSv1');
    expect(tlsVersionName(0x0300)).toBe('SSLv3');
    expect(tlsVersionName(0x0a0a)).toBe('unknown(0x0a0a)'); // GREASE, RFC 8701
    expect(tlsVersionName(0x7f1c)).toBe('unknown(0x7f1c)'); // TLS 1.3 draft 28
    expect(tlsVersionName(0x0002)).toBe('unknown(0x0002)');
  });
});
