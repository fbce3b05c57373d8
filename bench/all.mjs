// `pnpm bench`: every benchmark, one after another, each comparing tlsbio with node:crypto or Node's native `tls`
// in the same run. `--quick` is passed to those that take it (connections.mjs then opens 200 pairs, not 1,000).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const quick = process.argv.includes('--quick');
const runs = [
  ['crypto.mjs', quick ? ['--quick'] : []],
  ['tls.mjs', quick ? ['--quick'] : []],
  ['tls.mjs', quick ? ['--quick', '--tls1_2'] : ['--tls1_2']],
  ['x509.mjs', quick ? ['--quick'] : []],
  ['connections.mjs', quick ? ['--connections', '200'] : []],
  ['ws.mjs', quick ? ['--quick'] : []],
];
let failed = 0;
for (const [script, args] of runs) {
  console.log(`\n$ node bench/${script} ${args.join(' ')}`.trimEnd());
  const path = fileURLToPath(new URL(script, import.meta.url));
  const { status } = spawnSync(process.execPath, ['--expose-gc', path, ...args], { stdio: 'inherit' });
  if (status !== 0) failed++;
}
process.exit(failed === 0 ? 0 : 1);
