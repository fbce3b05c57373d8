// Demo sections: the self-check of each crypto provider, and each provider against the other.
import type { CryptoProvider } from '@tlsbio/core';
import { type Column, mark, renderTable } from '../format.js';
import { type CheckTable, crossCheck, selfCheck } from '../self-check.js';
import type { DemoSection, SectionResult } from './section.js';

/** The ✓/✗ table, a count, and below it the reason of each ✗. */
export function renderChecks(table: CheckTable): SectionResult {
  const columns: Column[] = [{ title: 'check' }, ...table.columns.map((title): Column => ({ title, align: 'center' }))];
  const text = [renderTable(columns, table.rows.map((row) => [row.label, ...row.outcomes.map((o) => mark(o.ok))]))];
  const failures = table.rows.flatMap((row) =>
    row.outcomes.flatMap((outcome, i) => (outcome.ok ? [] : [`  ${mark(false)} ${table.columns[i]}: ${row.label}: ${outcome.reason}`])));
  const total = table.rows.length * table.columns.length;
  text.push('', failures.length === 0 ? `  all ${total} checks passed` : `  ${failures.length} of ${total} checks FAILED:`);
  text.push(...failures);
  return { ok: failures.length === 0, text: text.join('\n') };
}

export function selfCheckSection(providers: readonly CryptoProvider[]): DemoSection {
  return {
    title: `Self-check of each crypto provider (${providers.map((provider) => provider.name).join(', ')})`,
    run: async () => renderChecks(selfCheck(providers)),
  };
}

export function crossCheckSection(a: CryptoProvider, b: CryptoProvider): DemoSection {
  return {
    title: `Cross-check: ${a.name} against ${b.name}`,
    run: async () => renderChecks(crossCheck(a, b)),
  };
}
