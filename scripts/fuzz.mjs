#!/usr/bin/env node
// The long fuzzing run: the same seeded mutation fuzzers `pnpm test` runs briefly, for as long as asked.
//
//   pnpm fuzz                               every fuzzer, 5,000 iterations per TLS scenario, a fresh seed (printed)
//   pnpm fuzz --iterations 20000 --seed 7   longer, and reproducible
//   pnpm fuzz --provider node               the TLS fuzzers with one crypto provider (the portable one is ~10x
//                                           slower); the x509 and key fuzzers, which have no provider, then sit out
//   pnpm fuzz --only tls13                  tls13, tls12, x509 or keys (repeatable)
//
// What each fuzzer checks is at the top of its file in packages/core/test/ (*-fuzz.test.ts). A failure prints the
// seed and the iteration that replays it alone (engine fuzzer: FUZZ_SEED=… FUZZ_ONLY=…). Exit code: vitest's.
import { spawnSync } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { fileURLToPath } from 'node:url';

const FUZZERS = {
  tls13: 'test/engine-fuzz.test.ts',
  tls12: 'test/engine-tls12-fuzz.test.ts',
  x509: 'test/x509-fuzz.test.ts',
  keys: 'test/keys-fuzz.test.ts',
};
const USAGE = 'usage: pnpm fuzz [--iterations N] [--seed S] [--provider node|portable] [--only tls13|tls12|x509|keys]...';

function parse(argv) {
  const options = { iterations: 5000, seed: randomInt(2 ** 31), provider: undefined, only: [] };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (flag === '--help' || flag === '-h') {
      console.log(USAGE);
      process.exit(0);
    }
    if (value === undefined) fail(`${flag} needs a value`);
    i++;
    if (flag === '--iterations' || flag === '--seed') {
      const n = Number(value);
      if (!(Number.isSafeInteger(n) && n >= (flag === '--seed' ? 0 : 1))) fail(`${flag} must be a whole number, got ${value}`);
      options[flag.slice(2)] = n;
    } else if (flag === '--provider' && (value === 'node' || value === 'portable')) {
      options.provider = value;
    } else if (flag === '--only' && value in FUZZERS) {
      options.only.push(value);
    } else {
      fail(`unknown option or value: ${flag} ${value}`);
    }
  }
  return options;
}

function fail(message) {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

const options = parse(process.argv.slice(2));
const files = (options.only.length > 0 ? options.only : Object.keys(FUZZERS)).map((name) => FUZZERS[name]);
// The certificate and key fuzzers count rounds per fixture input, not iterations per scenario: a tenth as many keeps
// them to minutes beside the engine fuzzers.
const rounds = String(Math.max(1, Math.round(options.iterations / 10)));
const env = {
  ...process.env,
  FUZZ_ITERATIONS: String(options.iterations),
  FUZZ_SEED: String(options.seed),
  X509_FUZZ_ROUNDS: rounds,
  KEY_FUZZ_ROUNDS: rounds,
};
const replay = [`--seed ${options.seed}`, `--iterations ${options.iterations}`];
if (options.provider !== undefined) replay.push(`--provider ${options.provider}`);
for (const name of options.only) replay.push(`--only ${name}`);
console.log(`fuzzing with seed ${options.seed}, ${options.iterations} iterations (the same run again: pnpm fuzz ${replay.join(' ')})`);
const args = ['exec', 'vitest', 'run', ...files, '--testTimeout=0'];
// The suites are named "…, node provider" / "…, portable provider".
if (options.provider !== undefined) args.push('-t', `${options.provider} provider`);
const core = fileURLToPath(new URL('../packages/core/', import.meta.url));
const result = spawnSync('pnpm', args, { cwd: core, env, stdio: 'inherit' });
process.exit(result.status ?? 1);
