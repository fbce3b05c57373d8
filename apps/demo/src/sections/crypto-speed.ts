// Demo section: a short table of the providers' speeds (about 5 seconds; `tlsbio bench-crypto` has every cell).
import type { CryptoProvider } from '@tlsbio/core';
import { BUDGETS, allCells } from '../speed.js';
import { measureCells, renderSpeedTable, speedFailures } from '../speed-table.js';
import type { DemoSection } from './section.js';

export function speedSection(providers: readonly CryptoProvider[]): DemoSection {
  const budget = BUDGETS.demo;
  return {
    title: `Speed, quick timings (${budget.measureMs} ms a cell; \`tlsbio bench-crypto\` for the full set)`,
    run: async () => {
      const names = providers.map((provider) => provider.name);
      const rows = measureCells(allCells().filter((cell) => cell.inDemo), providers, budget);
      const failures = speedFailures(rows, names);
      const text = [renderSpeedTable(rows, names), '', '  MB/s = 10^6 bytes of plaintext per second; figures move with machine load.'];
      if (failures.length > 0) text.push(`  ${failures.length} timing(s) FAILED:`, ...failures.map((line) => `  ✗ ${line}`));
      return { ok: failures.length === 0, text: text.join('\n') };
    },
  };
}
