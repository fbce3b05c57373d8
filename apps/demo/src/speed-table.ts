// Runs speed cells for several providers and lays the figures out side by side, with the first/second ratio.
import type { CryptoProvider } from '@tlsbio/core';
import { type Column, type TableRow, formatRate, formatRatio, renderTable } from './format.js';
import { type Budget, type Cell, type Figure, SECTION_TITLES, ratioOf, runCell } from './speed.js';

export interface SpeedRow {
  readonly cell: Cell;
  /** One per provider, in the providers' order. */
  readonly figures: readonly Figure[];
}

/** Measures every cell for every provider, one cell at a time (providers interleaved, so load drift hits both). */
export function measureCells(
  cells: readonly Cell[],
  providers: readonly CryptoProvider[],
  budget: Budget,
  onCell: (cell: Cell) => void = () => {},
): SpeedRow[] {
  return cells.map((cell) => {
    onCell(cell);
    return { cell, figures: providers.map((provider) => runCell(cell, provider, budget)) };
  });
}

function formatFigure(figure: Figure | undefined): string {
  if (figure === undefined) return '';
  if ('value' in figure) return formatRate(figure.value);
  return 'unsupported' in figure ? 'n/a' : 'FAILED';
}

/** The figures as a table: operation, unit, one column per provider, and `first/second` when there are two. */
export function renderSpeedTable(rows: readonly SpeedRow[], providerNames: readonly string[]): string {
  const withRatio = providerNames.length === 2;
  const columns: Column[] = [
    { title: 'operation' },
    { title: 'unit' },
    ...providerNames.map((name): Column => ({ title: name, align: 'right' })),
    ...(withRatio ? [{ title: providerNames.join('/'), align: 'right' } as const] : []),
  ];
  const table: TableRow[] = [];
  let section: string | undefined;
  for (const { cell, figures } of rows) {
    if (cell.section !== section) {
      section = cell.section;
      table.push({ heading: SECTION_TITLES[cell.section] });
    }
    const ratio = withRatio ? ratioOf(figures[0], figures[1]) : undefined;
    table.push([
      cell.name,
      cell.unit,
      ...providerNames.map((_, i) => formatFigure(figures[i])),
      ...(withRatio ? [ratio === undefined ? '' : formatRatio(ratio)] : []),
    ]);
  }
  return renderTable(columns, table);
}

/** "node aes_128_gcm seal: Error: …" for each failed figure. */
export function speedFailures(rows: readonly SpeedRow[], providerNames: readonly string[]): string[] {
  return rows.flatMap(({ cell, figures }) =>
    figures.flatMap((figure, i) => ('error' in figure ? [`${providerNames[i]} ${cell.name}: ${figure.error}`] : [])));
}
