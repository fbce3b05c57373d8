// `tlsbio bench-crypto`: every speed cell for both providers, side by side. The repository's `pnpm bench`
// (bench/crypto.mjs) runs this command.
import { cpus } from 'node:os';
import { UsageError } from '../args.js';
import { builtInProviders } from '../providers.js';
import { BUDGETS, RECORD_SIZE, allCells, matchesFilter, ratioOf } from '../speed.js';
import { measureCells, renderSpeedTable, speedFailures } from '../speed-table.js';
import { VERSION } from '../version.js';
import type { Command } from './command.js';

export const benchCryptoCommand: Command = {
  name: 'bench-crypto',
  summary: 'time AEAD, key exchange, signatures and hashing of both crypto providers (~1 min, --quick ~15 s)',
  usage: 'tlsbio bench-crypto [--quick] [--json] [--filter <text>]',
  flags: [
    { name: 'quick', description: 'short measuring windows (~15 s in all)' },
    { name: 'json', description: 'print machine-readable results (JSON) instead of the table' },
    { name: 'filter', value: true, description: 'only rows whose section or name contains <text> (case-insensitive)' },
  ],
  async run(args, output) {
    if (args.positionals.length > 0) throw new UsageError(`'bench-crypto' takes no arguments (got '${args.positionals[0]}')`);
    const json = args.flags.has('json');
    const filter = args.flags.get('filter');
    const cells = allCells().filter((cell) => typeof filter !== 'string' || matchesFilter(cell, filter));
    if (cells.length === 0) throw new UsageError(`no benchmark matches --filter '${String(filter)}'`);
    const modeName = args.flags.has('quick') ? 'quick' : 'full';
    const budget = BUDGETS[modeName];
    const providers = builtInProviders();
    const names = providers.map((provider) => provider.name);
    const cpuList = cpus();
    const machine = `Node ${process.version} · ${process.platform} ${process.arch} · ${cpuList.length} × ${cpuList[0]?.model.trim() ?? 'unknown CPU'}`;
    const progress = process.stderr.isTTY ? (text: string) => process.stderr.write(`\r\x1b[K${text}`) : () => {};

    if (!json) output.out(`tlsbio ${VERSION} crypto benchmark · ${machine} · ${modeName}: ${budget.warmupMs} ms warm-up + ${budget.measureMs} ms a cell\n\n`);
    const rows = measureCells(cells, providers, budget, (cell) => progress(`${cell.name}…`));
    progress('');
    if (json) {
      const results = rows.map(({ cell, figures }) => ({
        section: cell.section, name: cell.name, unit: cell.unit,
        ...Object.fromEntries(names.map((name, i) => [name, figures[i]])),
        ratio: ratioOf(figures[0], figures[1]),
      }));
      const report = {
        tool: 'tlsbio bench-crypto', version: VERSION, date: new Date().toISOString(), node: process.version,
        platform: process.platform, arch: process.arch, cpus: cpuList.length, cpuModel: cpuList[0]?.model.trim(),
        mode: modeName, ...budget, recordSize: RECORD_SIZE, megabyte: 1e6, providers: names, results,
      };
      output.out(`${JSON.stringify(report, null, 2)}\n`);
    } else {
      output.out(`${renderSpeedTable(rows, names)}\n\n  MB/s = 10^6 bytes of plaintext per second. n/a: the provider lacks the algorithm.\n`);
    }
    const failures = speedFailures(rows, names);
    if (failures.length === 0) return 0;
    output.err(`\n${failures.length} cell(s) FAILED:\n${failures.map((line) => `  ${line}`).join('\n')}\n`);
    return 1;
  },
};
