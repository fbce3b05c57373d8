/**
 * The 0-RTT anti-replay register (RFC 8446 §8.2, §8.3): fresh ClientHellos are accepted once, replays and stale ones
 * are refused, entries expire after one window, and memory is bounded (a full register refuses, it never forgets).
 */
import { InvalidArgumentError } from '@tlsbio/errors';
import { describe, expect, it } from 'vitest';
import { EarlyDataAntiReplay } from '../src/anti-replay.js';

const binder = (seed: number) => Uint8Array.from({ length: 32 }, (_, i) => (seed * 31 + i) & 0xff);

describe('EarlyDataAntiReplay', () => {
  it('accepts a fresh ClientHello once and refuses its replay within the window', () => {
    const register = new EarlyDataAntiReplay({ windowMs: 10_000 });
    expect(register.check(binder(1), 1_000_000, 1_000_000)).toBe('fresh');
    expect(register.check(binder(1), 1_000_000, 1_000_500)).toBe('replayed');
    expect(register.check(binder(2), 1_000_000, 1_000_500)).toBe('fresh');
    expect(register.size).toBe(2);
    expect(register.refused).toBe(1);
  });

  it('refuses a ClientHello whose ticket age puts it outside the window, either side (RFC 8446 §8.3)', () => {
    const register = new EarlyDataAntiReplay({ windowMs: 10_000 });
    expect(register.check(binder(1), 1_000_000 - 5_001, 1_000_000)).toBe('stale');
    expect(register.check(binder(1), 1_000_000 + 5_001, 1_000_000)).toBe('stale');
    expect(register.check(binder(1), 1_000_000 - 5_000, 1_000_000)).toBe('fresh');
    expect(register.check(binder(2), Number.NaN, 1_000_000)).toBe('stale');
    // Stale ClientHellos are not recorded: they cost no memory.
    expect(register.size).toBe(1);
  });

  it('forgets a binder one window after recording it: by then its ClientHello can only be stale', () => {
    const register = new EarlyDataAntiReplay({ windowMs: 10_000 });
    expect(register.check(binder(1), 0, 0)).toBe('fresh');
    // Replayed 9.9 s later: the expected arrival is 9.9 s old, outside the ±5 s window.
    expect(register.check(binder(1), 0, 9_900)).toBe('stale');
    expect(register.size).toBe(1);
    expect(register.check(binder(2), 10_001, 10_001)).toBe('fresh');
    expect(register.size).toBe(1); // binder(1) expired
  });

  it('is bounded: when full of live entries it refuses new ClientHellos rather than forget one', () => {
    const register = new EarlyDataAntiReplay({ windowMs: 10_000, maxEntries: 3 });
    for (let i = 0; i < 3; i++) expect(register.check(binder(i), 0, i)).toBe('fresh');
    expect(register.check(binder(9), 0, 100)).toBe('full');
    expect(register.check(binder(0), 0, 100)).toBe('replayed');
    expect(register.size).toBe(3);
    // Once the first entries expire there is room again.
    expect(register.check(binder(9), 10_001, 10_001)).toBe('fresh');
  });

  it('checks its options', () => {
    for (const options of [{ windowMs: 0 }, { windowMs: 1.5 }, { maxEntries: -1 }, { maxEntries: Number.NaN }]) {
      expect(() => new EarlyDataAntiReplay(options)).toThrow(InvalidArgumentError);
    }
  });
});
