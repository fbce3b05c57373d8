// `tlsbio verify` against `openssl verify` on core's path-validation corpus: the built CLI and OpenSSL get the same
// files and options, and must print the same lines (OK, or the subject and `error N at D depth lookup: MESSAGE`).
// Cases where the corpus documents a deliberate difference are compared with tlsbio's own verdict instead.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const corpusDir = fileURLToPath(new URL('../../../packages/core/test/fixtures/corpus', import.meta.url));

interface Case {
  readonly name: string;
  readonly leaf: string;
  readonly untrusted: readonly string[];
  readonly trusted: readonly string[];
  readonly purpose?: string;
  readonly hostname?: string;
  readonly ip?: string;
  readonly expect: 'ok' | readonly [number, number];
  readonly openssl?: unknown;
}
const corpus = JSON.parse(readFileSync(join(corpusDir, 'cases.json'), 'utf8')) as { attime: number; cases: Case[] };
const scratch = mkdtempSync(join(tmpdir(), 'tlsbio-verify-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

beforeAll(() => {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run 'pnpm build' first`);
});

function files(test: Case, index: number) {
  const bundle = (kind: string, names: readonly string[]): string => {
    const file = join(scratch, `${index}-${kind}.pem`);
    writeFileSync(file, names.map((name) => readFileSync(join(corpusDir, `${name}.pem`), 'utf8')).join(''));
    return file;
  };
  const options: string[] = ['CAfile', bundle('trusted', test.trusted)];
  if (test.untrusted.length > 0) options.push('untrusted', bundle('untrusted', test.untrusted));
  if (test.purpose !== undefined) options.push('purpose', test.purpose);
  if (test.hostname !== undefined) options.push('verify_hostname', test.hostname);
  if (test.ip !== undefined) options.push('verify_ip', test.ip);
  options.push('attime', String(corpus.attime));
  return { options, leaf: join(corpusDir, `${test.leaf}.pem`) };
}

function run(command: string, args: string[]) {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 60_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('tlsbio verify', () => {
  it.each(corpus.cases.map((test, index) => [test.name, test, index] as const))('%s', (_title, test, index) => {
    const { options, leaf } = files(test, index);
    const ours = run(process.execPath, [cli, 'verify', ...pairs(options, '--'), leaf]);
    if (test.openssl === undefined) {
      const theirs = run('openssl', ['verify', '-auth_level', '2', '-partial_chain', ...pairs(options, '-'), leaf]);
      expect(ours.stdout).toBe(theirs.stdout);
      // openssl verify goes on after some errors (its callback accepts expiry, invalid CA…) and prints each; the
      // first one is the verdict both print.
      expect(errorLines(ours.stderr)).toEqual(errorLines(theirs.stderr).slice(0, 2));
      expect(ours.code === 0).toBe(theirs.code === 0);
    }
    if (test.expect === 'ok') {
      expect([ours.code, ours.stdout]).toEqual([0, `${leaf}: OK\n`]);
    } else {
      expect(ours.code).toBe(1);
      expect(ours.stderr).toContain(`error ${test.expect[0]} at ${test.expect[1]} depth lookup: `);
      expect(ours.stderr).toContain(`error ${leaf}: verification failed\n`);
    }
  });

  it('prints the verified chain with --show_chain, and refuses bad usage with exit code 2', () => {
    const { options, leaf } = files(corpus.cases[0] as Case, 999);
    const shown = run(process.execPath, [cli, 'verify', ...pairs(options, '--'), '--show_chain', leaf]);
    expect(shown.stdout).toMatch(/Chain:\ndepth=0: O = tlsbio, CN = www\.example\.com \(untrusted\)\ndepth=1: .*Intermediate \(untrusted\)\ndepth=2: O = tlsbio, CN = Corpus Root\n/);
    expect(run(process.execPath, [cli, 'verify']).code).toBe(2);
    expect(run(process.execPath, [cli, 'verify', '--purpose', 'smime', leaf]).code).toBe(2);
    const missing = run(process.execPath, [cli, 'verify', join(scratch, 'missing.pem')]);
    expect([missing.code, missing.stderr]).toEqual([1, expect.stringContaining('cannot read: ENOENT')]);
  });
});

// ['CAfile', 'x'] -> ['--CAfile', 'x'] or ['-CAfile', 'x']
function pairs(options: readonly string[], dash: string): string[] {
  return options.map((item, i) => (i % 2 === 0 ? `${dash}${item}` : item));
}

// The subject line and the `error N at D depth lookup` line of each failure.
function errorLines(stderr: string): string[] {
  return stderr.split('\n').filter((line) => / depth lookup: /.test(line) || /^[A-Za-z]+ = /.test(line));
}
