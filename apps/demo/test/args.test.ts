import { describe, expect, it } from 'vitest';
import { type FlagSpec, UsageError, parseArgs } from '../src/args.js';

const specs: FlagSpec[] = [
  { name: 'quick', description: '' },
  { name: 'filter', value: true, description: '' },
  { name: 'help', short: 'h', description: '' },
  { name: 'reconnect', optionalCount: true, description: '' },
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

  it('reads a flag with an optional count alone, with a count after a space or after =', () => {
    expect(parseArgs(['--reconnect'], specs).flags.get('reconnect')).toBe(true);
    expect(parseArgs(['--reconnect', '--quick'], specs).flags.get('reconnect')).toBe(true);
    expect(parseArgs(['--reconnect', '3', 'one'], specs)).toMatchObject({ flags: new Map([['reconnect', '3']]), positionals: ['one'] });
    expect(parseArgs(['--reconnect=12'], specs).flags.get('reconnect')).toBe('12');
    // Only a count is taken from the next argument: anything else stays a positional.
    expect(parseArgs(['--reconnect', 'x'], specs)).toMatchObject({ flags: new Map([['reconnect', true]]), positionals: ['x'] });
  });

  it.each([
    [['--reconnect=two'], "option '--reconnect' takes a count, got 'two'"],
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
