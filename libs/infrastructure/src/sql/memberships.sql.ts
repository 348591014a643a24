/** Memberships: the user's segments lookup (the hot read) and the TTL cleaner. */
import { prepared } from './sql-runner';

// The hot paths' statements are prepared: parsed and planned once per connection.

/**
 * $1 user, $2 now. The user's active memberships, unsorted, naming segments by id: one index, no join
 * (SegmentSlugs turns ids into slugs, and the repository sorts by slug).
 */
export const ACTIVE_MEMBERSHIPS = prepared(
  'user_active_memberships',
  `SELECT segment_id, source, added_at, expires_at
  FROM memberships
  WHERE user_id = $1 AND (expires_at IS NULL OR expires_at > $2)`,
);

/** ACTIVE_MEMBERSHIPS for many lookups at once: user $1[i] at time $2[i], rows tagged with i. */
export const ACTIVE_MEMBERSHIPS_OF_MANY = prepared(
  'users_active_memberships',
  `SELECT q.i::int AS i, m.segment_id, m.source, m.added_at, m.expires_at
  FROM unnest($1::bigint[], $2::timestamptz[]) WITH ORDINALITY AS q(user_id, now, i)
  JOIN memberships m ON m.user_id = q.user_id AND (m.expires_at IS NULL OR m.expires_at > q.now)`,
);

/** $1 segment ids: their slugs (a segment's slug never changes). */
export const SLUGS_OF_SEGMENTS = `SELECT id, slug FROM segments WHERE id = ANY($1::bigint[])`;

/**
 * The TTL cleaner's batch. $1 the clock offset (ms), $2 the batch size. Up to $2 memberships expired by the
 * ledger's time leave (leave_expired: removed/ttl at their own expiry); answers how many. Rows another
 * transaction holds are left for the next run, and so are the rows of a segment being re-ranged or deleted
 * (it holds the segment's row): their leaves would sort before its `at`.
 */
export const EXPIRE_DUE_BATCH = `
  WITH t AS MATERIALIZED (SELECT ledger_time($1) AS now), due AS (
    SELECT m.ctid AS row FROM memberships m JOIN segments s ON s.id = m.segment_id
    WHERE m.expires_at <= (SELECT now FROM t)
    ORDER BY m.expires_at
    LIMIT $2
    FOR UPDATE OF m SKIP LOCKED
    FOR KEY SHARE OF s SKIP LOCKED
  )
  SELECT leave_expired(array_agg(row), (SELECT now FROM t)) AS count FROM due`;

/**
 * $1 segment id, $2 at, $3 and $4 the users (USERS_IN_SLICE: 0 and NULL for all). What the cleaner would
 * do for one segment, at once: its memberships expired by $2 leave (leave_expired). Run before a segment's
 * members leave for another reason (deleted, re-ranged), so an expired membership leaves as expired.
 */
export const EXPIRE_SEGMENT_MEMBERSHIPS = `
  SELECT leave_expired(array_agg(ctid), $2) AS count
  FROM memberships WHERE segment_id = $1 AND expires_at <= $2
    AND user_id > $3::bigint AND user_id <= coalesce($4::bigint, 9223372036854775807)`;
