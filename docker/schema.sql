-- The service's schema as the migrations leave it (libs/infrastructure/src/database/migrations).
-- test/schema.e2e-spec.ts proves the two equal. The service applies its migrations itself; this file is
-- for reading, for analysts, and for provisioning a database by hand.

-- Segments. The slug is compared byte by byte (COLLATE "C"), so listing order is byte order.
CREATE TABLE segments (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  slug         varchar(100) COLLATE "C" NOT NULL CONSTRAINT segments_slug_key UNIQUE,
  description  varchar(500),
  auto_percent numeric(5, 2) CONSTRAINT segments_auto_percent_check CHECK (auto_percent > 0 AND auto_percent <= 100),
  created_at   timestamptz NOT NULL
);

-- Known users: registered, or named by a change set. Auto segments apply when a user becomes known.
CREATE TABLE users (
  user_id     bigint PRIMARY KEY CONSTRAINT users_user_id_check CHECK (user_id BETWEEN 1 AND 9007199254740991),
  known_since timestamptz NOT NULL
);

-- Current memberships. A row whose expires_at has passed is no longer active; the cleaner deletes it
-- and records the leave at its expires_at.
CREATE TABLE memberships (
  user_id    bigint NOT NULL,
  segment_id bigint NOT NULL CONSTRAINT memberships_segment_id_fkey REFERENCES segments (id),
  source     varchar(6) NOT NULL CONSTRAINT memberships_source_check CHECK (source IN ('manual', 'auto')),
  added_at   timestamptz NOT NULL,
  expires_at timestamptz,
  CONSTRAINT memberships_pkey PRIMARY KEY (user_id, segment_id)
);
CREATE INDEX memberships_segment_user_idx ON memberships (segment_id, user_id) INCLUDE (expires_at);
CREATE INDEX memberships_expires_at_idx ON memberships (expires_at) WHERE expires_at IS NOT NULL;

-- The ledger: every join and leave, written in the same transaction as the change. It keeps the slug
-- text, so it outlives the segment.
CREATE TABLE membership_history (
  id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id   bigint NOT NULL,
  segment   varchar(100) COLLATE "C" NOT NULL,
  operation varchar(7) NOT NULL CONSTRAINT membership_history_operation_check CHECK (operation IN ('added', 'removed')),
  reason    varchar(15) NOT NULL CONSTRAINT membership_history_reason_check CHECK (reason IN ('manual', 'auto', 'ttl', 'segment_deleted')),
  at        timestamptz NOT NULL
);
CREATE INDEX membership_history_user_at_idx ON membership_history (user_id, at, id);
CREATE INDEX membership_history_at_idx ON membership_history (at, user_id, segment);

-- The ledger's clock, the bucket rule and a user's change set (the migration LedgerTime has the
-- case table and the locking order). Analysts: the auto members of segment S are the known users with
-- segment_bucket(S.slug, user_id) < round(S.auto_percent * 100), manual members aside.
CREATE FUNCTION ledger_time(clock_offset_ms bigint) RETURNS timestamptz
LANGUAGE sql VOLATILE
RETURN date_trunc('milliseconds', clock_timestamp() + clock_offset_ms * interval '1 millisecond');

CREATE FUNCTION segment_bucket(slug text, user_id bigint) RETURNS int
LANGUAGE sql IMMUTABLE PARALLEL SAFE
-- Every part immutable (user_id::text, not text || bigint, which is only stable), so the planner inlines it.
RETURN (('x' || left(md5(slug || ':' || user_id::text), 8))::bit(32)::bigint % 10000)::int;

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
$fn$;

-- The read caches' change log (migration MembershipChanges): every statement changing memberships records
-- the users it changed (NULL: over 200 rows, everyone) with its transaction id; each instance polls for
-- the rows committed since its last poll. The service deletes the rows of transactions that ended more
-- than an hour ago.
CREATE TABLE membership_changes (
  xid     xid8 NOT NULL,
  user_id bigint
);
CREATE INDEX membership_changes_xid_idx ON membership_changes (xid);

CREATE FUNCTION record_membership_change() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
  IF (SELECT count(*) FROM (SELECT 1 FROM changed LIMIT 201) c) > 200 THEN
    INSERT INTO membership_changes (xid, user_id) VALUES (pg_current_xact_id(), NULL);
  ELSE
    INSERT INTO membership_changes (xid, user_id) SELECT DISTINCT pg_current_xact_id(), user_id FROM changed;
  END IF;
  RETURN NULL;
END
$fn$;

CREATE TRIGGER memberships_record_insert AFTER INSERT ON memberships
REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION record_membership_change();
CREATE FUNCTION record_membership_update() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
  IF (SELECT count(*) FROM (SELECT 1 FROM after LIMIT 101) c) > 100 THEN
    INSERT INTO membership_changes (xid, user_id) VALUES (pg_current_xact_id(), NULL);
  ELSE
    INSERT INTO membership_changes (xid, user_id)
    SELECT pg_current_xact_id(), user_id FROM (SELECT user_id FROM before UNION SELECT user_id FROM after) users;
  END IF;
  RETURN NULL;
END
$fn$;

CREATE FUNCTION record_memberships_truncate() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
  INSERT INTO membership_changes (xid, user_id) VALUES (pg_current_xact_id(), NULL);
  RETURN NULL;
END
$fn$;

CREATE TRIGGER memberships_record_update AFTER UPDATE ON memberships
REFERENCING OLD TABLE AS before NEW TABLE AS after FOR EACH STATEMENT EXECUTE FUNCTION record_membership_update();
CREATE TRIGGER memberships_record_truncate AFTER TRUNCATE ON memberships
FOR EACH STATEMENT EXECUTE FUNCTION record_memberships_truncate();
CREATE TRIGGER memberships_record_delete AFTER DELETE ON memberships
REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION record_membership_change();

-- Under session_replication_role = replica (an operator's session, logical replication's apply) only
-- ALWAYS triggers fire: the change log records every write to memberships whoever makes it (migration
-- ChangeLogAlways). pg_restore --disable-triggers re-enables triggers as ORIGIN: run these again after it.
ALTER TABLE memberships ENABLE ALWAYS TRIGGER memberships_record_insert;
ALTER TABLE memberships ENABLE ALWAYS TRIGGER memberships_record_update;
ALTER TABLE memberships ENABLE ALWAYS TRIGGER memberships_record_delete;
ALTER TABLE memberships ENABLE ALWAYS TRIGGER memberships_record_truncate;

-- Slugs never change (contract): the database refuses an UPDATE of a slug, under any replication role.
CREATE FUNCTION refuse_slug_change() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
  RAISE EXCEPTION 'slugs never change: segment % keeps the slug %, not %', OLD.id, OLD.slug, NEW.slug
    USING ERRCODE = 'integrity_constraint_violation',
          HINT = 'create a segment with the new slug and move the members to it';
END
$fn$;

CREATE TRIGGER segments_slug_never_changes BEFORE UPDATE OF slug ON segments
FOR EACH ROW WHEN (OLD.slug IS DISTINCT FROM NEW.slug) EXECUTE FUNCTION refuse_slug_change();
ALTER TABLE segments ENABLE ALWAYS TRIGGER segments_slug_never_changes;

-- A segment deleted under the replica role (where the foreign key's cascade does not fire) takes its
-- memberships with it; the change log then tells every cache (migration SegmentDeletionAlways).
CREATE FUNCTION delete_memberships_of_deleted_segment() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
  DELETE FROM memberships WHERE segment_id = OLD.id;
  RETURN NULL;
END
$fn$;

CREATE TRIGGER segments_deleted_take_memberships AFTER DELETE ON segments
FOR EACH ROW EXECUTE FUNCTION delete_memberships_of_deleted_segment();
ALTER TABLE segments ENABLE ALWAYS TRIGGER segments_deleted_take_memberships;
