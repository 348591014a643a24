import { DatabaseFunction } from './database-function';

/**
 * Expired memberships leave as `ttl` at their own expiry: of the memberships named by the pairs
 * (p_users[i], p_segments[i]), those expired by `p_at` are deleted, each with one removed/ttl history row
 * stamped at its expires_at, ordered by expiry, user, slug. Answers how many left. The one statement of
 * the rule, for every path: the cleaner's batch (EXPIRE_DUE_BATCH), a segment's members before they leave
 * for another reason (EXPIRE_SEGMENT_MEMBERSHIPS), a change set naming an expired membership
 * (apply_change_set). The caller chooses and locks the rows; the delete checks the expiry again, so a
 * membership renewed meanwhile stays.
 */
export const LEAVE_EXPIRED: DatabaseFunction = {
  name: 'leave_expired',
  statements: [
    `CREATE OR REPLACE FUNCTION leave_expired(p_users bigint[], p_segments bigint[], p_at timestamptz) RETURNS int
LANGUAGE sql VOLATILE AS $fn$
  WITH gone AS (
    DELETE FROM memberships m USING unnest(p_users, p_segments) AS k(user_id, segment_id)
    WHERE m.user_id = k.user_id AND m.segment_id = k.segment_id AND m.expires_at <= p_at
    RETURNING m.user_id, m.segment_id, m.expires_at
  ), recorded AS (
    INSERT INTO membership_history (user_id, segment, operation, reason, at)
    SELECT g.user_id, s.slug, 'removed', 'ttl', g.expires_at
    FROM gone g JOIN segments s ON s.id = g.segment_id
    ORDER BY g.expires_at, g.user_id, s.slug
    RETURNING 1
  )
  SELECT count(*)::int FROM recorded
$fn$`,
  ],
};
