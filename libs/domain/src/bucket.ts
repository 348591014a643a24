/*
 * A user's bucket (the contract's md5 rule) is computed only in SQL, where assignment happens: the database
 * function segment_bucket (libs/infrastructure/src/sql/auto-assignment.sql.ts says more).
 */

/** The number of buckets covered by a percent with at most 2 decimals (10.5% -> 1050). */
export function bucketsCovered(percent: number): number {
  return Math.round(percent * 100);
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
