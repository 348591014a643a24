import { DatabaseFunction } from './database-function';

/**
 * Expired memberships leave as `ttl` at their own expiry: of the memberships at the row addresses p_rows
 * (ctid: a delete by address is a TID scan, no index probe per row), those expired by `p_at` are deleted,
 * each with one removed/ttl history row stamped at its expires_at, ordered by expiry, user, slug. Answers
 * how many left. The one statement of the rule, for every path: the cleaner's batch (EXPIRE_DUE_BATCH), a
 * segment's members before they leave for another reason (EXPIRE_SEGMENT_MEMBERSHIPS), a change set naming
 * an expired membership (apply_change_set). The caller chooses the rows and holds them (or their segment) so that no one
 * changes them meanwhile; a row changed anyway has moved to another address and stays.
 */
export const LEAVE_EXPIRED: DatabaseFunction = {
  name: 'leave_expired',
  statements: [
    `CREATE OR REPLACE FUNCTION leave_expired(p_rows tid[], p_at timestamptz) RETURNS int
LANGUAGE sql VOLATILE AS $fn$
  WITH gone AS (
    DELETE FROM memberships m WHERE m.ctid = ANY (p_rows) AND m.expires_at <= p_at
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
