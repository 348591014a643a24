import { createHash } from 'node:crypto';
import { bucketsCovered, isInAutoRange, isValidAutoPercent, userBucket } from './bucket';

/** The contract's rule, written out again here so the test does not trust the code under test. */
const independent = (slug: string, userId: number) =>
  Number(BigInt(`0x${createHash('md5').update(`${slug}:${userId}`).digest('hex').slice(0, 8)}`) % 10000n);

describe('the bucket rule', () => {
  it('matches known vectors', () => {
    // md5("AVITO_VOICE_MESSAGES:1000") starts with these 8 hex digits; checked with `md5sum`.
    const digest = createHash('md5').update('AVITO_VOICE_MESSAGES:1000').digest('hex');
    expect(userBucket('AVITO_VOICE_MESSAGES', 1000)).toBe(parseInt(digest.slice(0, 8), 16) % 10000);
    expect(userBucket('a', 1)).toBe(independent('a', 1));
  });

  it('agrees with an independent computation for many slugs and ids, including the largest id', () => {
    for (const slug of ['AVITO_DISCOUNT_30', 'x', 'Seg.with-dots_1']) {
      for (const userId of [1, 2, 999, 1000, 123456789, Number.MAX_SAFE_INTEGER]) {
        expect(userBucket(slug, userId)).toBe(independent(slug, userId));
      }
    }
  });

  it('covers percent * 100 buckets', () => {
    expect(bucketsCovered(10)).toBe(1000);
    expect(bucketsCovered(0.01)).toBe(1);
    expect(bucketsCovered(33.33)).toBe(3333);
    expect(bucketsCovered(100)).toBe(10000);
    expect(isInAutoRange(999, 10)).toBe(true);
    expect(isInAutoRange(1000, 10)).toBe(false);
  });

  it.each([
    [10, true],
    [0.01, true],
    [100, true],
    [33.33, true],
    [0, false],
    [-1, false],
    [100.01, false],
    [1.234, false],
    [1e-11, false],
    [0.004, false],
    [Number.NaN, false],
    ['10', false],
  ])('auto_percent %p valid: %p', (value, valid) => {
    expect(isValidAutoPercent(value)).toBe(valid);
  });
});
