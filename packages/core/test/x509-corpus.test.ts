// The path-validation corpus (test/fixtures/corpus, made by its generate.sh with the openssl CLI): every case runs
// through verifyCertificateChain with both providers and through `openssl verify` on the same files, options and
// time. Each case states tlsbio's verdict; where OpenSSL's differs the case says so and why (all but one difference
// are tlsbio being stricter), and the suite fails on any difference that is not written down (or one that has gone
// away).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CertVerificationError } from '@tlsbio/errors';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCertificatesPem, verifyCertificateChain, type Certificate, type VerifyPurpose } from '../src/x509/index.js';
import { providers } from './helpers/providers.js';

const here = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'corpus');

type Verdict = 'ok' | readonly [code: number, depth: number];

interface Case {
  readonly name: string;
  readonly leaf: string;
  readonly untrusted: readonly string[];
  readonly trusted: readonly string[];
  readonly purpose?: 'sslserver' | 'sslclient';
  readonly hostname?: string;
  readonly ip?: string;
  readonly expect: Verdict;
  /** OpenSSL's verdict, when it differs from ours. */
  readonly openssl?: Verdict;
  readonly why?: string;
}

const corpus = JSON.parse(readFileSync(join(here, 'cases.json'), 'utf8')) as { attime: number; cases: Case[] };
const pem = (name: string): string => readFileSync(join(here, `${name}.pem`), 'utf8');
const certs = (names: readonly string[]): Certificate[] => names.flatMap((name) => parseCertificatesPem(pem(name)));
const PURPOSES: Record<string, VerifyPurpose> = { sslserver: 'serverAuth', sslclient: 'clientAuth' };

function ours(test: Case, provider: ReturnType<(typeof providers)[number][1]>): Verdict {
  const host = test.hostname ?? test.ip;
  try {
    verifyCertificateChain([...certs([test.leaf]), ...certs(test.untrusted)], {
      provider,
      trustAnchors: certs(test.trusted),
      purpose: test.purpose === undefined ? 'any' : (PURPOSES[test.purpose] as VerifyPurpose),
      now: new Date(corpus.attime * 1000),
      ...(host === undefined ? {} : { hostname: host }),
    });
    return 'ok';
  } catch (error) {
    if (!CertVerificationError.isInstance(error)) throw error;
    return [error.verifyCode, error.depth];
  }
}

const scratch = mkdtempSync(join(tmpdir(), 'tlsbio-corpus-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/**
 * `openssl verify` as tlsbio verifies: security level 2 (RSA ≥ 2048 bits, no SHA-1), partial chains (any trusted
 * certificate ends a path), the same time.
 */
function openssl(test: Case, index: number): Verdict {
  const write = (kind: string, names: readonly string[]): string => {
    const file = join(scratch, `${index}-${kind}.pem`);
    writeFileSync(file, names.map(pem).join(''));
    return file;
  };
  const args = ['verify', '-auth_level', '2', '-partial_chain', '-attime', String(corpus.attime)];
  args.push('-CAfile', write('trusted', test.trusted));
  if (test.untrusted.length > 0) args.push('-untrusted', write('untrusted', test.untrusted));
  if (test.purpose !== undefined) args.push('-purpose', test.purpose);
  if (test.hostname !== undefined) args.push('-verify_hostname', test.hostname);
  if (test.ip !== undefined) args.push('-verify_ip', test.ip);
  args.push(write('leaf', [test.leaf]));
  try {
    execFileSync('openssl', args, { stdio: 'pipe' });
    return 'ok';
  } catch (error) {
    const output = String((error as { stdout?: Buffer }).stdout ?? '') + String((error as { stderr?: Buffer }).stderr ?? '');
    const match = /error (\d+) at (\d+) depth lookup/.exec(output);
    if (match === null) throw new Error(`openssl verify failed without a verify error: ${output}`);
    return [Number(match[1]), Number(match[2])];
  }
}

describe('the corpus', () => {
  it('has a passing and a failing case for each rule, and every file it names', () => {
    expect(corpus.cases.length).toBeGreaterThanOrEqual(50);
    expect(corpus.cases.some((test) => test.expect === 'ok')).toBe(true);
    for (const test of corpus.cases) {
      for (const name of [test.leaf, ...test.untrusted, ...test.trusted]) expect(() => pem(name), name).not.toThrow();
      if (test.openssl !== undefined) expect(test.why, `${test.name} explains its difference`).toMatch(/^deliberate/);
    }
  });
});

describe.each(providers)('tlsbio on the corpus (%s provider)', (_name, createProvider) => {
  const provider = createProvider();
  it.each(corpus.cases.map((test) => [test.name, test] as const))('%s', (_title, test) => {
    expect(ours(test, provider)).toEqual(test.expect);
  });
});

describe('openssl verify on the same files', () => {
  it.each(corpus.cases.map((test, index) => [test.name, test, index] as const))('%s', (_title, test, index) => {
    expect(openssl(test, index)).toEqual(test.openssl ?? test.expect);
  });
});
