import { Injectable } from '@nestjs/common';
import { bucketsCovered, Segment, SegmentMember } from '@app/domain';
import { Clock, NewSegment, Page, SegmentChanges, SegmentRepository, SegmentWrite } from '@app/application';
import { ReadRouter } from '../replicas/read-router';
import { ledgerTime } from './ledger-time';
import { MemberRow, SegmentRow, toMember, toSegment } from './rows';
import { SqlExecutor, SqlRunner } from './sql-executor';
import { JOIN_BUCKET_RANGE, LEAVE_BUCKETS_FROM, LOCK_AUTO_ASSIGNMENT_EXCLUSIVE } from './sql/auto-assignment.sql';
import { EXPIRE_SEGMENT_MEMBERSHIPS } from './sql/memberships.sql';
import {
  DELETE_SEGMENT,
  INSERT_SEGMENT,
  LOCK_SEGMENT_FOR_NO_KEY_UPDATE,
  LOCK_SEGMENT_FOR_UPDATE,
  MEMBERS_AFTER,
  REMOVE_ALL_MEMBERS,
  SEGMENT_BY_SLUG,
  SEGMENT_ID,
  SEGMENTS_AFTER,
  SET_AUTO_PERCENT,
  SET_DESCRIPTION,
} from './sql/segments.sql';

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
    await this.router.written({ everyone: true });
    return result;
  }

  create(segment: NewSegment, now: Date): Promise<SegmentWrite | undefined> {
    return this.writing(
      this.sql.transaction(async (tx) => {
        if (segment.autoPercent !== null) await tx.rows(LOCK_AUTO_ASSIGNMENT_EXCLUSIVE);
        const [created] = await tx.rows<{ id: string }>(INSERT_SEGMENT, [
          segment.slug,
          segment.description,
          segment.autoPercent,
          now,
        ]);
        if (!created) return undefined;
        let autoAssigned = 0;
        if (segment.autoPercent !== null) {
          const at = await ledgerTime(tx, this.clock);
          const range = [created.id, segment.slug, 0, bucketsCovered(segment.autoPercent), at];
          [{ count: autoAssigned }] = await tx.rows<{ count: number }>(JOIN_BUCKET_RANGE, range);
        }
        return { segment: (await this.findIn(tx, segment.slug, now))!, autoAssigned };
      }),
    );
  }

  findBySlug(slug: string, now: Date): Promise<Segment | undefined> {
    return this.router.read(this.router.forAll(), (sql) => this.findIn(sql, slug, now));
  }

  listAfter(afterSlug: string | undefined, limit: number, now: Date): Promise<Page<Segment>> {
    return this.router.read(this.router.forAll(), async (sql) => {
      const rows = await sql.rows<SegmentRow>(SEGMENTS_AFTER, [now, afterSlug ?? null, limit + 1]);
      return page(rows.map(toSegment), limit);
    });
  }

  update(slug: string, changes: SegmentChanges, now: Date): Promise<SegmentWrite | undefined> {
    return this.writing(
      this.sql.transaction(async (tx) => {
        const rebalances = changes.autoPercent !== undefined;
        if (rebalances) await tx.rows(LOCK_AUTO_ASSIGNMENT_EXCLUSIVE);
        // Re-ranging excludes the change sets and sweep batches of this segment (they key-share its row).
        const [segment] = await tx.rows<LockedSegment>(
          rebalances ? LOCK_SEGMENT_FOR_UPDATE : LOCK_SEGMENT_FOR_NO_KEY_UPDATE,
          [slug],
        );
        if (!segment) return undefined;
        if (changes.description !== undefined) await tx.rows(SET_DESCRIPTION, [segment.id, changes.description]);
        const autoAssigned = rebalances ? await this.rebalance(tx, segment, changes.autoPercent ?? null) : 0;
        return { segment: (await this.findIn(tx, slug, now))!, autoAssigned };
      }),
    );
  }

  delete(slug: string): Promise<boolean> {
    return this.writing(
      this.sql.transaction(async (tx) => {
        await tx.rows(LOCK_AUTO_ASSIGNMENT_EXCLUSIVE);
        const [segment] = await tx.rows<LockedSegment>(LOCK_SEGMENT_FOR_UPDATE, [slug]);
        if (!segment) return false;
        const at = await ledgerTime(tx, this.clock);
        await tx.rows(EXPIRE_SEGMENT_MEMBERSHIPS, [segment.id, at]);
        await tx.rows(REMOVE_ALL_MEMBERS, [segment.id, segment.slug, at]);
        await tx.rows(DELETE_SEGMENT, [segment.id]);
        return true;
      }),
    );
  }

  membersAfter(
    slug: string,
    afterUserId: number | undefined,
    limit: number,
    now: Date,
  ): Promise<Page<SegmentMember> | undefined> {
    return this.router.read(this.router.forAll(), async (sql) => {
      const [segment] = await sql.rows<{ id: string }>(SEGMENT_ID, [slug]);
      if (!segment) return undefined;
      const rows = await sql.rows<MemberRow>(MEMBERS_AFTER, [segment.id, afterUserId ?? 0, now, limit + 1]);
      return page(rows.map(toMember), limit);
    });
  }

  /**
   * Moves the auto range: raising joins the newly covered buckets, lowering removes auto members above
   * it. A percent set after null recomputes the whole range, as creation does: while it was null, auto
   * members were left wherever they were. Answers how many users joined.
   */
  private async rebalance(tx: SqlRunner, segment: LockedSegment, percent: number | null): Promise<number> {
    await tx.rows(SET_AUTO_PERCENT, [segment.id, percent]);
    if (percent === null) return 0;
    const at = await ledgerTime(tx, this.clock);
    const before = segment.auto_percent === null ? undefined : bucketsCovered(Number(segment.auto_percent));
    const after = bucketsCovered(percent);
    if (before === undefined || after < before) {
      await tx.rows(LEAVE_BUCKETS_FROM, [segment.id, segment.slug, after, at]);
    }
    const joinFrom = before ?? 0;
    if (after > joinFrom) {
      // An expired membership still in the table would block the join; end it first, as the cleaner would.
      await tx.rows(EXPIRE_SEGMENT_MEMBERSHIPS, [segment.id, at]);
      const [{ count }] = await tx.rows<{ count: number }>(JOIN_BUCKET_RANGE, [
        segment.id,
        segment.slug,
        joinFrom,
        after,
        at,
      ]);
      return count;
    }
    return 0;
  }

  private async findIn(runner: SqlRunner, slug: string, now: Date): Promise<Segment | undefined> {
    const [row] = await runner.rows<SegmentRow>(SEGMENT_BY_SLUG, [now, slug]);
    return row && toSegment(row);
  }
}
