import { createHash } from 'node:crypto';

export const BUCKET_COUNT = 10_000;

/**
 * The user's bucket in a segment: md5(slug + ":" + user_id), first 8 hex digits as an unsigned
 * 32-bit integer, modulo 10000. The same rule in SQL:
 *   ('x' || left(md5(slug || ':' || user_id), 8))::bit(32)::bigint % 10000
 */
export function userBucket(slug: string, userId: number): number {
  const digest = createHash('md5').update(`${slug}:${userId}`).digest('hex');
  return parseInt(digest.slice(0, 8), 16) % BUCKET_COUNT;
}

/** The number of buckets covered by a percent with at most 2 decimals (10.5% -> 1050). */
export function bucketsCovered(percent: number): number {
  return Math.round(percent * 100);
}

export function isInAutoRange(bucket: number, percent: number): boolean {
  return bucket < bucketsCovered(percent);
}

/** 0 < p <= 100 with at most 2 decimals; so at least 0.01 (a tiny 1e-11 would be stored as 0.00). */
export function isValidAutoPercent(value: unknown): value is number {
  return (
    typeof value === 'number' &&
    Number.isFinite(value) &&
    value >= 0.01 &&
    value <= 100 &&
    Math.abs(value * 100 - Math.round(value * 100)) < 1e-6
  );
}
