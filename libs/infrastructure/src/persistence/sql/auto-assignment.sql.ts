/**
 * SQL shared by the repositories. Parameters are positional; each builder says which numbers it uses.
 */

/**
 * The contract's bucket rule, md5(slug:user_id), first 8 hex digits as unsigned 32-bit, modulo 10000:
 * the database function `segment_bucket` (migration LedgerTime), which the planner inlines.
 */
export function bucketSql(slugSql: string, userIdSql: string): string {
  return `segment_bucket(${slugSql}, ${userIdSql})`;
}

/** Buckets covered by a numeric(5,2) percent column or parameter. */
export function coveredBucketsSql(percentSql: string): string {
  return `round(${percentSql} * 100)::int`;
}

/** `alias` has not expired at the time in parameter `nowParam`. */
export function activeSql(alias: string, nowParam: string): string {
  return `(${alias}.expires_at IS NULL OR ${alias}.expires_at > ${nowParam})`;
}

/**
 * Serializes what decides auto membership (auto segments created, re-ranged, deleted: exclusive)
 * against what makes users known (shared), so that no newly known user misses a segment.
 */
export const AUTO_ASSIGNMENT_LOCK_KEY = 7_300_417;
export const LOCK_AUTO_ASSIGNMENT_SHARED = `SELECT pg_advisory_xact_lock_shared(${AUTO_ASSIGNMENT_LOCK_KEY})`;
export const LOCK_AUTO_ASSIGNMENT_EXCLUSIVE = `SELECT pg_advisory_xact_lock(${AUTO_ASSIGNMENT_LOCK_KEY})`;

/**
 * Ends the memberships matching `condition` (on alias m) that expired at `nowParam`, each with one
 * `removed`/`ttl` entry stamped at its own expiry. `using` and `leading` let a caller delete the rows
 * a preceding CTE picked (the sweep's bounded, SKIP LOCKED batch).
 */
export function expireMatchingSql(
  condition: string,
  nowParam: string,
  options: { leading?: string; using?: string } = {},
): string {
  return `
    WITH ${options.leading ? `${options.leading}, ` : ''}gone AS (
      DELETE FROM memberships m${options.using ? ` USING ${options.using}` : ''}
      WHERE ${condition} AND m.expires_at <= ${nowParam}
      RETURNING m.user_id, m.segment_id, m.expires_at
    ), recorded AS (
      INSERT INTO membership_history (user_id, segment, operation, reason, at)
      SELECT g.user_id, s.slug, 'removed', 'ttl', g.expires_at
      FROM gone g JOIN segments s ON s.id = g.segment_id
      ORDER BY g.expires_at, g.user_id
      RETURNING 1
    )
    SELECT count(*)::int AS count FROM recorded`;
}

/** Joins the users in $1 (bigint[]) to every auto segment covering them, at $2. Counts the joins. */
export const JOIN_USERS_TO_AUTO_SEGMENTS = `
  WITH joined AS (
    INSERT INTO memberships (user_id, segment_id, source, added_at)
    SELECT u.user_id, s.id, 'auto', $2
    FROM unnest($1::bigint[]) AS u(user_id)
    JOIN segments s
      ON s.auto_percent IS NOT NULL
     AND ${bucketSql('s.slug', 'u.user_id')} < ${coveredBucketsSql('s.auto_percent')}
    ON CONFLICT (user_id, segment_id) DO NOTHING
    RETURNING user_id, segment_id
  ), recorded AS (
    INSERT INTO membership_history (user_id, segment, operation, reason, at)
    SELECT j.user_id, s.slug, 'added', 'auto', $2
    FROM joined j JOIN segments s ON s.id = j.segment_id
    ORDER BY j.user_id, s.slug
    RETURNING 1
  )
  SELECT count(*)::int AS count FROM recorded`;

/**
 * Joins every known user whose bucket in segment $1 (id), $2 (slug) lies in [$3, $4), at $5. The range
 * test computes each user's bucket once: md5 is most of this statement's cost (two tests, two md5s).
 */
export const JOIN_BUCKET_RANGE = `
  WITH joined AS (
    INSERT INTO memberships (user_id, segment_id, source, added_at)
    SELECT u.user_id, $1, 'auto', $5
    FROM users u
    WHERE ${bucketSql('$2::text', 'u.user_id')} <@ int4range(least($3::int, $4::int), $4::int)
    ON CONFLICT (user_id, segment_id) DO NOTHING
    RETURNING user_id
  ), recorded AS (
    INSERT INTO membership_history (user_id, segment, operation, reason, at)
    SELECT user_id, $2, 'added', 'auto', $5 FROM joined ORDER BY user_id
    RETURNING 1
  )
  SELECT count(*)::int AS count FROM recorded`;

/** Removes the auto members of segment $1 (id), $2 (slug) whose bucket is >= $3, at $4. */
export const LEAVE_BUCKETS_FROM = `
  WITH gone AS (
    DELETE FROM memberships m
    WHERE m.segment_id = $1 AND m.source = 'auto' AND ${bucketSql('$2::text', 'm.user_id')} >= $3
    RETURNING m.user_id
  ), recorded AS (
    INSERT INTO membership_history (user_id, segment, operation, reason, at)
    SELECT user_id, $2, 'removed', 'auto', $4 FROM gone ORDER BY user_id
    RETURNING 1
  )
  SELECT count(*)::int AS count FROM recorded`;
