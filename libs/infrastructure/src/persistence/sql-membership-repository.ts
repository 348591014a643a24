import { Injectable } from '@nestjs/common';
import { ChangeSetPlan, InvalidInputError, Membership, SegmentNotFoundError } from '@app/domain';
import { Clock, MembershipRepository } from '@app/application';
import { AppConfig } from '../config/app-config';
import { ReadRouter, ReadTarget } from '../replicas/read-router';
import { LookupBatcher } from './lookup-batcher';
import { MembershipByIdRow, MembershipRow, toMembership } from './rows';
import { SegmentSlugs } from './segment-slugs';
import { SqlExecutor } from './sql-executor';
import { APPLY_CHANGE_SET, EXPIRY_PASSED } from './sql/change-set.sql';
import { ACTIVE_MEMBERSHIPS, ACTIVE_MEMBERSHIPS_OF_MANY, EXPIRE_DUE_BATCH } from './sql/memberships.sql';

/**
 * At most this many lookups share one statement. Small batches keep several statements in flight, so
 * Node encodes and answers one batch while PostgreSQL runs the next: 16 served 7-12% more reads than
 * 256 at 32 connections (docs/performance.md), with the same CPU per read.
 */
const MAX_LOOKUPS_PER_STATEMENT = 16;

interface Lookup {
  userId: number;
  now: Date;
}

type ChangeSetRow = MembershipRow & { kind: 'member' | 'missing' };

function membershipsAfter(rows: ChangeSetRow[]): Membership[] {
  const missing = rows.filter((row) => row.kind === 'missing').map((row) => row.slug);
  if (missing.length > 0) throw new SegmentNotFoundError([...new Set(missing)].sort());
  return rows.map(toMembership);
}

@Injectable()
export class SqlMembershipRepository implements MembershipRepository {
  /** Concurrent reads share statements, one batcher per database they are routed to (ReadRouter). */
  private readonly reads = new Map<ReadTarget, LookupBatcher<Lookup, Membership[]>>();
  private readonly slugs = new SegmentSlugs();

  constructor(
    private readonly sql: SqlExecutor,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly router: ReadRouter,
  ) {}

  /** On the primary half its pool at most (the rest stays free for change sets); a replica's whole pool. */
  private batcherOf(target: ReadTarget): LookupBatcher<Lookup, Membership[]> {
    let batcher = this.reads.get(target);
    if (!batcher) {
      const connections = target.sql.maxConnections;
      const maxInFlight = target.replica ? connections : Math.max(1, Math.floor(connections / 2));
      const load = (lookups: Lookup[]) => this.router.read(target, (sql) => this.activeOfMany(sql, lookups));
      // A read waits for its turn as long, and with as many others, as a request may wait for a connection.
      batcher = new LookupBatcher(load, maxInFlight, MAX_LOOKUPS_PER_STATEMENT, {
        waitMs: this.config.databaseTimeoutMs,
        maxWaiting: this.config.databaseMaxWaiting,
      });
      this.reads.set(target, batcher);
    }
    return batcher;
  }

  async applyChanges(userId: number, plan: ChangeSetPlan): Promise<Membership[]> {
    try {
      const rows = await this.sql.statement<ChangeSetRow>(APPLY_CHANGE_SET, [
        userId,
        plan.add.map((item) => item.slug),
        plan.add.map((item) => item.expiresAt),
        plan.remove,
        this.clock.offsetMs(),
      ]);
      await this.router.written({ users: [userId] });
      return membershipsAfter(rows);
    } catch (error) {
      const { code, detail } = error as { code?: string; detail?: string };
      if (code !== EXPIRY_PASSED) throw error;
      // The plan keeps the order of `add` (a slug listed twice never gets here): its index is the item's.
      const slugs = plan.add.map((item) => item.slug);
      throw new InvalidInputError(
        detail!.split(',').map((slug) => ({
          field: `add[${slugs.indexOf(slug)}]`,
          messages: [`the expiry of ${slug} passed before the change could take effect`],
        })),
      );
    }
  }

  activeOf(userId: number, now: Date): Promise<Membership[]> {
    return this.batcherOf(this.router.forUser(userId)).get({ userId, now });
  }

  /** One statement for them all, on a database that has every write this instance made (any user's). */
  activeOfAll(userIds: number[], now: Date): Promise<Membership[][]> {
    if (userIds.length === 0) return Promise.resolve([]);
    const lookups = userIds.map((userId) => ({ userId, now }));
    return this.router.read(this.router.forAll(), (sql) => this.activeOfMany(sql, lookups));
  }

  async expireDue(batchSize: number): Promise<number> {
    const [{ count }] = await this.sql.rows<{ count: number }>(EXPIRE_DUE_BATCH, [this.clock.offsetMs(), batchSize]);
    return count;
  }

  private async activeOfMany(sql: SqlExecutor, lookups: Lookup[]): Promise<Membership[][]> {
    if (lookups.length === 1) {
      const [{ userId, now }] = lookups;
      return [await this.slugs.memberships(sql, await sql.rows<MembershipByIdRow>(ACTIVE_MEMBERSHIPS, [userId, now]))];
    }
    const rows = await sql.rows<MembershipByIdRow & { i: number }>(ACTIVE_MEMBERSHIPS_OF_MANY, [
      lookups.map((lookup) => lookup.userId),
      lookups.map((lookup) => lookup.now),
    ]);
    const answers = lookups.map((): MembershipByIdRow[] => []);
    for (const row of rows) answers[row.i - 1].push(row);
    return this.slugs.answers(sql, answers);
  }
}
