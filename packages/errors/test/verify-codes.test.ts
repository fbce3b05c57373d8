import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AlertDescription,
  X509VerifyCode,
  alertForVerifyCode,
  alertName,
  reasonForReceivedAlert,
  verifyCodeMessage,
  verifyCodeName,
  type X509VerifyCodeName,
} from '../src/index.js';
import { handshake, hasOpenSSL30, makePki, opensslVerify, readOpenSSLHeader, type Pki } from './support/openssl.js';

const entries = Object.entries(X509VerifyCode) as [X509VerifyCodeName, number][];

describe('the verify code table', () => {
  it('has every code from 0 to 94 once, each named and worded', () => {
    expect(entries.map(([, code]) => code)).toEqual(Array.from({ length: 95 }, (_, code) => code));
    expect(new Set(entries.map(([name]) => name)).size).toBe(95);
    for (const [name, code] of entries) {
      expect(name).toMatch(code === 0 ? /^X509_V_OK$/ : /^X509_V_ERR_[A-Z0-9_]+$/);
      expect(verifyCodeName(code)).toBe(name);
      expect(verifyCodeMessage(code)).not.toBe('unknown certificate verification error');
      expect(verifyCodeMessage(code).length).toBeGreaterThan(1);
    }
    expect(Object.isFrozen(X509VerifyCode)).toBe(true);
  });

  it('words and names codes outside the table as OpenSSL 3.0 does', () => {
    for (const code of [-1, 95, 200, 4242, 1.5, Number.NaN]) {
      expect(verifyCodeMessage(code)).toBe('unknown certificate verification error');
      expect(verifyCodeName(code)).toBe(`unknown(${code})`);
      expect(alertForVerifyCode(code)).toBe(AlertDescription.certificate_unknown);
    }
  });

  it('spot-checks numbers and words against OpenSSL 3.0 (x509_vfy.h, x509_txt.c)', () => {
    expect(X509VerifyCode.X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY).toBe(20);
    expect(verifyCodeMessage(18)).toBe('self-signed certificate');
    expect(verifyCodeMessage(21)).toBe('unable to verify the first certificate');
    expect(verifyCodeMessage(24)).toBe("issuer certificate doesn't have a public key");
    expect(X509VerifyCode.X509_V_ERR_EC_KEY_EXPLICIT_PARAMS).toBe(94);
    expect(verifyCodeMessage(94)).toBe('Certificate public key has explicit ECC parameters');
  });

  it('maps codes to alerts as OpenSSL 3.0 ssl_x509err2alert does', () => {
    const expected: Record<string, string> = {
      X509_V_ERR_CERT_HAS_EXPIRED: 'certificate_expired',
      X509_V_ERR_CRL_HAS_EXPIRED: 'certificate_expired',
      X509_V_ERR_CERT_REVOKED: 'certificate_revoked',
      X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'unknown_ca',
      X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT: 'unknown_ca',
      X509_V_ERR_CERT_CHAIN_TOO_LONG: 'unknown_ca',
      X509_V_ERR_INVALID_CA: 'unknown_ca',
      X509_V_ERR_CERT_SIGNATURE_FAILURE: 'decrypt_error',
      X509_V_ERR_INVALID_PURPOSE: 'unsupported_certificate',
      X509_V_ERR_HOSTNAME_MISMATCH: 'bad_certificate',
      X509_V_ERR_CERT_NOT_YET_VALID: 'bad_certificate',
      X509_V_ERR_APPLICATION_VERIFICATION: 'handshake_failure',
      X509_V_ERR_OUT_OF_MEM: 'internal_error',
      X509_V_ERR_UNSPECIFIED: 'internal_error',
      X509_V_ERR_UNHANDLED_CRITICAL_EXTENSION: 'certificate_unknown',
      X509_V_ERR_KEYUSAGE_NO_CERTSIGN: 'certificate_unknown',
      X509_V_OK: 'certificate_unknown',
    };
    for (const [name, alert] of Object.entries(expected)) {
      expect(alertName(alertForVerifyCode(X509VerifyCode[name as X509VerifyCodeName])), name).toBe(alert);
    }
  });

  it('sends only alerts that exist and are not reserved', () => {
    const reserved = new Set<number>([21, 30, 41, 60, 111, 114]);
    for (const [, code] of entries) {
      const alert = alertForVerifyCode(code);
      expect(alertName(alert)).not.toMatch(/^unknown\(/);
      expect(reserved.has(alert)).toBe(false);
    }
  });
});

const vfyHeader = readOpenSSLHeader('x509_vfy.h');
describe('against the installed OpenSSL 3.0 header', () => {
  it('defines exactly our codes, with our numbers', () => {
    const defined = new Map<string, number>();
    for (const match of vfyHeader!.matchAll(/#\s*define\s+(X509_V_OK|X509_V_ERR_[A-Z0-9_]+)\s+(\d+)\b/g)) {
      defined.set(match[1]!, Number(match[2]));
    }
    expect(Object.fromEntries(defined)).toEqual({ ...X509VerifyCode });
  });
});

describe('against openssl verify on real broken certificates', () => {
  let pki: Pki;
  beforeAll(() => {
    pki = makePki();
  });
  afterAll(() => pki?.remove());

  const now = () => Math.floor(Date.now() / 1000);
  // each case: openssl verify arguments, and the code and depth it must report
  const cases: { what: string; args: () => string[]; name: X509VerifyCodeName; depth: number }[] = [
    { what: 'healthy chain', args: () => ['-CAfile', 'ca.pem', 'leaf.pem'], name: 'X509_V_OK', depth: 0 },
    {
      what: 'expired (checked a year from now)',
      args: () => ['-CAfile', 'ca.pem', '-attime', String(now() + 400 * 86400), 'leaf.pem'],
      name: 'X509_V_ERR_CERT_HAS_EXPIRED',
      depth: 1,
    },
    {
      what: 'not yet valid (checked a year ago)',
      args: () => ['-CAfile', 'ca.pem', '-attime', String(now() - 400 * 86400), 'leaf.pem'],
      name: 'X509_V_ERR_CERT_NOT_YET_VALID',
      depth: 1,
    },
    {
      what: 'issuer not trusted',
      args: () => ['-no-CAfile', '-no-CApath', 'leaf.pem'],
      name: 'X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
      depth: 0,
    },
    {
      what: 'self-signed leaf',
      args: () => ['-no-CAfile', '-no-CApath', 'ca.pem'],
      name: 'X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT',
      depth: 0,
    },
    {
      what: 'untrusted root in the chain',
      args: () => ['-no-CAfile', '-no-CApath', '-untrusted', 'ca.pem', 'leaf.pem'],
      name: 'X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN',
      depth: 1,
    },
    {
      what: 'hostname',
      args: () => ['-CAfile', 'ca.pem', '-verify_hostname', 'other.test', 'leaf.pem'],
      name: 'X509_V_ERR_HOSTNAME_MISMATCH',
      depth: 0,
    },
    {
      what: 'IP address',
      args: () => ['-CAfile', 'ca.pem', '-verify_ip', '10.0.0.1', 'leaf.pem'],
      name: 'X509_V_ERR_IP_ADDRESS_MISMATCH',
      depth: 0,
    },
    {
      what: 'email address',
      args: () => ['-CAfile', 'ca.pem', '-verify_email', 'b@other.test', 'leaf.pem'],
      name: 'X509_V_ERR_EMAIL_MISMATCH',
      depth: 0,
    },
    {
      what: 'purpose',
      args: () => ['-CAfile', 'ca.pem', '-purpose', 'sslserver', 'client-only.pem'],
      name: 'X509_V_ERR_INVALID_PURPOSE',
      depth: 0,
    },
    {
      what: 'signature',
      args: () => ['-CAfile', 'ca.pem', 'bad-signature.pem'],
      name: 'X509_V_ERR_CERT_SIGNATURE_FAILURE',
      depth: 0,
    },
    {
      what: 'unknown critical extension',
      args: () => ['-CAfile', 'ca.pem', 'critical.pem'],
      name: 'X509_V_ERR_UNHANDLED_CRITICAL_EXTENSION',
      depth: 0,
    },
    {
      what: 'issuer that is not a CA',
      args: () => ['-CAfile', 'ca.pem', '-untrusted', 'not-ca.pem', 'under-not-ca.pem'],
      name: 'X509_V_ERR_INVALID_CA',
      depth: 1,
    },
  ];

  it.each(cases)('$what: $name', ({ args, name, depth }) => {
    const output = opensslVerify(args(), pki.dir);
    if (name === 'X509_V_OK') {
      expect(output).toMatch(/: OK\s*$/);
      expect(verifyCodeMessage(X509VerifyCode.X509_V_OK)).toBe('ok');
      return;
    }
    // "error 10 at 1 depth lookup: certificate has expired"; the first error is the one a handshake reports
    const reported = /error (\d+) at (\d+) depth lookup: (.*)/.exec(output);
    expect(reported, output).not.toBeNull();
    const [, code, reportedDepth, message] = reported!;
    expect(Number(code)).toBe(X509VerifyCode[name]);
    expect(verifyCodeName(Number(code))).toBe(name);
    expect(verifyCodeMessage(Number(code))).toBe(message);
    expect(Number(reportedDepth)).toBe(depth);
  });
});

describe('against the alert openssl s_client sends for a failed chain', () => {
  let pki: Pki;
  beforeAll(() => {
    pki = makePki();
  });
  afterAll(() => pki?.remove());

  const now = () => Math.floor(Date.now() / 1000);
  const leaf = ['-cert', 'leaf.pem', '-key', 'leaf.key'];
  const trust = ['-CAfile', 'ca.pem'];
  const noTrust = ['-no-CAfile', '-no-CApath'];
  const cases: { what: string; server: () => string[]; client: () => string[]; name: X509VerifyCodeName }[] = [
    {
      what: 'expired',
      server: () => leaf,
      client: () => [...trust, '-attime', String(now() + 400 * 86400)],
      name: 'X509_V_ERR_CERT_HAS_EXPIRED',
    },
    {
      what: 'not yet valid',
      server: () => leaf,
      client: () => [...trust, '-attime', String(now() - 400 * 86400)],
      name: 'X509_V_ERR_CERT_NOT_YET_VALID',
    },
    {
      what: 'unknown issuer',
      server: () => leaf,
      client: () => noTrust,
      name: 'X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
    },
    {
      what: 'self-signed',
      server: () => ['-cert', 'ca.pem', '-key', 'ca.key'],
      client: () => noTrust,
      name: 'X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT',
    },
    {
      what: 'hostname',
      server: () => leaf,
      client: () => [...trust, '-verify_hostname', 'other.test'],
      name: 'X509_V_ERR_HOSTNAME_MISMATCH',
    },
    {
      what: 'signature',
      server: () => ['-cert', 'bad-signature.pem', '-key', 'leaf.key'],
      client: () => trust,
      name: 'X509_V_ERR_CERT_SIGNATURE_FAILURE',
    },
    {
      what: 'purpose',
      server: () => ['-cert', 'client-only.pem', '-key', 'leaf.key'],
      client: () => trust,
      name: 'X509_V_ERR_INVALID_PURPOSE',
    },
    {
      what: 'critical extension (no precise alert)',
      server: () => ['-cert', 'critical.pem', '-key', 'leaf.key'],
      client: () => trust,
      name: 'X509_V_ERR_UNHANDLED_CRITICAL_EXTENSION',
    },
    {
      what: 'issuer that is not a CA',
      server: () => ['-cert', 'under-not-ca.pem', '-key', 'leaf.key', '-cert_chain', 'not-ca.pem'],
      client: () => trust,
      name: 'X509_V_ERR_INVALID_CA',
    },
  ];

  it.each(cases)('$what: $name', async ({ server, client, name }) => {
    const outcome = await handshake(pki.dir, server(), client());
    expect(outcome.verifyCode).toBe(X509VerifyCode[name]);
    expect(outcome.verifyMessage).toBe(verifyCodeMessage(X509VerifyCode[name]));
    expect(outcome.alertReceived).toBe(alertForVerifyCode(X509VerifyCode[name]));
    // and the server names the received alert as reasonForReceivedAlert does: "sslv3 alert bad certificate"
    expect(outcome.alertReason).toBe(reasonForReceivedAlert(outcome.alertReceived!).toLowerCase().replace(/_/g, ' '));
  });
});

// The OpenSSL checks above are not optional: `pnpm test` installs the peers (scripts/peers.mjs). Fail loudly,
// never skip, when they are missing.
describe('test peers', () => {
  it('has OpenSSL 3.0 and its development headers', () => {
    expect(hasOpenSSL30).toBe(true);
    expect(readOpenSSLHeader('x509_vfy.h')).toBeDefined();
    expect(readOpenSSLHeader('sslerr.h')).toBeDefined();
  });
});
