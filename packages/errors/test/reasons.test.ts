import { describe, expect, it } from 'vitest';
import {
  AlertDescription,
  REASON_ALERTS,
  RECEIVED_ALERT_REASONS,
  alertForReason,
  alertName,
  reasonForReceivedAlert,
  type AlertDescriptionName,
} from '../src/index.js';
import { hasOpenSSL30, opensslErrorStrings } from './support/openssl.js';

const reasons = Object.keys(REASON_ALERTS);
const registered = new Set<number>(Object.values(AlertDescription));
// values TLS 1.3 retired or that only TLS 1.2 and earlier define: never sent for a failure we detect
const neverSent = new Set<number>([21, 30, 41, 60, 111, 114]);

/** A reproducible stream of random strings, so that a failure can be replayed. */
function* randomStrings(count: number, seed = 0x5eed): Generator<string> {
  let state = seed;
  const next = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0);
  for (let i = 0; i < count; i++) {
    const length = next() % 40;
    let text = '';
    for (let j = 0; j < length; j++) {
      // mostly capitals and underscores, to come close to real reasons, with some other printable characters
      const r = next() % 4;
      if (r === 0) text += String.fromCharCode(0x20 + (next() % 0x5f));
      else if (r === 1) text += '_';
      else text += String.fromCharCode(0x41 + (next() % 26));
    }
    yield text;
  }
}

describe('alertForReason', () => {
  it('returns the table entry for every known reason, always a registered alert', () => {
    expect(reasons.length).toBeGreaterThan(100);
    for (const reason of reasons) {
      const alert = alertForReason(reason);
      expect(alert).toBe((REASON_ALERTS as Record<string, number>)[reason]);
      expect(registered.has(alert), reason).toBe(true);
      expect(reason).toMatch(/^[A-Z][A-Z0-9_]*$/);
    }
  });

  it('is total: unknown reasons, prototype names and random strings all give internal_error', () => {
    const odd = ['', 'toString', 'constructor', '__proto__', 'hasOwnProperty', 'valueOf', 'decode_error'];
    odd.push('DECODE_ERROR ', 'X509_V_ERR_CERT_HAS_EXPIRED', 'SSL_ALERT_NUMBER_200');
    for (const reason of [...odd, ...randomStrings(5000)]) {
      const alert = alertForReason(reason);
      if (Object.hasOwn(REASON_ALERTS, reason)) continue;
      expect(alert, JSON.stringify(reason)).toBe(AlertDescription.internal_error);
    }
  });

  it('never sends a reserved alert or close_notify for a failure we detect', () => {
    const received = new Set(Object.keys(RECEIVED_ALERT_REASONS));
    for (const reason of reasons) {
      if (received.has(reason)) continue;
      const alert = alertForReason(reason);
      expect(neverSent.has(alert), reason).toBe(false);
      if (reason !== 'ZERO_RETURN') expect(alert, reason).not.toBe(AlertDescription.close_notify);
    }
  });

  it('follows RFC 8446 for the reasons the engine raises most', () => {
    const expected: Record<string, AlertDescriptionName> = {
      WRONG_VERSION_NUMBER: 'protocol_version', // the peer does not speak TLS 1.x
      UNSUPPORTED_PROTOCOL: 'protocol_version', // §4.2.1
      NO_SHARED_CIPHER: 'handshake_failure', // §4.1.1
      NO_SUITABLE_KEY_SHARE: 'handshake_failure', // §4.1.1
      INVALID_KEY_SHARE: 'illegal_parameter', // §4.2.8.2
      BAD_HANDSHAKE_LENGTH: 'decode_error', // §6
      LENGTH_MISMATCH: 'decode_error', // §6
      DECODE_ERROR: 'decode_error', // §6
      EXCESSIVE_MESSAGE_SIZE: 'illegal_parameter', // OpenSSL's choice
      MISSING_EXTENSION: 'missing_extension', // §9.2
      UNSUPPORTED_EXTENSION: 'unsupported_extension', // §4.2
      BAD_EXTENSION: 'illegal_parameter', // duplicate extension, §4.2
      PEER_DID_NOT_RETURN_A_CERTIFICATE: 'certificate_required', // §4.4.2.4
      NO_APPLICATION_PROTOCOL: 'no_application_protocol', // RFC 7301 §3.2
      UNRECOGNIZED_NAME: 'unrecognized_name', // RFC 6066 §3
      DECRYPTION_FAILED_OR_BAD_RECORD_MAC: 'bad_record_mac', // §5.2
      RECORD_OVERFLOW: 'record_overflow', // §5.2
      UNEXPECTED_RECORD: 'unexpected_message', // §5
      TOO_MANY_WARN_ALERTS: 'unexpected_message',
      TOO_MANY_EMPTY_RECORDS: 'unexpected_message',
      INAPPROPRIATE_FALLBACK: 'inappropriate_fallback', // RFC 7507
      TLS13_DOWNGRADE: 'illegal_parameter', // §4.1.3
      BAD_SIGNATURE: 'decrypt_error', // §4.4.3
      DIGEST_CHECK_FAILED: 'decrypt_error', // §4.4.4
      BAD_KEY_UPDATE: 'illegal_parameter', // §4.6.3
      TOO_MUCH_EARLY_DATA: 'unexpected_message', // §4.2.10
      NO_CERTIFICATES_RETURNED: 'decode_error', // §4.4.2.4
    };
    for (const [reason, alert] of Object.entries(expected)) {
      expect(alertName(alertForReason(reason)), reason).toBe(alert);
    }
  });
});

describe('reasons for received alerts', () => {
  it('every registered alert but close_notify has one, and it maps back to that alert', () => {
    for (const [name, value] of Object.entries(AlertDescription)) {
      const reason = reasonForReceivedAlert(value);
      if (value === AlertDescription.close_notify) {
        expect(reason).toBe('ZERO_RETURN');
        continue;
      }
      expect(reason, name).toMatch(/^(SSLV3|TLSV1|TLSV13)_/);
      expect((RECEIVED_ALERT_REASONS as Record<string, number>)[reason], name).toBe(value);
      expect(alertForReason(reason), name).toBe(value);
    }
    expect(Object.keys(RECEIVED_ALERT_REASONS).length).toBe(Object.keys(AlertDescription).length - 1);
  });

  it('is part of REASON_ALERTS, with the same alert', () => {
    for (const [reason, value] of Object.entries(RECEIVED_ALERT_REASONS)) {
      expect((REASON_ALERTS as Record<string, number>)[reason]).toBe(value);
    }
  });

  it('names values outside the registry, keeping the value', () => {
    for (const value of [1, 23, 101, 118, 122, 200, 255]) {
      expect(reasonForReceivedAlert(value)).toBe(`SSL_ALERT_NUMBER_${value}`);
      expect(alertName(value)).toBe(`unknown(${value})`);
    }
  });

  it('uses the names OpenSSL has', () => {
    expect(reasonForReceivedAlert(42)).toBe('SSLV3_ALERT_BAD_CERTIFICATE');
    expect(reasonForReceivedAlert(48)).toBe('TLSV1_ALERT_UNKNOWN_CA');
    expect(reasonForReceivedAlert(109)).toBe('TLSV13_ALERT_MISSING_EXTENSION');
    expect(reasonForReceivedAlert(112)).toBe('TLSV1_UNRECOGNIZED_NAME');
    expect(reasonForReceivedAlert(116)).toBe('TLSV13_ALERT_CERTIFICATE_REQUIRED');
  });
});

describe('received-alert reasons against OpenSSL 3.0 (openssl errstr)', () => {
  it('OpenSSL words reason 1000 + alert as our name, for every alert it knows', () => {
    // ERR_PACK(ERR_LIB_SSL = 20, 0, reason) in OpenSSL 3.0: 20 << 23 | reason
    const entries = Object.entries(RECEIVED_ALERT_REASONS);
    const words = opensslErrorStrings(entries.map(([, value]) => (20 << 23) + 1000 + value));
    entries.forEach(([reason, value], i) => {
      // general_error (117) and ech_required (121) were registered after OpenSSL 3.0 (see ERRORS.md)
      const postdates30 = value === AlertDescription.general_error || value === AlertDescription.ech_required;
      const expected = postdates30 ? `reason(${1000 + value})` : reason.toLowerCase().replace(/_/g, ' ');
      expect(words[i], reason).toBe(expected);
    });
  });
});
