// Plain-text tables for the terminal: aligned columns, optional section headings, no colours (output stays greppable).

export type Align = 'left' | 'right' | 'center';

export interface Column {
  readonly title: string;
  /** Default `'left'`. */
  readonly align?: Align;
}

/** A row of cells (one per column), or a heading line that groups the rows below it. */
export type TableRow = readonly string[] | { readonly heading: string };

/** Mark for a passed / failed check. */
export const PASS = '✓';
export const FAIL = '✗';

/** `PASS` or `FAIL`. */
export function mark(ok: boolean): string {
  return ok ? PASS : FAIL;
}

function pad(text: string, width: number, align: Align): string {
  const room = width - [...text].length;
  if (room <= 0) return text;
  if (align === 'right') return ' '.repeat(room) + text;
  if (align === 'center') return ' '.repeat(Math.floor(room / 2)) + text + ' '.repeat(Math.ceil(room / 2));
  return text + ' '.repeat(room);
}

/**
 * Renders `rows` under `columns`, each column as wide as its widest cell, two spaces between columns, every line
 * prefixed with `indent`. Rows under a heading are indented by two more spaces in the first column. Trailing spaces
 * are trimmed.
 */
export function renderTable(columns: readonly Column[], rows: readonly TableRow[], indent = '  '): string {
  const hasHeadings = rows.some((row) => 'heading' in row);
  const cellsOf = (row: readonly string[]): string[] =>
    columns.map((_, i) => (i === 0 && hasHeadings ? '  ' : '') + (row[i] ?? ''));
  const dataRows = rows.filter((row): row is readonly string[] => !('heading' in row)).map(cellsOf);
  const widths = columns.map((column, i) =>
    Math.max([...column.title].length, ...dataRows.map((cells) => [...(cells[i] ?? '')].length)));
  const line = (cells: readonly string[]): string =>
    (indent + cells.map((cell, i) => pad(cell, widths[i] ?? 0, columns[i]?.align ?? 'left')).join('  ')).trimEnd();
  const lines = [line(columns.map((column) => column.title))];
  lines.push(indent + '-'.repeat(widths.reduce((sum, width) => sum + width, 0) + 2 * (columns.length - 1)));
  for (const row of rows) lines.push('heading' in row ? (indent + row.heading).trimEnd() : line(cellsOf(row)));
  return lines.join('\n');
}

/** A rate with sensible precision: `2,121` / `63.2` / `4.31`. */
export function formatRate(value: number): string {
  const digits = value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** A speed ratio such as `33×` or `1.4×`. */
export function formatRatio(ratio: number): string {
  return `${ratio >= 10 ? ratio.toFixed(0) : ratio.toFixed(1)}×`;
}
