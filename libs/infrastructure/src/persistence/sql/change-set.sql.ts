/**
 * A user's change set: the core of the ledger. One call of the database function `apply_change_set`
 * (migration 1796017000000-ledger-time.ts, mirrored in docker/schema.sql), one round trip.
 */
import { prepared } from '../sql-executor';

/**
 * $1 user, $2 slugs to add, $3 their expiries (NULL: permanent), $4 slugs to remove, $5 the clock offset
 * (ms). Answers the user's active memberships after the change (kind 'member', by slug), or only rows of
 * kind 'missing' when a slug names no segment (then nothing is written).
 *
 * Every row the function writes is stamped `at`: the database's clock (shifted by $5), taken once the
 * function holds every row it changes (locks: the user's row; for a new user the auto-assignment lock,
 * shared; the named segments FOR KEY SHARE; the user's memberships in them FOR UPDATE).
 *
 * Cases, per named segment -> memberships row, and the history rows written (operation/reason at time):
 *
 * | membership before        | add                                               | remove                              |
 * |--------------------------|---------------------------------------------------|-------------------------------------|
 * | none                     | inserted (manual, expiry); added/manual at `at`   | nothing; no history                 |
 * | held, active             | becomes manual with the new expiry, added_at kept;| deleted; removed/manual at `at`     |
 * | (auto or manual)         | no history                                        |                                     |
 * | held, expired by `at`    | renewed: manual, new expiry, added_at = `at`;     | deleted; removed/ttl at its expiry  |
 * | (the cleaner was late)   | removed/ttl at its expiry, added/manual at `at`   | (no removed/manual)                 |
 *
 * And once per call:
 * - a user the service did not know is registered, and joins every auto segment covering them first:
 *   added/auto at `at` each, before the rows above;
 * - a slug naming no segment: 'missing' rows only, nothing written;
 * - an asked expiry that passed by `at` (the request waited): SQLSTATE SG001 (EXPIRY_PASSED), DETAIL the
 *   slugs; a segment deleted between the check and the lock: 40001, which the executor retries. Both roll
 *   back everything.
 * History rows of one call are ordered: removed/ttl (by expiry), removed/manual, added/manual, each by slug.
 *
 * The function's last statement, CTE by CTE:
 * - `target`: one row per named segment: adding or removing, the membership held, and whether it expired by `at`;
 * - `removed`: deletes the held memberships named for removal (expired ones too);
 * - `inserted`: inserts the memberships added and not held;
 * - `updated`: makes a held membership added manual with the new expiry (added_at = `at` if it had expired);
 * - `recorded`: writes the history rows of the table above, in the order above;
 * - `changed`: the rows inserted and updated, returned with the user's untouched active memberships.
 */
export const APPLY_CHANGE_SET = prepared(
  'apply_change_set',
  `SELECT * FROM apply_change_set($1::bigint, $2::text[], $3::timestamptz[], $4::text[], $5::bigint)`,
);

/** What apply_change_set raises when an expiry the request asked for passed before the change took effect. */
export const EXPIRY_PASSED = 'SG001';
