import { Injectable } from '@nestjs/common';
import { ChangeSetPlan, Membership, SegmentNotFoundError } from '@app/domain';
import { MembershipRepository } from '@app/application';
import { activeSql, expireMatchingSql, JOIN_USERS_TO_AUTO_SEGMENTS, LOCK_AUTO_ASSIGNMENT_SHARED } from './membership-sql';
import { LookupBatcher } from './lookup-batcher';
import { MembershipRow, toMembership } from './rows';
import { prepared, SqlExecutor, SqlRunner } from './sql-executor';

// The hot paths' statements are prepared: parsed and planned once per connection.
const ACTIVE_MEMBERSHIPS = prepared(
  'active_memberships',
  `SELECT s.slug, m.source, m.added_at, m.expires_at
  FROM memberships m JOIN segments s ON s.id = m.segment_id
  WHERE m.user_id = $1 AND ${activeSql('m', '$2')}
  ORDER BY s.slug`,
);

/** ACTIVE_MEMBERSHIPS for many lookups at once: user $1[i] at time $2[i], rows tagged with i. */
const ACTIVE_MEMBERSHIPS_OF_MANY = prepared(
  'active_memberships_of_many',
  `SELECT q.i::int AS i, s.slug, m.source, m.added_at, m.expires_at
  FROM unnest($1::bigint[], $2::timestamptz[]) WITH ORDINALITY AS q(user_id, now, i)
  JOIN memberships m ON m.user_id = q.user_id AND ${activeSql('m', 'q.now')}
  JOIN segments s ON s.id = m.segment_id
  ORDER BY q.i, s.slug`,
);

/**
 * At most this many lookups share one statement. Small batches keep several statements in flight, so
 * Node encodes and answers one batch while PostgreSQL runs the next: 16 served 7-12% more reads than
 * 256 at 32 connections (docs/performance.md), with the same CPU per read.
 */
const MAX_LOOKUPS_PER_STATEMENT = 16;

/** One bounded batch of the sweep; rows another transaction holds are left for the next run. */
const EXPIRE_DUE_BATCH = expireMatchingSql('m.user_id = due.user_id AND m.segment_id = due.segment_id', '$1', {
  leading: `due AS (
    SELECT user_id, segment_id FROM memberships
    WHERE expires_at <= $1
    ORDER BY expires_at
    LIMIT $2
    FOR UPDATE SKIP LOCKED
  )`,
  using: 'due',
});

/**
 * Registers user $1 (known since $2) if new, and either way holds the user's row lock until the
 * transaction ends (ON CONFLICT DO UPDATE locks the row even when its WHERE skips the update), so
 * that two first change sets of one user register them once. Returns a row only when the user is new.
 */
const REGISTER_AND_LOCK_USER = prepared(
  'register_and_lock_user',
  `INSERT INTO users AS u (user_id, known_since) VALUES ($1, $2)
  ON CONFLICT (user_id) DO UPDATE SET known_since = u.known_since WHERE false
  RETURNING 1`,
);

/**
 * The whole change set for user $1 in one statement, which is one transaction by itself: add the
 * slugs $2 with expiries $3, remove the slugs $4, at time $5. Answers rows of `kind`:
 * - `unknown` (one row, nothing changed) when the user is not known yet: the caller registers them
 *   first (see applyChanges);
 * - `missing`, one per slug naming no segment, when any does: nothing changed;
 * - else `member`: the user's active memberships after the change, ordered by slug.
 *
 * - Key-share locks the named segments, so none is deleted under the change set.
 * - A named membership that has expired is recorded as removed (`ttl`) at its own expiry; adding
 *   it again is a new join. Removing a held one records a manual removal. Adding one not held is a
 *   join; adding a held one only sets its expiry (and makes it manual), with no history.
 * - History rows get their ids in the order: expiries by time, removals by slug, joins by slug.
 * 
 * - `renew` (one row, nothing changed) when $6 is false and an added membership has expired but is
 *   still stored: renewing it records its expiry from what this statement's snapshot saw, which is
 *   exact only while no other change set of the user runs, so the caller re-runs it under the user's
 *   row lock with $6 true.
 *
 * Concurrent writers of the same membership (another change set of this user, the sweep, an
 * auto-assignment) are settled row by row: a DELETE or upsert waits for the other writer and acts on
 * what it left, and the history comes from what was actually deleted or inserted (RETURNING), never
 * from this statement's snapshot alone, so every join and leave is recorded exactly once.
 */
const APPLY_CHANGE_SET = prepared(
  'apply_change_set',
  `WITH known AS (
    SELECT 1 FROM users WHERE user_id = $1
  ), wanted AS (
    SELECT a.slug, true AS adding, a.expires_at
    FROM unnest($2::text[], $3::timestamptz[]) AS a(slug, expires_at)
    UNION ALL
    SELECT r.slug, false, NULL::timestamptz FROM unnest($4::text[]) AS r(slug)
  ), locked AS (
    SELECT s.id, s.slug FROM segments s
    WHERE s.slug IN (SELECT slug FROM wanted) AND EXISTS (SELECT 1 FROM known)
    ORDER BY s.id
    FOR KEY SHARE
  ), missing AS (
    SELECT w.slug FROM wanted w WHERE EXISTS (SELECT 1 FROM known) AND w.slug NOT IN (SELECT slug FROM locked)
  ), target AS (
    SELECT l.id AS segment_id, l.slug, w.adding, w.expires_at,
           m.expires_at AS held_expires_at, coalesce(m.expires_at <= $5, false) AS held_expired
    FROM wanted w
    JOIN locked l ON l.slug = w.slug
    LEFT JOIN memberships m ON m.user_id = $1 AND m.segment_id = l.id
    WHERE NOT EXISTS (SELECT 1 FROM missing)
  ), stale AS (
    SELECT 1 FROM target t WHERE t.adding AND t.held_expired AND NOT $6::boolean
  ), removed AS (
    DELETE FROM memberships m
    USING target t
    WHERE NOT t.adding AND m.user_id = $1 AND m.segment_id = t.segment_id AND NOT EXISTS (SELECT 1 FROM stale)
    RETURNING t.slug, m.expires_at
  ), upserted AS (
    INSERT INTO memberships AS m (user_id, segment_id, source, added_at, expires_at)
    SELECT $1, t.segment_id, 'manual', $5, t.expires_at FROM target t WHERE t.adding AND NOT EXISTS (SELECT 1 FROM stale)
    ORDER BY t.segment_id
    ON CONFLICT (user_id, segment_id) DO UPDATE
      SET source = 'manual',
          expires_at = EXCLUDED.expires_at,
          added_at = CASE WHEN m.expires_at <= EXCLUDED.added_at THEN EXCLUDED.added_at ELSE m.added_at END
    RETURNING m.segment_id, m.source, m.added_at, m.expires_at, (m.xmax = 0) AS inserted
  ), added AS (
    SELECT t.slug, t.held_expires_at, u.source, u.added_at, u.expires_at,
           NOT u.inserted AND t.held_expired AS renewed, u.inserted
    FROM upserted u JOIN target t ON t.segment_id = u.segment_id
  ), events AS (
    SELECT 1 AS stage, r.expires_at AS at, r.slug, 'removed' AS operation, 'ttl' AS reason
    FROM removed r WHERE r.expires_at <= $5
    UNION ALL
    SELECT 1, a.held_expires_at, a.slug, 'removed', 'ttl' FROM added a WHERE a.renewed
    UNION ALL
    SELECT 2, $5, r.slug, 'removed', 'manual' FROM removed r WHERE NOT coalesce(r.expires_at <= $5, false)
    UNION ALL
    SELECT 3, $5, a.slug, 'added', 'manual' FROM added a WHERE a.inserted OR a.renewed
  ), recorded AS (
    INSERT INTO membership_history (user_id, segment, operation, reason, at)
    SELECT $1, e.slug, e.operation, e.reason, e.at FROM events e ORDER BY e.stage, e.at, e.slug
  )
  SELECT 'member' AS kind, s.slug, m.source, m.added_at, m.expires_at
  FROM memberships m JOIN segments s ON s.id = m.segment_id
  WHERE m.user_id = $1 AND ${activeSql('m', '$5')}
    AND NOT EXISTS (SELECT 1 FROM target t WHERE t.segment_id = m.segment_id)
    AND NOT EXISTS (SELECT 1 FROM missing)
    AND NOT EXISTS (SELECT 1 FROM stale)
  UNION ALL
  SELECT 'member', a.slug, a.source, a.added_at, a.expires_at FROM added a
  UNION ALL
  SELECT 'missing', slug, NULL, NULL, NULL FROM missing
  UNION ALL
  SELECT 'unknown', NULL, NULL, NULL, NULL WHERE NOT EXISTS (SELECT 1 FROM known)
  UNION ALL
  SELECT 'renew', NULL, NULL, NULL, NULL WHERE EXISTS (SELECT 1 FROM stale)
  ORDER BY slug`,
);

interface Lookup {
  userId: number;
  now: Date;
}

type ChangeSetRow = MembershipRow & { kind: 'member' | 'missing' | 'unknown' | 'renew' };

function membershipsAfter(rows: ChangeSetRow[]): Membership[] {
  const missing = rows.filter((row) => row.kind === 'missing').map((row) => row.slug);
  if (missing.length > 0) throw new SegmentNotFoundError([...new Set(missing)].sort());
  return rows.map(toMembership);
}

@Injectable()
export class SqlMembershipRepository implements MembershipRepository {
  /** Concurrent reads share statements; half the pool at most, the rest stays free for change sets. */
  private readonly reads: LookupBatcher<Lookup, Membership[]>;

  constructor(private readonly sql: SqlExecutor) {
    const maxInFlight = Math.max(1, Math.floor(sql.maxConnections / 2));
    this.reads = new LookupBatcher((lookups) => this.activeOfMany(lookups), maxInFlight, MAX_LOOKUPS_PER_STATEMENT);
  }

  /**
   * A known user's change set is one statement, one round trip. A user not known yet is registered
   * (joining the auto segments that cover them), and an expired membership is renewed, in a
   * transaction that holds the user's row lock and then applies the same statement.
   */
  async applyChanges(userId: number, plan: ChangeSetPlan, now: Date): Promise<Membership[]> {
    const params = (underUserLock: boolean) => [
      userId,
      plan.add.map((item) => item.slug),
      plan.add.map((item) => item.expiresAt),
      plan.remove,
      now,
      underUserLock,
    ];
    const rows = await this.sql.statement<ChangeSetRow>(APPLY_CHANGE_SET, params(false));
    const kind = rows[0]?.kind;
    if (kind !== 'unknown' && kind !== 'renew') return membershipsAfter(rows);
    return this.sql.transaction(async (tx) => {
      // User first: a new user takes the auto-assignment lock before any segment lock (no deadlock with deletes).
      await this.makeKnown(tx, userId, now);
      return membershipsAfter(await tx.rows<ChangeSetRow>(APPLY_CHANGE_SET, params(true)));
    });
  }

  activeOf(userId: number, now: Date): Promise<Membership[]> {
    return this.reads.get({ userId, now });
  }

  async expireDue(now: Date, batchSize: number): Promise<number> {
    const [{ count }] = await this.sql.rows<{ count: number }>(EXPIRE_DUE_BATCH, [now, batchSize]);
    return count;
  }

  private async activeOfMany(lookups: Lookup[]): Promise<Membership[][]> {
    if (lookups.length === 1) {
      const [{ userId, now }] = lookups;
      return [(await this.sql.rows<MembershipRow>(ACTIVE_MEMBERSHIPS, [userId, now])).map(toMembership)];
    }
    const rows = await this.sql.rows<MembershipRow & { i: number }>(ACTIVE_MEMBERSHIPS_OF_MANY, [
      lookups.map((lookup) => lookup.userId),
      lookups.map((lookup) => lookup.now),
    ]);
    const answers = lookups.map((): Membership[] => []);
    for (const row of rows) answers[row.i - 1].push(toMembership(row));
    return answers;
  }

  /**
   * Registers the user if new (joining the auto segments that cover them), holding the user's row lock
   * until the transaction ends.
   */
  private async makeKnown(tx: SqlRunner, userId: number, now: Date): Promise<void> {
    const inserted = await tx.rows(REGISTER_AND_LOCK_USER, [userId, now]);
    if (inserted.length > 0) {
      await tx.rows(LOCK_AUTO_ASSIGNMENT_SHARED);
      await tx.rows(JOIN_USERS_TO_AUTO_SEGMENTS, [[userId], now]);
    }
  }
}
