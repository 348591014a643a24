import { randomUUID } from 'node:crypto';
import { FixedWindowCounters } from './fixed-window-counters';

describe('FixedWindowCounters', () => {
  it('allows `limit` hits per caller per window, then answers the seconds left', () => {
    let now = 60_000;
    const counters = new FixedWindowCounters(2, 60_000, 100, () => now);
    expect([counters.hit('a'), counters.hit('a'), counters.hit('b')]).toEqual([0, 0, 0]);
    now += 15_000;
    expect(counters.hit('a')).toBe(45);
    now += 45_000;
    expect(counters.hit('a')).toBe(0);
  });

  it('tracks at most maxCallers, dropping the least recently seen', () => {
    const counters = new FixedWindowCounters(1, 60_000, 3, () => 0);
    counters.hit('a');
    counters.hit('b');
    counters.hit('c');
    expect(counters.hit('a')).toBeGreaterThan(0);
    counters.hit('d');
    expect(counters.size).toBe(3);
    // b was the least recently seen: forgotten, it starts again; a is still counted.
    expect(counters.hit('b')).toBe(0);
    expect(counters.hit('a')).toBeGreaterThan(0);
  });

  it('stays within maxCallers whatever 100,000 random callers do', () => {
    const counters = new FixedWindowCounters(10, 60_000, 1_000, () => 0);
    for (let i = 0; i < 100_000; i++) counters.hit(randomUUID());
    expect(counters.size).toBe(1_000);
  });
});
