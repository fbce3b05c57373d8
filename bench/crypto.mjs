#!/usr/bin/env node
// The crypto benchmark: the node and portable providers of @tlsbio/core side by side.
//
//   node bench/crypto.mjs [--quick] [--json] [--filter <substring>]
//
// The cells live in one place, the CLI's `tlsbio bench-crypto` command (apps/demo/src/speed.ts), so the figures in
// the README, the demo's speed table and this command all come from the same code. Run `pnpm build` first (the root
// `pnpm bench` does).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../apps/demo/dist/cli.js', import.meta.url));
if (!existsSync(cli)) {
  console.error('bench/crypto.mjs: apps/demo is not built; run `pnpm build` (or `pnpm bench` from the root).');
  process.exit(2);
}
const result = spawnSync(process.execPath, [cli, 'bench-crypto', ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(result.status ?? 1);
