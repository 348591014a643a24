import { Injectable } from '@nestjs/common';
import { ChangeSetPlan, Membership, SegmentNotFoundError, slugsOf } from '@app/domain';
import { MembershipRepository } from '@app/application';
import {
  activeSql,
  expireMatchingSql,
  JOIN_USERS_TO_AUTO_SEGMENTS,
  LOCK_AUTO_ASSIGNMENT_SHARED,
} from './membership-sql';
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

/** At most this many lookups share one statement. */
const MAX_LOOKUPS_PER_STATEMENT = 256;

const EXPIRE_DUE_BATCH = `
  WITH due AS (
    SELECT user_id, segment_id FROM memberships
    WHERE expires_at <= $1
    ORDER BY expires_at
    LIMIT $2
    FOR UPDATE SKIP LOCKED
  ), gone AS (
    DELETE FROM memberships m USING due
    WHERE m.user_id = due.user_id AND m.segment_id = due.segment_id
    RETURNING m.user_id, m.segment_id, m.expires_at
  ), recorded AS (
    INSERT INTO membership_history (user_id, segment, operation, reason, at)
    SELECT g.user_id, s.slug, 'removed', 'ttl', g.expires_at
    FROM gone g JOIN segments s ON s.id = g.segment_id
    ORDER BY g.expires_at, g.user_id
    RETURNING 1
  )
  SELECT count(*)::int AS count FROM recorded`;

const REMOVE_MANUALLY = prepared(
  'remove_manually',
  `WITH gone AS (
    DELETE FROM memberships m
    WHERE m.user_id = $1 AND m.segment_id = ANY($2::bigint[])
    RETURNING m.segment_id
  )
  INSERT INTO membership_history (user_id, segment, operation, reason, at)
  SELECT $1, s.slug, 'removed', 'manual', $3
  FROM gone g JOIN segments s ON s.id = g.segment_id
  ORDER BY s.slug`,
);

/** Adding a held segment only resets its expiry (and makes it manual); only new joins are recorded. */
const ADD_MANUALLY = prepared(
  'add_manually',
  `WITH wanted AS (
    SELECT * FROM unnest($2::bigint[], $3::timestamptz[]) AS w(segment_id, expires_at)
  ), upserted AS (
    INSERT INTO memberships (user_id, segment_id, source, added_at, expires_at)
    SELECT $1, w.segment_id, 'manual', $4, w.expires_at FROM wanted w
    ON CONFLICT (user_id, segment_id) DO UPDATE SET expires_at = EXCLUDED.expires_at, source = 'manual'
    RETURNING segment_id, (xmax = 0) AS inserted
  )
  INSERT INTO membership_history (user_id, segment, operation, reason, at)
  SELECT $1, s.slug, 'added', 'manual', $4
  FROM upserted u JOIN segments s ON s.id = u.segment_id
  WHERE u.inserted
  ORDER BY s.slug`,
);

const EXPIRE_NAMED = prepared(
  'expire_named_memberships',
  expireMatchingSql('m.user_id = $1 AND m.segment_id = ANY($2::bigint[])', '$3'),
);

const LOCK_SEGMENTS = prepared(
  'lock_segments_key_share',
  `SELECT id, slug FROM segments WHERE slug = ANY($1::text[]) ORDER BY id FOR KEY SHARE`,
);

const REGISTER_USER = prepared(
  'register_user',
  `INSERT INTO users (user_id, known_since) VALUES ($1, $2) ON CONFLICT (user_id) DO NOTHING RETURNING 1`,
);

const LOCK_USER = prepared('lock_user', `SELECT 1 FROM users WHERE user_id = $1 FOR UPDATE`);

interface SegmentRef {
  id: string;
  slug: string;
}

interface Lookup {
  userId: number;
  now: Date;
}

@Injectable()
export class SqlMembershipRepository implements MembershipRepository {
  /** Concurrent reads share statements; half the pool at most, the rest stays free for change sets. */
  private readonly reads: LookupBatcher<Lookup, Membership[]>;

  constructor(private readonly sql: SqlExecutor) {
    const maxInFlight = Math.max(1, Math.floor(sql.maxConnections / 2));
    this.reads = new LookupBatcher((lookups) => this.activeOfMany(lookups), maxInFlight, MAX_LOOKUPS_PER_STATEMENT);
  }

  applyChanges(userId: number, plan: ChangeSetPlan, now: Date): Promise<Membership[]> {
    return this.sql.transaction(async (tx) => {
      // User first: a new user takes the auto-assignment lock before any segment lock (no deadlock with deletes).
      await this.makeKnown(tx, userId, now);
      const ids = await this.lockSegments(tx, slugsOf(plan));
      await tx.rows(EXPIRE_NAMED, [userId, [...ids.values()], now]);
      if (plan.remove.length > 0) {
        await tx.rows(REMOVE_MANUALLY, [userId, plan.remove.map((slug) => ids.get(slug)), now]);
      }
      if (plan.add.length > 0) {
        await tx.rows(ADD_MANUALLY, [
          userId,
          plan.add.map((item) => ids.get(item.slug)),
          plan.add.map((item) => item.expiresAt),
          now,
        ]);
      }
      return (await tx.rows<MembershipRow>(ACTIVE_MEMBERSHIPS, [userId, now])).map(toMembership);
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

  /** Key-share locks the named segments so that none is deleted under this change set. */
  private async lockSegments(tx: SqlRunner, slugs: string[]): Promise<Map<string, string>> {
    const found = await tx.rows<SegmentRef>(LOCK_SEGMENTS, [slugs]);
    const ids = new Map(found.map((row) => [row.slug, row.id]));
    const missing = [...new Set(slugs.filter((slug) => !ids.has(slug)))].sort();
    if (missing.length > 0) throw new SegmentNotFoundError(missing);
    return ids;
  }

  /**
   * Registers the user if new (joining the auto segments that cover them) and holds the user's row
   * lock, so change sets for one user apply one after another.
   */
  private async makeKnown(tx: SqlRunner, userId: number, now: Date): Promise<void> {
    const inserted = await tx.rows(REGISTER_USER, [userId, now]);
    if (inserted.length > 0) {
      await tx.rows(LOCK_AUTO_ASSIGNMENT_SHARED);
      await tx.rows(JOIN_USERS_TO_AUTO_SEGMENTS, [[userId], now]);
    } else {
      await tx.rows(LOCK_USER, [userId]);
    }
  }
}
