import { DatabaseFunction } from './database-function';

/**
 * New users join the auto segments covering them (the bucket rule, segment_bucket), each join with one
 * added/auto history row at `p_at`, ordered by user, then slug. Answers the number of joins. The caller
 * holds the auto-assignment lock, shared (auto_assignment_lock_key). Used by registration (API, CLI import)
 * and by apply_change_set for a user it registers.
 */
export const JOIN_AUTO_SEGMENTS: DatabaseFunction = {
  name: 'join_auto_segments',
  statements: [
    `CREATE OR REPLACE FUNCTION join_auto_segments(p_users bigint[], p_at timestamptz) RETURNS int
LANGUAGE sql VOLATILE AS $fn$
  WITH joined AS (
    INSERT INTO memberships (user_id, segment_id, source, added_at)
    SELECT u.user_id, s.id, 'auto', p_at
    FROM unnest(p_users) AS u(user_id)
    JOIN segments s
      ON s.auto_percent IS NOT NULL
     AND segment_bucket(s.slug, u.user_id) < round(s.auto_percent * 100)::int
    ON CONFLICT (user_id, segment_id) DO NOTHING
    RETURNING user_id, segment_id
  ), recorded AS (
    INSERT INTO membership_history (user_id, segment, operation, reason, at)
    SELECT j.user_id, s.slug, 'added', 'auto', p_at
    FROM joined j JOIN segments s ON s.id = j.segment_id
    ORDER BY j.user_id, s.slug
    RETURNING 1
  )
  SELECT count(*)::int FROM recorded
$fn$`,
  ],
};
