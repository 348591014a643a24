import { Membership } from '@app/domain';
import { AppConfig } from '../config/app-config';
import { SqlExecutor } from '../database/sql-executor';
import { LookupBatcher } from './lookup-batcher';
import { ACTIVE_MEMBERSHIPS, ACTIVE_MEMBERSHIPS_OF_MANY } from '../sql/memberships.sql';
import { MembershipByIdRow } from '../sql/rows';
import { ReadCache } from './read-cache';
import { ReadRouter, ReadTarget } from './read-router';
import { SegmentSlugs } from './segment-slugs';

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

/**
 * Users' active memberships, read as cheaply as they can be without showing the past: from this worker's
 * ReadCache when it is on and holds them, else from a database the ReadRouter picks, concurrent lookups
 * sharing statements (LookupBatcher), segments named from SegmentSlugs. Writes reach the cache through
 * the WrittenSignal.
 */
export class MembershipReader {
  /** Concurrent reads share statements, one batcher per database they are routed to. */
  private readonly batchers = new Map<ReadTarget, LookupBatcher<Lookup, Membership[]>>();
  private readonly slugs = new SegmentSlugs();

  constructor(
    private readonly router: ReadRouter,
    private readonly config: AppConfig,
    /** Absent when READ_CACHE_USERS=0. */
    private readonly cache: ReadCache | undefined,
  ) {}

  async activeOf(userId: number, now: Date): Promise<Membership[]> {
    const cache = this.cache;
    if (!cache) return this.read(userId, now);
    const cached = cache.get(userId, now);
    if (cached) return cached;
    const fill = cache.startFill(userId);
    try {
      const memberships = await this.read(userId, now);
      cache.keep(fill, memberships, now);
      return memberships;
    } catch (error) {
      cache.abandon(fill);
      throw error;
    }
  }

  /** The users the cache holds from it; the others in one read, each kept as activeOf keeps it. */
  async activeOfAll(userIds: number[], now: Date): Promise<Membership[][]> {
    const cache = this.cache;
    if (!cache) return this.readAll(userIds, now);
    const answers = userIds.map((userId) => cache.get(userId, now));
    const missing = userIds.filter((_, i) => answers[i] === undefined);
    if (missing.length === 0) return answers as Membership[][];
    const fills = missing.map((userId) => cache.startFill(userId));
    try {
      const read = await this.readAll(missing, now);
      fills.forEach((fill, i) => cache.keep(fill, read[i], now));
      let next = 0;
      return answers.map((answer) => answer ?? read[next++]);
    } catch (error) {
      fills.forEach((fill) => cache.abandon(fill));
      throw error;
    }
  }

  /** From the primary itself, never the cache (readiness: a cached answer would say ready while every query fails). */
  uncachedActiveOf(userId: number, now: Date): Promise<Membership[]> {
    return this.router.onPrimary(() => this.read(userId, now));
  }

  private read(userId: number, now: Date): Promise<Membership[]> {
    return this.batcherOf(this.router.forUser(userId)).get({ userId, now });
  }

  /** One statement for them all, on a database that has every write this instance made (any user's). */
  private readAll(userIds: number[], now: Date): Promise<Membership[][]> {
    if (userIds.length === 0) return Promise.resolve([]);
    const lookups = userIds.map((userId) => ({ userId, now }));
    return this.router.read(this.router.forAll(), (sql) => this.activeOfMany(sql, lookups));
  }

  /** On the primary half its pool at most (the rest stays free for change sets); a replica's whole pool. */
  private batcherOf(target: ReadTarget): LookupBatcher<Lookup, Membership[]> {
    let batcher = this.batchers.get(target);
    if (!batcher) {
      const connections = target.sql.maxConnections;
      const maxInFlight = target.replica ? connections : Math.max(1, Math.floor(connections / 2));
      const load = (lookups: Lookup[]) => this.router.read(target, (sql) => this.activeOfMany(sql, lookups));
      // A read waits for its turn as long, and with as many others, as a request may wait for a connection.
      batcher = new LookupBatcher(load, maxInFlight, MAX_LOOKUPS_PER_STATEMENT, {
        waitMs: this.config.databaseTimeoutMs,
        maxWaiting: this.config.databaseMaxWaiting,
      });
      this.batchers.set(target, batcher);
    }
    return batcher;
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
