import { DatabaseFunction } from './database-function';

/**
 * A user's change set, the core of the ledger, in one call (one round trip): user p_user adds the slugs
 * p_add with expiries p_add_expires (NULL: permanent) and removes p_remove; p_clock_offset_ms shifts the
 * ledger's clock (ledger_time). Returns the user's active memberships after it (kind 'member', by slug), or
 * only rows of kind 'missing' when a slug names no segment (then nothing is written).
 *
 * Locks, in this order (the order every other writer respects, so no deadlock):
 * 1. the user's row (registering a new user): one change set of a user at a time;
 * 2. for a new user, the auto-assignment lock, shared (auto_assignment_lock_key), then its auto joins;
 * 3. the named segments, FOR KEY SHARE: no delete or re-ranging of them meanwhile;
 * 4. the user's memberships in them, FOR UPDATE: waits for the cleaner's batch that holds one.
 * Only then is `at` taken, so it is after every earlier change of these rows took effect. Each later
 * statement sees everything committed before (READ COMMITTED takes a snapshot per statement).
 *
 * Cases, per named segment -> memberships row, and the history rows written (operation/reason at time):
 *
 * | membership before        | add                                               | remove                              |
 * |--------------------------|---------------------------------------------------|-------------------------------------|
 * | none                     | inserted (manual, expiry); added/manual at `at`   | nothing; no history                 |
 * | held, active             | becomes manual with the new expiry, added_at kept;| deleted; removed/manual at `at`     |
 * | (auto or manual)         | no history                                        |                                     |
 * | held, expired by `at`    | leaves (leave_expired), then as none: manual, new | leaves (leave_expired): removed/ttl |
 * | (the cleaner was late)   | expiry, added_at = `at`; removed/ttl at its       | at its expiry (no removed/manual)   |
 * |                          | expiry, added/manual at `at`                      |                                     |
 *
 * And once per call:
 * - a user the service did not know is registered, and joins every auto segment covering them first
 *   (join_auto_segments): added/auto at `at` each, before the rows above;
 * - a slug naming no segment: 'missing' rows only, nothing written;
 * - an asked expiry that passed by `at` (the request waited): SQLSTATE SG001 (EXPIRY_PASSED), DETAIL the
 *   slugs; a segment deleted between the check and the lock: 40001, which the executor retries. Both roll
 *   back everything.
 * History rows of one call are ordered: added/auto, removed/ttl (by expiry), removed/manual, added/manual,
 * each by slug.
 *
 * The last statement, CTE by CTE:
 * - `target`: one row per named segment: adding or removing, and whether the user holds it (expired ones
 *   have left by then);
 * - `removed`: deletes the held memberships named for removal;
 * - `inserted`: inserts the memberships added and not held;
 * - `updated`: makes a held membership added manual with the new expiry;
 * - `recorded`: writes the manual history rows of the table above, in the order above;
 * - `changed`: the rows inserted and updated, returned with the user's untouched active memberships.
 */
export const APPLY_CHANGE_SET: DatabaseFunction = {
  name: 'apply_change_set',
  statements: [
    `CREATE OR REPLACE FUNCTION apply_change_set(
  p_user bigint, p_add text[], p_add_expires timestamptz[], p_remove text[], p_clock_offset_ms bigint
) RETURNS TABLE (kind text, slug text, source text, added_at timestamptz, expires_at timestamptz)
LANGUAGE plpgsql VOLATILE AS $fn$
#variable_conflict use_column
DECLARE
  v_named text[] := p_add || p_remove;
  v_new boolean;
  v_at timestamptz;
  v_passed text;
BEGIN
  -- Slugs naming no segment: answered before anything is locked or written.
  RETURN QUERY
    SELECT 'missing', w.slug, NULL::text, NULL::timestamptz, NULL::timestamptz
    FROM unnest(v_named) AS w(slug)
    WHERE NOT EXISTS (SELECT 1 FROM segments s WHERE s.slug = w.slug)
    ORDER BY w.slug;
  IF FOUND THEN RETURN; END IF;

  -- 1. The user's row lock, inserting the row for a new user (ON CONFLICT DO UPDATE locks an existing one).
  INSERT INTO users AS u (user_id, known_since) VALUES (p_user, ledger_time(p_clock_offset_ms))
  ON CONFLICT (user_id) DO UPDATE SET known_since = u.known_since WHERE false
  RETURNING true INTO v_new;

  -- 2. A new user waits for any auto-assignment in progress, then joins the auto segments covering them (below).
  IF v_new THEN PERFORM pg_advisory_xact_lock_shared(auto_assignment_lock_key()); END IF;

  -- 3. The named segments; one deleted since the check above makes the caller retry.
  PERFORM 1 FROM segments s WHERE s.slug = ANY (v_named) ORDER BY s.id FOR KEY SHARE;
  IF (SELECT count(*) FROM segments s WHERE s.slug = ANY (v_named)) < cardinality(v_named) THEN
    RAISE EXCEPTION 'a segment of the change set was deleted meanwhile' USING ERRCODE = '40001';
  END IF;

  -- 4. The user's memberships in them.
  PERFORM 1 FROM memberships m JOIN segments s ON s.id = m.segment_id
  WHERE m.user_id = p_user AND s.slug = ANY (v_named) FOR UPDATE OF m;

  v_at := ledger_time(p_clock_offset_ms);

  SELECT string_agg(a.slug, ',' ORDER BY a.slug) INTO v_passed
  FROM unnest(p_add, p_add_expires) AS a(slug, expires_at) WHERE a.expires_at <= v_at;
  IF v_passed IS NOT NULL THEN
    RAISE EXCEPTION 'expiry passed before the change took effect' USING ERRCODE = 'SG001', DETAIL = v_passed;
  END IF;

  IF v_new THEN PERFORM join_auto_segments(ARRAY[p_user], v_at); END IF;

  -- The named memberships expired by v_at leave as the cleaner would have made them; the rest sees them gone.
  PERFORM leave_expired(array_agg(m.ctid), v_at) FROM memberships m JOIN segments s ON s.id = m.segment_id
  WHERE m.user_id = p_user AND s.slug = ANY (v_named);

  RETURN QUERY
  WITH target AS (
    SELECT s.id AS segment_id, s.slug, w.adding, w.expires_at, m.user_id IS NOT NULL AS held
    FROM (SELECT a.slug, true AS adding, a.expires_at FROM unnest(p_add, p_add_expires) AS a(slug, expires_at)
          UNION ALL
          SELECT r.slug, false, NULL::timestamptz FROM unnest(p_remove) AS r(slug)) w
    JOIN segments s ON s.slug = w.slug
    LEFT JOIN memberships m ON m.user_id = p_user AND m.segment_id = s.id
  ), removed AS (
    DELETE FROM memberships m USING target t
    WHERE NOT t.adding AND t.held AND m.user_id = p_user AND m.segment_id = t.segment_id
    RETURNING m.segment_id
  ), inserted AS (
    INSERT INTO memberships (user_id, segment_id, source, added_at, expires_at)
    SELECT p_user, t.segment_id, 'manual', v_at, t.expires_at FROM target t WHERE t.adding AND NOT t.held
    RETURNING segment_id, source, added_at, expires_at
  ), updated AS (
    UPDATE memberships m SET source = 'manual', expires_at = t.expires_at
    FROM target t
    WHERE t.adding AND t.held AND m.user_id = p_user AND m.segment_id = t.segment_id
    RETURNING m.segment_id, m.source, m.added_at, m.expires_at
  ), recorded AS (
    INSERT INTO membership_history (user_id, segment, operation, reason, at)
    SELECT p_user, e.slug, e.operation, 'manual', v_at FROM (
      SELECT 1 AS stage, t.slug, 'removed' AS operation FROM target t WHERE NOT t.adding AND t.held
      UNION ALL
      SELECT 2, t.slug, 'added' FROM target t WHERE t.adding AND NOT t.held
    ) e
    ORDER BY e.stage, e.slug
  ), changed AS (
    SELECT * FROM inserted UNION ALL SELECT * FROM updated
  )
  SELECT 'member', s.slug::text, m.source::text, m.added_at, m.expires_at
  FROM memberships m JOIN segments s ON s.id = m.segment_id
  WHERE m.user_id = p_user AND (m.expires_at IS NULL OR m.expires_at > v_at)
    AND NOT EXISTS (SELECT 1 FROM target t WHERE t.segment_id = m.segment_id)
  UNION ALL
  SELECT 'member', t.slug::text, c.source::text, c.added_at, c.expires_at FROM changed c JOIN target t ON t.segment_id = c.segment_id
  ORDER BY 2;
END
$fn$`,
  ],
};
