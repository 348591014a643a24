import { bucketsCovered, isValidAutoPercent } from './bucket';

describe('the auto range', () => {
  it('covers percent * 100 buckets', () => {
    expect(bucketsCovered(10)).toBe(1000);
    expect(bucketsCovered(0.01)).toBe(1);
    expect(bucketsCovered(33.33)).toBe(3333);
    expect(bucketsCovered(100)).toBe(10000);
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
