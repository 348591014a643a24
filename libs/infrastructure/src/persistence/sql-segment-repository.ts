import { Injectable } from '@nestjs/common';
import { bucketsCovered, Segment, SegmentMember } from '@app/domain';
import { Clock, NewSegment, Page, SegmentChanges, SegmentRepository } from '@app/application';
import { ReadRouter } from '../replicas/read-router';
import { ledgerTime } from './ledger-time';
import {
  activeSql,
  expireMatchingSql,
  JOIN_BUCKET_RANGE,
  LEAVE_BUCKETS_FROM,
  LOCK_AUTO_ASSIGNMENT_EXCLUSIVE,
} from './membership-sql';
import { MemberRow, SegmentRow, toMember, toSegment } from './rows';
import { SqlExecutor, SqlRunner } from './sql-executor';

const SEGMENT_COLUMNS = `
  s.slug, s.description, s.auto_percent, s.created_at,
  (SELECT count(*) FROM memberships m WHERE m.segment_id = s.id AND ${activeSql('m', '$1')})::int AS members`;

interface LockedSegment {
  id: string;
  slug: string;
  auto_percent: string | null;
}

function page<T>(rows: T[], limit: number): Page<T> {
  return { items: rows.slice(0, limit), hasMore: rows.length > limit };
}

@Injectable()
export class SqlSegmentRepository implements SegmentRepository {
  constructor(
    private readonly sql: SqlExecutor,
    private readonly clock: Clock,
    private readonly router: ReadRouter,
  ) {}

  /** A write that may change any user's segments (auto-assignment, deletion): later reads must see it. */
  private async writing<T>(write: Promise<T>): Promise<T> {
    const result = await write;
    this.router.allWritten();
    return result;
  }

  create(segment: NewSegment, now: Date): Promise<Segment | undefined> {
    return this.writing(this.sql.transaction(async (tx) => {
      if (segment.autoPercent !== null) await tx.rows(LOCK_AUTO_ASSIGNMENT_EXCLUSIVE);
      const [created] = await tx.rows<{ id: string }>(
        `INSERT INTO segments (slug, description, auto_percent, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (slug) DO NOTHING RETURNING id`,
        [segment.slug, segment.description, segment.autoPercent, now],
      );
      if (!created) return undefined;
      if (segment.autoPercent !== null) {
        const at = await ledgerTime(tx, this.clock);
        await tx.rows(JOIN_BUCKET_RANGE, [created.id, segment.slug, 0, bucketsCovered(segment.autoPercent), at]);
      }
      return this.findIn(tx, segment.slug, now);
    }));
  }

  findBySlug(slug: string, now: Date): Promise<Segment | undefined> {
    return this.router.read(this.router.forAll(), (sql) => this.findIn(sql, slug, now));
  }

  listAfter(afterSlug: string | undefined, limit: number, now: Date): Promise<Page<Segment>> {
    return this.router.read(this.router.forAll(), (sql) => this.listIn(sql, afterSlug, limit, now));
  }

  private async listIn(sql: SqlRunner, afterSlug: string | undefined, limit: number, now: Date): Promise<Page<Segment>> {
    const rows = await sql.rows<SegmentRow>(
      `SELECT ${SEGMENT_COLUMNS} FROM segments s
       WHERE $2::text IS NULL OR s.slug > $2::text
       ORDER BY s.slug LIMIT $3`,
      [now, afterSlug ?? null, limit + 1],
    );
    return page(rows.map(toSegment), limit);
  }

  update(slug: string, changes: SegmentChanges, now: Date): Promise<Segment | undefined> {
    return this.writing(this.sql.transaction(async (tx) => {
      const rebalances = changes.autoPercent !== undefined;
      if (rebalances) await tx.rows(LOCK_AUTO_ASSIGNMENT_EXCLUSIVE);
      // Re-ranging excludes the change sets and sweep batches of this segment (they key-share its row).
      const segment = await this.lock(tx, slug, rebalances ? 'FOR UPDATE' : 'FOR NO KEY UPDATE');
      if (!segment) return undefined;
      if (changes.description !== undefined) {
        await tx.rows(`UPDATE segments SET description = $2 WHERE id = $1`, [segment.id, changes.description]);
      }
      if (rebalances) await this.rebalance(tx, segment, changes.autoPercent ?? null);
      return this.findIn(tx, slug, now);
    }));
  }

  delete(slug: string): Promise<boolean> {
    return this.writing(this.sql.transaction(async (tx) => {
      await tx.rows(LOCK_AUTO_ASSIGNMENT_EXCLUSIVE);
      const segment = await this.lock(tx, slug, 'FOR UPDATE');
      if (!segment) return false;
      const at = await ledgerTime(tx, this.clock);
      await tx.rows(expireMatchingSql('m.segment_id = $1', '$2'), [segment.id, at]);
      await tx.rows(
        `WITH gone AS (
           DELETE FROM memberships WHERE segment_id = $1 RETURNING user_id
         )
         INSERT INTO membership_history (user_id, segment, operation, reason, at)
         SELECT user_id, $2, 'removed', 'segment_deleted', $3 FROM gone ORDER BY user_id`,
        [segment.id, segment.slug, at],
      );
      await tx.rows(`DELETE FROM segments WHERE id = $1`, [segment.id]);
      return true;
    }));
  }

  membersAfter(
    slug: string,
    afterUserId: number | undefined,
    limit: number,
    now: Date,
  ): Promise<Page<SegmentMember> | undefined> {
    return this.router.read(this.router.forAll(), (sql) => this.membersIn(sql, slug, afterUserId, limit, now));
  }

  private async membersIn(
    sql: SqlRunner,
    slug: string,
    afterUserId: number | undefined,
    limit: number,
    now: Date,
  ): Promise<Page<SegmentMember> | undefined> {
    const [segment] = await sql.rows<{ id: string }>(`SELECT id FROM segments WHERE slug = $1`, [slug]);
    if (!segment) return undefined;
    const rows = await sql.rows<MemberRow>(
      `SELECT m.user_id, m.source, m.added_at, m.expires_at FROM memberships m
       WHERE m.segment_id = $1 AND m.user_id > $2 AND ${activeSql('m', '$3')}
       ORDER BY m.user_id LIMIT $4`,
      [segment.id, afterUserId ?? 0, now, limit + 1],
    );
    return page(rows.map(toMember), limit);
  }

  /**
   * Moves the auto range: raising joins the newly covered buckets, lowering removes auto members above
   * it. A percent set after null recomputes the whole range, as creation does: while it was null, auto
   * members were left wherever they were.
   */
  private async rebalance(tx: SqlRunner, segment: LockedSegment, percent: number | null): Promise<void> {
    await tx.rows(`UPDATE segments SET auto_percent = $2 WHERE id = $1`, [segment.id, percent]);
    if (percent === null) return;
    const at = await ledgerTime(tx, this.clock);
    const before = segment.auto_percent === null ? undefined : bucketsCovered(Number(segment.auto_percent));
    const after = bucketsCovered(percent);
    if (before === undefined || after < before) {
      await tx.rows(LEAVE_BUCKETS_FROM, [segment.id, segment.slug, after, at]);
    }
    const joinFrom = before ?? 0;
    if (after > joinFrom) {
      // An expired membership still in the table would block the join; end it first, as the cleaner would.
      await tx.rows(expireMatchingSql('m.segment_id = $1', '$2'), [segment.id, at]);
      await tx.rows(JOIN_BUCKET_RANGE, [segment.id, segment.slug, joinFrom, after, at]);
    }
  }

  private async lock(
    tx: SqlRunner,
    slug: string,
    mode: 'FOR UPDATE' | 'FOR NO KEY UPDATE',
  ): Promise<LockedSegment | undefined> {
    const [row] = await tx.rows<LockedSegment>(
      `SELECT id, slug, auto_percent FROM segments WHERE slug = $1 ${mode}`,
      [slug],
    );
    return row;
  }

  private async findIn(runner: SqlRunner, slug: string, now: Date): Promise<Segment | undefined> {
    const [row] = await runner.rows<SegmentRow>(`SELECT ${SEGMENT_COLUMNS} FROM segments s WHERE s.slug = $2`, [
      now,
      slug,
    ]);
    return row && toSegment(row);
  }
}
