// Runs the built CLI as a user would (`node dist/cli.js …`), so this checks the bundle, its shebang banner and the
// exit codes, not just the sources. Build first: `pnpm build` (the repository's test command does).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

function run(...args: string[]) {
  const result = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(() => {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run 'pnpm build' first`);
});

describe('tlsbio demo', () => {
  let demo: ReturnType<typeof run>;
  beforeAll(() => {
    // 1 MB a transport row keeps this quick; test/demo-transports.test.ts checks the rows themselves.
    demo = run('demo', '--bytes', '1000000');
  }, 60_000);

  it('exits 0 and says it passed', () => {
    expect(demo.stderr).toBe('');
    expect(demo.code).toBe(0);
    expect(demo.stdout).toMatch(/Demo passed: (\d+) of \1 sections/);
  });

  it('names both providers', () => {
    expect(demo.stdout).toMatch(/Self-check of each crypto provider \(node, portable\)/);
    expect(demo.stdout).toContain('node → portable');
    expect(demo.stdout).toContain('portable → node');
  });

  it('shows ✓ for both columns of every check row, and no ✗', () => {
    expect(demo.stdout).not.toContain('✗');
    // The two crypto check sections run from the self-check's title to the speed section's title.
    const start = demo.stdout.indexOf('Self-check of each crypto provider');
    const end = demo.stdout.indexOf('\nSpeed, quick timings');
    expect(start).toBeGreaterThanOrEqual(0);
    expect(end).toBeGreaterThan(start);
    const checkRows = demo.stdout.slice(start, end).split('\n').filter((line) => /[✓✗]/.test(line));
    // Self-check: 2 hashes + 2 HMACs + 3 AEADs + 4 groups + 5 keys + 12 schemes; cross-check: 2 + 3 + 4 + 12.
    expect(checkRows).toHaveLength(28 + 21);
    for (const line of checkRows) expect(line.match(/✓/g), line).toHaveLength(2);
  });

  it('checks every algorithm of the contract', () => {
    const names = [
      'aes_128_gcm', 'aes_256_gcm', 'chacha20_poly1305', 'x25519', 'secp256r1', 'secp384r1', 'X25519MLKEM768',
      'ecdsa_secp256r1_sha256', 'ecdsa_secp384r1_sha384', 'ed25519', 'rsa_pss_rsae_sha256', 'rsa_pss_rsae_sha384',
      'rsa_pss_rsae_sha512', 'rsa_pss_pss_sha256', 'rsa_pss_pss_sha384', 'rsa_pss_pss_sha512', 'rsa_pkcs1_sha256',
      'rsa_pkcs1_sha384', 'rsa_pkcs1_sha512',
    ];
    const lines = demo.stdout.split('\n');
    for (const name of names) {
      const rows = lines.filter((line) => new RegExp(`\\b${name}\\b.*✓.*✓`).test(line));
      expect(rows.length, name).toBeGreaterThanOrEqual(2); // once in the self-check, once in the cross-check
    }
  });

  it('prints a speed table with a positive figure for each provider', () => {
    const speedRow = demo.stdout.split('\n').find((line) => /^\s+aes_128_gcm seal\s+MB\/s/.test(line));
    expect(speedRow).toBeDefined();
    const [node, portable] = (speedRow ?? '').trim().split(/\s{2,}/).slice(2);
    expect(Number.parseFloat((node ?? '').replaceAll(',', ''))).toBeGreaterThan(0);
    expect(Number.parseFloat((portable ?? '').replaceAll(',', ''))).toBeGreaterThan(0);
  });
});

describe('tlsbio command line', () => {
  it('--help lists the commands and exits 0', () => {
    const { code, stdout } = run('--help');
    expect(code).toBe(0);
    expect(stdout).toContain('Usage: tlsbio <command>');
    expect(stdout).toMatch(/^\s+demo\s/m);
    expect(stdout).toMatch(/^\s+bench-crypto\s/m);
  });

  it('--version prints the package version', () => {
    const { code, stdout } = run('--version');
    const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(code).toBe(0);
    expect(stdout.trim()).toBe(version);
  });

  it('an unknown command exits 2 with a message', () => {
    const { code, stdout, stderr } = run('frobnicate');
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain("unknown command 'frobnicate'");
    expect(stderr).toContain('tlsbio --help');
  });

  it('an unknown flag exits 2 with a message', () => {
    expect(run('--frobnicate')).toMatchObject({ code: 2, stderr: expect.stringContaining("unknown option '--frobnicate'") });
    expect(run('demo', '--fast')).toMatchObject({ code: 2, stderr: expect.stringContaining("unknown option '--fast'") });
    expect(run('bench-crypto', '--filter')).toMatchObject({ code: 2, stderr: expect.stringContaining('needs a value') });
  });

  it('no command is a usage error', () => {
    expect(run()).toMatchObject({ code: 2, stderr: expect.stringContaining('no command given') });
  });

  it('bench-crypto --json --quick --filter gives figures for both providers', () => {
    const { code, stdout } = run('bench-crypto', '--quick', '--json', '--filter', 'chacha20');
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as { providers: string[]; results: { name: string; node: { value: number }; portable: { value: number } }[] };
    expect(report.providers).toEqual(['node', 'portable']);
    expect(report.results.map((result) => result.name)).toEqual(['chacha20_poly1305 seal', 'chacha20_poly1305 open']);
    for (const result of report.results) {
      expect(result.node.value).toBeGreaterThan(0);
      expect(result.portable.value).toBeGreaterThan(0);
    }
  }, 30_000);
});
