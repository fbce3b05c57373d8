/**
 * ERRORS.md is the reference users read; the tables in the source are what runs. These tests keep them equal:
 * a reason, code or alert changed in one place and not the other fails here.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as errors from '../src/index.js';
import { hasOpenSSL30, readOpenSSLHeader } from './support/openssl.js';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const doc = readFileSync(join(packageDir, 'ERRORS.md'), 'utf8');
const readme = readFileSync(join(packageDir, 'README.md'), 'utf8');

/** The body of a `## heading` section. */
function section(heading: string): string {
  const start = doc.indexOf(`\n## ${heading}\n`);
  expect(start, heading).toBeGreaterThan(-1);
  const end = doc.indexOf('\n## ', start + 1);
  return doc.slice(start, end === -1 ? undefined : end);
}

/** The cells of every table row in a piece of markdown (header and separator rows excluded). */
function rows(markdown: string): string[][] {
  return markdown
    .split('\n')
    .filter((line) => line.startsWith('| ') && !line.startsWith('|---'))
    .map((line) =>
      line
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((cell) => cell.trim()),
    )
    .filter((cells) => !/^(class|reason|alert|code)$/.test(cells[0]!));
}

const unquote = (cell: string) => /^`([^`]+)`/.exec(cell)?.[1];
const alertCell = (value: number) => `\`${errors.alertName(value)}\` (${value})`;

describe('ERRORS.md', () => {
  it('lists every reason of REASON_ALERTS once, with the alert alertForReason gives', () => {
    const listed = rows(section('Reasons and the alert we send'));
    const received = new Set(Object.keys(errors.RECEIVED_ALERT_REASONS));
    const expected = Object.keys(errors.REASON_ALERTS).filter((reason) => !received.has(reason));
    expect(listed.map((cells) => unquote(cells[0]!))).toEqual(expected);
    for (const [reason, alert, , when] of listed) {
      const name = unquote(reason!)!;
      expect(alert, name).toBe(alertCell(errors.alertForReason(name)));
      expect(when!.length, `${name} has no description`).toBeGreaterThan(10);
    }
  });

  it('lists the reason of every alert we can receive, with that alert', () => {
    const listed = rows(section('Reasons for alerts we receive'));
    const known = listed.filter((cells) => /^\d+$/.test(cells[1]!));
    expect(known.map((cells) => Number(cells[1]))).toEqual([0, ...Object.values(errors.RECEIVED_ALERT_REASONS)]);
    for (const [alert, value, reason] of known) {
      expect(unquote(alert!)).toBe(errors.alertName(Number(value)));
      expect(unquote(reason!)).toBe(errors.reasonForReceivedAlert(Number(value)));
    }
    expect(section('Reasons for alerts we receive')).toContain('`SSL_ALERT_NUMBER_N`');
  });

  it('lists every error class with its code and reason', () => {
    const listed = rows(section('Error classes'));
    const classes = listed.map((cells) => unquote(cells[0]!));
    const exported = Object.entries(errors)
      .filter(
        ([, value]) =>
          typeof value === 'function' && (value === errors.TLSError || value.prototype instanceof errors.TLSError),
      )
      .map(([name]) => name);
    expect([...classes].sort()).toEqual([...exported].sort());
    for (const [cls, code] of listed) {
      const name = unquote(cls!)! as keyof typeof errors;
      const staticCode = (errors[name] as unknown as { code: string | undefined }).code;
      if (staticCode === undefined) continue; // TLSError: the code is the subclass's
      expect(unquote(code!), name).toBe(staticCode);
      expect(readme, `README mentions ${staticCode}`).toContain(staticCode);
    }
  });

  it('lists every verify code with its name, OpenSSL message and alert', () => {
    const listed = rows(section('X.509 verify codes'));
    expect(listed.map((cells) => Number(cells[0]))).toEqual(Object.values(errors.X509VerifyCode));
    for (const [code, name, message, alert] of listed) {
      expect(unquote(name!)).toBe(errors.verifyCodeName(Number(code)));
      expect(message).toBe(errors.verifyCodeMessage(Number(code)));
      expect(alert).toBe(alertCell(errors.alertForVerifyCode(Number(code))));
    }
  });
});

const sslHeader = readOpenSSLHeader('sslerr.h');
describe('ERRORS.md against OpenSSL 3.0 sslerr.h', () => {
  it('says truly which reasons are OpenSSL names', () => {
    const sent = rows(section('Reasons and the alert we send')).map((cells) => [unquote(cells[0]!), cells[2]]);
    const received = rows(section('Reasons for alerts we receive'))
      .filter((cells) => /^\d+$/.test(cells[1]!))
      .map((cells) => [unquote(cells[2]!), cells[3]]);
    const claims = [...sent, ...received];
    // ZERO_RETURN is in both tables
    expect(claims.length).toBe(Object.keys(errors.REASON_ALERTS).length + 1);
    for (const [reason, claim] of claims) {
      const defined = new RegExp(`#\\s*define SSL_R_${reason} \\d+\\b`).test(sslHeader!);
      expect(defined ? 'yes' : 'no', reason).toBe(claim);
    }
  });
});
