import { Injectable } from '@nestjs/common';
import { bucketsCovered, Segment, SegmentMember } from '@app/domain';
import { Clock, NewSegment, Page, SegmentChanges, SegmentRepository, SegmentWrite } from '@app/application';
import { ReadRouter } from '../reads/read-router';
import { WrittenSignal } from '../reads/written-signal';
import { ALL_USERS, BulkAnswer, BulkSlices, UserSlice } from '../database/bulk-slices';
import { ledgerTime } from './ledger-time';
import { MemberRow, SegmentRow, toMember, toSegment } from '../sql/rows';
import { SqlExecutor, SqlRunner } from '../database/sql-executor';
import { JOIN_BUCKET_RANGE, LEAVE_BUCKETS_FROM, LOCK_AUTO_ASSIGNMENT_EXCLUSIVE } from '../sql/auto-assignment.sql';
import { EXPIRE_SEGMENT_MEMBERSHIPS } from '../sql/memberships.sql';
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
} from '../sql/segments.sql';

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
    private readonly signal: WrittenSignal,
  ) {}

  /** A write that may change any user's segments (auto-assignment, deletion): later reads must see it, failed or not. */
  private async writing<T>(write: Promise<T>): Promise<T> {
    try {
      return await write;
    } finally {
      await this.signal.written('everyone');
    }
  }

  create(segment: NewSegment, now: Date): Promise<SegmentWrite | undefined> {
    const insert = (tx: SqlRunner) =>
      tx.rows<{ id: string }>(INSERT_SEGMENT, [segment.slug, segment.description, segment.autoPercent, now]);
    const percent = segment.autoPercent;
    if (percent === null) {
      return this.writing(
        this.sql.transaction(async (tx) => {
          const [created] = await insert(tx);
          return created && { segment: (await this.findIn(tx, segment.slug, now))!, autoAssigned: 0 };
        }),
      );
    }
    return this.writing(
      this.sql.inSlices(async (slices) => {
        const created = await slices.one(async (tx) => {
          await tx.rows(LOCK_AUTO_ASSIGNMENT_EXCLUSIVE);
          const [row] = await insert(tx);
          return row && { id: row.id, at: await ledgerTime(tx, this.clock) };
        });
        if (!created) return async () => undefined;
        const autoAssigned = await slices.overUsers((tx, users) =>
          this.joinBuckets(tx, { id: created.id, slug: segment.slug }, 0, bucketsCovered(percent), created.at, users),
        );
        return this.answer(segment.slug, now, autoAssigned);
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
    if (changes.autoPercent === undefined) {
      return this.writing(
        this.sql.transaction(async (tx) => {
          const [segment] = await tx.rows<LockedSegment>(LOCK_SEGMENT_FOR_NO_KEY_UPDATE, [slug]);
          if (!segment) return undefined;
          if (changes.description !== undefined) await tx.rows(SET_DESCRIPTION, [segment.id, changes.description]);
          return { segment: (await this.findIn(tx, slug, now))!, autoAssigned: 0 };
        }),
      );
    }
    const percent = changes.autoPercent;
    return this.writing(
      this.sql.inSlices(async (slices) => {
        const segment = await slices.one(async (tx) => {
          await tx.rows(LOCK_AUTO_ASSIGNMENT_EXCLUSIVE);
          // Re-ranging excludes the change sets and sweep batches of this segment (they key-share its row).
          const [locked] = await tx.rows<LockedSegment>(LOCK_SEGMENT_FOR_UPDATE, [slug]);
          if (!locked) return undefined;
          if (changes.description !== undefined) await tx.rows(SET_DESCRIPTION, [locked.id, changes.description]);
          await tx.rows(SET_AUTO_PERCENT, [locked.id, percent]);
          return { ...locked, at: await ledgerTime(tx, this.clock) };
        });
        if (!segment) return async () => undefined;
        const autoAssigned = await this.rebalance(slices, segment, percent);
        return this.answer(slug, now, autoAssigned);
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
        await tx.rows(EXPIRE_SEGMENT_MEMBERSHIPS, [segment.id, at, ALL_USERS.after, ALL_USERS.upTo]);
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
   * Moves the auto range (the segment's percent is already set): raising joins the newly covered buckets,
   * lowering removes auto members above it. A percent set after null recomputes the whole range, as
   * creation does: while it was null, auto members were left wherever they were. Each slice of users does
   * all of its users' part, so no slice meets rows another one changed. Answers how many users joined.
   */
  private async rebalance(
    slices: BulkSlices,
    segment: LockedSegment & { at: Date },
    percent: number | null,
  ): Promise<number> {
    if (percent === null) return 0;
    const { at } = segment;
    const before = segment.auto_percent === null ? undefined : bucketsCovered(Number(segment.auto_percent));
    const after = bucketsCovered(percent);
    const joinFrom = before ?? 0;
    if (before !== undefined && after === before) return 0;
    return slices.overUsers(async (tx, users) => {
      if (before === undefined || after < before) {
        await tx.rows(LEAVE_BUCKETS_FROM, [segment.id, segment.slug, after, at, users.after, users.upTo]);
      }
      if (after <= joinFrom) return 0;
      // An expired membership still in the table would block the join; end it first, as the cleaner would.
      await tx.rows(EXPIRE_SEGMENT_MEMBERSHIPS, [segment.id, at, users.after, users.upTo]);
      return this.joinBuckets(tx, segment, joinFrom, after, at, users);
    });
  }

  private async joinBuckets(
    tx: SqlRunner,
    segment: { id: string; slug: string },
    from: number,
    to: number,
    at: Date,
    users: UserSlice,
  ): Promise<number> {
    const [{ count }] = await tx.rows<{ count: number }>(JOIN_BUCKET_RANGE, [
      segment.id,
      segment.slug,
      from,
      to,
      at,
      users.after,
      users.upTo,
    ]);
    return count;
  }

  private answer(slug: string, now: Date, autoAssigned: number): BulkAnswer<SegmentWrite | undefined> {
    return async (tx) => {
      const segment = await this.findIn(tx, slug, now);
      return segment && { segment, autoAssigned };
    };
  }

  private async findIn(runner: SqlRunner, slug: string, now: Date): Promise<Segment | undefined> {
    const [row] = await runner.rows<SegmentRow>(SEGMENT_BY_SLUG, [now, slug]);
    return row && toSegment(row);
  }
}
