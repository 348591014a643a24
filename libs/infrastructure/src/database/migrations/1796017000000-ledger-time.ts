import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The ledger is stamped by the database, at the moment a change takes effect (contract v1.1).
 *
 * - `ledger_time(clock_offset_ms)`: the database's clock, to the millisecond, shifted by the service
 *   clock's offset from the system clock (0 in production; tests move a fake clock).
 * - `segment_bucket(slug, user_id)`: the contract's bucket rule, one definition for every statement
 *   (and for analysts: `WHERE segment_bucket(slug, user_id) < auto_percent * 100`).
 * - `apply_change_set(...)`: a user's whole change set, in one call (one round trip), taking `at` only
 *   once it holds every row it changes. Its case table: persistence/sql/change-set.sql.ts.
 */
export class LedgerTime1796017000000 implements MigrationInterface {
  name = 'LedgerTime1796017000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE FUNCTION ledger_time(clock_offset_ms bigint) RETURNS timestamptz
      LANGUAGE sql VOLATILE
      RETURN date_trunc('milliseconds', clock_timestamp() + clock_offset_ms * interval '1 millisecond')`);
    await queryRunner.query(`
      CREATE FUNCTION segment_bucket(slug text, user_id bigint) RETURNS int
      LANGUAGE sql IMMUTABLE PARALLEL SAFE
      -- Every part immutable (user_id::text, not text || bigint, which is only stable), so the planner inlines it.
      RETURN (('x' || left(md5(slug || ':' || user_id::text), 8))::bit(32)::bigint % 10000)::int`);
    await queryRunner.query(APPLY_CHANGE_SET_FUNCTION);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP FUNCTION apply_change_set(bigint, text[], timestamptz[], text[], bigint)`);
    await queryRunner.query(`DROP FUNCTION segment_bucket(text, bigint)`);
    await queryRunner.query(`DROP FUNCTION ledger_time(bigint)`);
  }
}

/**
 * Change set of user p_user: add the slugs p_add with expiries p_add_expires (NULL: permanent), remove
 * p_remove. Returns the user's active memberships after it (kind 'member', by slug), or only rows of
 * kind 'missing' when a slug names no segment (then nothing changed).
 *
 * Locks, in this order (the order every other writer respects, so no deadlock):
 * 1. the user's row (registering a new user): one change set of a user at a time;
 * 2. for a new user, the auto-assignment lock, shared, then its auto joins;
 * 3. the named segments, FOR KEY SHARE: no delete or re-ranging of them meanwhile;
 * 4. the user's memberships in them, FOR UPDATE: waits for the cleaner's batch that holds one.
 * Only then is `at` taken, so it is after every earlier change of these rows took effect. Each later
 * statement sees everything committed before (READ COMMITTED takes a snapshot per statement).
 *
 * What it writes, case by case: the table above APPLY_CHANGE_SET in persistence/sql/change-set.sql.ts.
 *
 * An expiry this request asked for that has passed by `at` (the request waited) fails the call with
 * SQLSTATE SG001, DETAIL the slugs; a segment deleted between the check and the lock, with 40001 (the
 * caller retries, and then sees it missing). Both roll back everything.
 */
const APPLY_CHANGE_SET_FUNCTION = `
CREATE FUNCTION apply_change_set(
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
  IF v_new THEN PERFORM pg_advisory_xact_lock_shared(7300417); END IF;

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

  IF v_new THEN
    WITH joined AS (
      INSERT INTO memberships (user_id, segment_id, source, added_at)
      SELECT p_user, s.id, 'auto', v_at FROM segments s
      WHERE s.auto_percent IS NOT NULL
        AND segment_bucket(s.slug, p_user) < round(s.auto_percent * 100)
      RETURNING segment_id
    )
    INSERT INTO membership_history (user_id, segment, operation, reason, at)
    SELECT p_user, s.slug, 'added', 'auto', v_at FROM joined j JOIN segments s ON s.id = j.segment_id ORDER BY s.slug;
  END IF;

  RETURN QUERY
  WITH target AS (
    SELECT s.id AS segment_id, s.slug, w.adding, w.expires_at,
           m.user_id IS NOT NULL AS held, m.expires_at AS held_expires_at,
           coalesce(m.expires_at <= v_at, false) AS held_expired
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
    UPDATE memberships m
    SET source = 'manual', expires_at = t.expires_at, added_at = CASE WHEN t.held_expired THEN v_at ELSE m.added_at END
    FROM target t
    WHERE t.adding AND t.held AND m.user_id = p_user AND m.segment_id = t.segment_id
    RETURNING m.segment_id, m.source, m.added_at, m.expires_at
  ), recorded AS (
    INSERT INTO membership_history (user_id, segment, operation, reason, at)
    SELECT p_user, e.slug, e.operation, e.reason, e.at FROM (
      SELECT 1 AS stage, t.held_expires_at AS at, t.slug, 'removed' AS operation, 'ttl' AS reason
      FROM target t WHERE t.held_expired
      UNION ALL
      SELECT 2, v_at, t.slug, 'removed', 'manual' FROM target t WHERE NOT t.adding AND t.held AND NOT t.held_expired
      UNION ALL
      SELECT 3, v_at, t.slug, 'added', 'manual' FROM target t WHERE t.adding AND (NOT t.held OR t.held_expired)
    ) e
    ORDER BY e.stage, e.at, e.slug
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
$fn$`;
