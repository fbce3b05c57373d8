import { describe, expect, it } from 'vitest';
import { formatRate, formatRatio, renderTable } from '../src/format.js';

describe('renderTable', () => {
  it('aligns columns to their widest cell and indents rows under headings', () => {
    const text = renderTable(
      [{ title: 'check' }, { title: 'node', align: 'center' }, { title: 'n', align: 'right' }],
      [{ heading: 'Group' }, ['a', '✓', '1'], ['longer label', '✗', '100']],
    );
    expect(text.split('\n')).toEqual([
      '  check           node    n',
      '  -------------------------',
      '  Group',
      '    a              ✓      1',
      '    longer label   ✗    100',
    ]);
  });
});

describe('number formatting', () => {
  it('keeps three significant figures or whole numbers with separators', () => {
    expect(formatRate(2121.4)).toBe('2,121');
    expect(formatRate(63.24)).toBe('63.2');
    expect(formatRate(4.314)).toBe('4.31');
    expect(formatRatio(33.64)).toBe('34×');
    expect(formatRatio(1.44)).toBe('1.4×');
  });
});
