/** Segments: create, read, page, lock, change, delete. Auto members move in auto-assignment.sql.ts. */

/** $1 slug, $2 description, $3 auto percent, $4 created at. Answers the new id, or no row if the slug exists. */
export const INSERT_SEGMENT = `
  INSERT INTO segments (slug, description, auto_percent, created_at) VALUES ($1, $2, $3, $4)
  ON CONFLICT (slug) DO NOTHING RETURNING id`;

/** $1 now, $2 slug. The segment with its count of members active at $1. */
export const SEGMENT_BY_SLUG = `
  SELECT s.slug, s.description, s.auto_percent, s.created_at,
    (SELECT count(*) FROM memberships m
     WHERE m.segment_id = s.id AND (m.expires_at IS NULL OR m.expires_at > $1))::int AS members
  FROM segments s WHERE s.slug = $2`;

/** $1 now, $2 the slug to start after (NULL: from the first), $3 limit. Segments by slug, as SEGMENT_BY_SLUG. */
export const SEGMENTS_AFTER = `
  SELECT s.slug, s.description, s.auto_percent, s.created_at,
    (SELECT count(*) FROM memberships m
     WHERE m.segment_id = s.id AND (m.expires_at IS NULL OR m.expires_at > $1))::int AS members
  FROM segments s
  WHERE $2::text IS NULL OR s.slug > $2::text
  ORDER BY s.slug LIMIT $3`;

/**
 * $1 slug. Locks the segment's row against change sets and sweep batches of it (they key-share it):
 * re-ranging and deleting take it so.
 */
export const LOCK_SEGMENT_FOR_UPDATE = `SELECT id, slug, auto_percent FROM segments WHERE slug = $1 FOR UPDATE`;

/** $1 slug. Locks the segment's row against other writers of it, not against change sets. */
export const LOCK_SEGMENT_FOR_NO_KEY_UPDATE = `SELECT id, slug, auto_percent FROM segments WHERE slug = $1 FOR NO KEY UPDATE`;

/** $1 id, $2 description. */
export const SET_DESCRIPTION = `UPDATE segments SET description = $2 WHERE id = $1`;

/** $1 id, $2 auto percent (NULL: none). */
export const SET_AUTO_PERCENT = `UPDATE segments SET auto_percent = $2 WHERE id = $1`;

/** $1 id, $2 slug, $3 at. Removes every member; one removed/segment_deleted history row each. */
export const REMOVE_ALL_MEMBERS = `
  WITH gone AS (
    DELETE FROM memberships WHERE segment_id = $1 RETURNING user_id
  )
  INSERT INTO membership_history (user_id, segment, operation, reason, at)
  SELECT user_id, $2, 'removed', 'segment_deleted', $3 FROM gone ORDER BY user_id`;

/** $1 id. */
export const DELETE_SEGMENT = `DELETE FROM segments WHERE id = $1`;

/** $1 slug. */
export const SEGMENT_ID = `SELECT id FROM segments WHERE slug = $1`;

/** $1 segment id, $2 the user id to start after, $3 now, $4 limit. Its members active at $3, by user id. */
export const MEMBERS_AFTER = `
  SELECT m.user_id, m.source, m.added_at, m.expires_at FROM memberships m
  WHERE m.segment_id = $1 AND m.user_id > $2 AND (m.expires_at IS NULL OR m.expires_at > $3)
  ORDER BY m.user_id LIMIT $4`;
