// The one test command (`pnpm test`): install missing peers, build, typecheck, run every vitest project,
// and end with the line CI reads: `N passed, M failed`.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensurePeers } from './peers.mjs';

const root = new URL('..', import.meta.url).pathname;
const run = (command, args) => spawnSync(command, args, { cwd: root, stdio: 'inherit', env: process.env }).status;

ensurePeers();

let passed = 0;
let failed = 0;
const step = (name, status) => {
  if (status === 0) passed++;
  else {
    failed++;
    console.error(`\n${name} failed (exit ${status})`);
  }
  return status === 0;
};

if (!step('build', run('pnpm', ['exec', 'turbo', 'run', 'build', '--output-logs=errors-only']))) {
  console.log(`\n${passed} passed, ${failed} failed`);
  process.exit(1);
}
step('typecheck', run('pnpm', ['exec', 'turbo', 'run', 'typecheck', '--output-logs=errors-only']));
// The repository-level tests (packaging, browser entry, Chromium) are outside every package's typecheck.
step('typecheck root tests', run('pnpm', ['exec', 'tsc', '-p', 'test/tsconfig.json']));

const outDir = mkdtempSync(join(tmpdir(), 'tlsbio-test-'));
const report = join(outDir, 'vitest.json');
const extra = process.argv.slice(2);
const vitestStatus = run('pnpm', [
  'exec', 'vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...extra,
]);
try {
  const results = JSON.parse(readFileSync(report, 'utf8'));
  passed += results.numPassedTests;
  failed += results.numFailedTests;
  // A suite that fails to load counts no tests: count it as a failure so it cannot pass silently.
  const brokenSuites = results.testResults.filter((suite) => suite.status === 'failed' && suite.assertionResults.length === 0);
  failed += brokenSuites.length;
  if (results.numTotalTests === 0) failed++;
} catch (error) {
  console.error(`could not read vitest's report: ${error.message}`);
  failed++;
}
if (vitestStatus !== 0 && failed === 0) failed++;
rmSync(outDir, { recursive: true, force: true });

console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
