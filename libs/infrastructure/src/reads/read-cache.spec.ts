import { Membership } from '@app/domain';
import { CONFIRMATION_LIFETIME_MS, MEMBERSHIPS_PER_USER, ReadCache } from './read-cache';

const at = (iso: string) => new Date(`2030-01-01T${iso}Z`);
const member = (slug: string, expiresAt: Date | null = null): Membership => ({
  slug,
  source: 'manual',
  addedAt: at('00:00:00'),
  expiresAt,
});

function filled(cache: ReadCache, userId: number, memberships: Membership[], now: Date): void {
  cache.keep(cache.startFill(userId), memberships, now);
}

describe('ReadCache', () => {
  it('answers a later now, up to (not including) the earliest expiry it holds, and never an earlier now', () => {
    const cache = new ReadCache(10, true);
    const memberships = [member('A', at('00:10:00')), member('B', at('00:05:00')), member('C')];
    filled(cache, 1, memberships, at('00:01:00'));
    expect(cache.get(1, at('00:00:59'))).toBeUndefined();
    expect(cache.get(1, at('00:01:00'))).toBe(memberships);
    expect(cache.get(1, new Date(at('00:05:00').getTime() - 1))).toBe(memberships);
    expect(cache.get(1, at('00:05:00'))).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('keeps no read that was under way while its user, or everyone, was invalidated', () => {
    const cache = new ReadCache(10, true);
    const before = cache.startFill(1);
    cache.invalidate([1]);
    cache.keep(before, [member('OLD')], at('00:00:00'));
    expect(cache.get(1, at('00:00:00'))).toBeUndefined();

    const beforeAll = cache.startFill(2);
    cache.invalidateAll();
    const after = cache.startFill(3);
    cache.keep(beforeAll, [member('OLD')], at('00:00:00'));
    cache.keep(after, [member('NEW')], at('00:00:00'));
    expect(cache.get(2, at('00:00:00'))).toBeUndefined();
    expect(cache.get(3, at('00:00:00'))).toEqual([member('NEW')]);
  });

  it('of two reads of one user under way, keeps only the later', () => {
    const cache = new ReadCache(10, true);
    const first = cache.startFill(1);
    const second = cache.startFill(1);
    cache.keep(second, [member('SECOND')], at('00:00:00'));
    cache.keep(first, [member('FIRST')], at('00:00:00'));
    expect(cache.get(1, at('00:00:00'))).toEqual([member('SECOND')]);
  });

  it('holds at most maxUsers, dropping the least recently used', () => {
    const cache = new ReadCache(2, true);
    filled(cache, 1, [], at('00:00:00'));
    filled(cache, 2, [], at('00:00:00'));
    cache.get(1, at('00:00:00'));
    filled(cache, 3, [], at('00:00:00'));
    expect([1, 2, 3].map((user) => cache.get(user, at('00:00:00')) !== undefined)).toEqual([true, false, true]);
  });

  it('holds at most MEMBERSHIPS_PER_USER x maxUsers memberships in all', () => {
    const cache = new ReadCache(2, true);
    const many = (n: number) => Array.from({ length: n }, (_, i) => member(`S${i}`));
    filled(cache, 1, many(MEMBERSHIPS_PER_USER), at('00:00:00'));
    filled(cache, 2, many(MEMBERSHIPS_PER_USER + 1), at('00:00:00'));
    expect([1, 2].map((user) => cache.get(user, at('00:00:00'))?.length)).toEqual([
      undefined,
      MEMBERSHIPS_PER_USER + 1,
    ]);
    cache.invalidate([2]);
    filled(cache, 3, many(1), at('00:00:00'));
    filled(cache, 4, many(1), at('00:00:00'));
    expect(cache.size).toBe(2);
  });

  it('beside other instances, answers only while a confirmation is fresh, and empties when it lapses or is lost', () => {
    const cache = new ReadCache(10, false);
    filled(cache, 1, [], at('00:00:00'));
    expect(cache.get(1, at('00:00:00'))).toBeUndefined();
    cache.confirm(performance.now());
    filled(cache, 1, [], at('00:00:00'));
    expect(cache.get(1, at('00:00:00'))).toEqual([]);
    cache.suspend();
    expect(cache.serving).toBe(false);
    expect(cache.size).toBe(0);
    cache.confirm(performance.now() - CONFIRMATION_LIFETIME_MS - 1);
    expect(cache.serving).toBe(false);
    cache.confirm(performance.now());
    filled(cache, 1, [], at('00:00:00'));
    jest.spyOn(performance, 'now').mockReturnValue(performance.now() + CONFIRMATION_LIFETIME_MS);
    try {
      expect(cache.get(1, at('00:00:00'))).toBeUndefined();
      expect(cache.size).toBe(0);
    } finally {
      jest.restoreAllMocks();
    }
  });

  it('measures its confirmation on a clock that never steps: the wall clock set back an hour does not extend it', () => {
    const cache = new ReadCache(10, false);
    const confirmedAt = performance.now();
    cache.confirm(confirmedAt);
    filled(cache, 1, [], at('00:00:00'));
    const wallNow = Date.now();
    jest.spyOn(Date, 'now').mockReturnValue(wallNow - 3_600_000);
    jest.spyOn(performance, 'now').mockReturnValue(confirmedAt + CONFIRMATION_LIFETIME_MS + 1);
    try {
      expect(cache.serving).toBe(false);
      expect(cache.get(1, at('00:00:00'))).toBeUndefined();
    } finally {
      jest.restoreAllMocks();
    }
  });
});
