/**
 * Auto-assignment: the statements that put users into auto segments and take them out.
 *
 * The bucket rule (md5(slug:user_id), first 8 hex digits as unsigned 32-bit, modulo 10000) is the database
 * function `segment_bucket` (sql/functions/segment-bucket.ts), which the planner inlines; a segment of percent p covers
 * the buckets below round(p * 100). test/bucket-rule.e2e-spec.ts proves the function equals the contract.
 */

/** The auto-assignment lock (auto_assignment_lock_key): what makes users known takes it shared. */
export const LOCK_AUTO_ASSIGNMENT_SHARED = `SELECT pg_advisory_xact_lock_shared(auto_assignment_lock_key())`;
/** What decides auto membership (auto segments created, re-ranged, deleted) takes it exclusive. */
export const LOCK_AUTO_ASSIGNMENT_EXCLUSIVE = `SELECT pg_advisory_xact_lock(auto_assignment_lock_key())`;

/** $1 users (bigint[]), $2 at. They join every auto segment covering them (join_auto_segments). */
export const JOIN_USERS_TO_AUTO_SEGMENTS = `SELECT join_auto_segments($1::bigint[], $2) AS count`;

/**
 * $1 segment id, $2 its slug, $3 first bucket, $4 end bucket (exclusive), $5 at, $6 and $7 the users
 * (USERS_IN_SLICE). Joins every such known user whose bucket lies in [$3, $4); one added/auto history row
 * per join. Answers the number of joins. The range test computes each user's bucket once: md5 is most of
 * this statement's cost (two tests, two md5s).
 */
export const JOIN_BUCKET_RANGE = `
  WITH joined AS (
    INSERT INTO memberships (user_id, segment_id, source, added_at)
    SELECT u.user_id, $1, 'auto', $5
    FROM users u
    WHERE segment_bucket($2::text, u.user_id) <@ int4range(least($3::int, $4::int), $4::int)
      AND u.user_id > $6::bigint AND u.user_id <= coalesce($7::bigint, 9223372036854775807)
    ON CONFLICT (user_id, segment_id) DO NOTHING
    RETURNING user_id
  ), recorded AS (
    INSERT INTO membership_history (user_id, segment, operation, reason, at)
    SELECT user_id, $2, 'added', 'auto', $5 FROM joined ORDER BY user_id
    RETURNING 1
  )
  SELECT count(*)::int AS count FROM recorded`;

/**
 * $1 segment id, $2 its slug, $3 first bucket no longer covered, $4 at, $5 and $6 the users
 * (USERS_IN_SLICE). Removes such auto members whose bucket is >= $3; one removed/auto history row each.
 * Manual members stay.
 */
export const LEAVE_BUCKETS_FROM = `
  WITH gone AS (
    DELETE FROM memberships m
    WHERE m.segment_id = $1 AND m.source = 'auto' AND segment_bucket($2::text, m.user_id) >= $3
      AND m.user_id > $5::bigint AND m.user_id <= coalesce($6::bigint, 9223372036854775807)
    RETURNING m.user_id
  ), recorded AS (
    INSERT INTO membership_history (user_id, segment, operation, reason, at)
    SELECT user_id, $2, 'removed', 'auto', $4 FROM gone ORDER BY user_id
    RETURNING 1
  )
  SELECT count(*)::int AS count FROM recorded`;

/**
 * $1 the last user id of the previous slice (0: none), $2 the slice's size. The last user id of the next
 * slice of known users, or no row when the rest is smaller than $2 (then the slice goes to the end).
 * Auto-assignment in embedded mode runs a slice of users per transaction (bulk-slices.ts): a slice is
 * the users after the previous slice's last id, up to and including this one (NULL: no bound).
 */
export const USERS_IN_SLICE = `
  SELECT user_id FROM users WHERE user_id > $1::bigint ORDER BY user_id OFFSET $2::int - 1 LIMIT 1`;

/** How many users the service knows: embedded mode sizes its slices by it. */
export const KNOWN_USERS = `SELECT count(*)::int AS count FROM users`;
