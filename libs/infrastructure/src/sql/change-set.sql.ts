/** A user's change set: one call of the database function `apply_change_set` (its rule and case table:
 * sql/functions/apply-change-set.ts), one round trip. */
import { prepared } from './sql-runner';

/** $1 user, $2 slugs to add, $3 their expiries (NULL: permanent), $4 slugs to remove, $5 the clock offset (ms). */
export const APPLY_CHANGE_SET = prepared(
  'apply_change_set',
  `SELECT * FROM apply_change_set($1::bigint, $2::text[], $3::timestamptz[], $4::text[], $5::bigint)`,
);

/** What apply_change_set raises when an expiry the request asked for passed before the change took effect. */
export const EXPIRY_PASSED = 'SG001';
