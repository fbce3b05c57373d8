import { describe, expect, it } from 'vitest';
import { type FlagSpec, UsageError, parseArgs } from '../src/args.js';

const specs: FlagSpec[] = [
  { name: 'quick', description: '' },
  { name: 'filter', value: true, description: '' },
  { name: 'help', short: 'h', description: '' },
];

describe('parseArgs', () => {
  it('reads boolean flags, valued flags in both spellings, short aliases and positionals', () => {
    const parsed = parseArgs(['--quick', 'one', '--filter', 'gcm', '-h', 'two'], specs);
    expect(Object.fromEntries(parsed.flags)).toEqual({ quick: true, filter: 'gcm', help: true });
    expect(parsed.positionals).toEqual(['one', 'two']);
    expect(parseArgs(['--filter=a=b'], specs).flags.get('filter')).toBe('a=b');
  });

  it('stops at --', () => {
    expect(parseArgs(['--', '--quick'], specs)).toMatchObject({ positionals: ['--quick'] });
    expect(parseArgs(['--', '--quick'], specs).flags.size).toBe(0);
  });

  it.each([
    [['--slow'], "unknown option '--slow'"],
    [['-q'], "unknown option '-q'"],
    [['--filter'], "option '--filter' needs a value"],
    [['--filter='], "option '--filter' needs a value"],
    [['--quick=yes'], "option '--quick' takes no value"],
  ])('rejects %j', (argv, message) => {
    expect(() => parseArgs(argv, specs)).toThrow(UsageError);
    expect(() => parseArgs(argv, specs)).toThrow(message);
  });
});
