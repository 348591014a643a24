import { AsyncLocalStorage } from 'node:async_hooks';
import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { SqlExecutor } from '../database/sql-executor';
import { ReplicaLagWatcher, ReplicaStatus } from './replica-lag-watcher';
import { Replica, ReplicaPools } from './replica-pools';
import { WriteFences } from './write-fences';
import { monotonicMs } from '../monotonic';

/** Where one read runs: the primary, or a replica. */
export interface ReadTarget {
  /** `primary`, or the replica's host:port. */
  readonly name: string;
  readonly sql: SqlExecutor;
  readonly replica?: Replica;
}

const PRIMARY = 'primary';
const primaryOnly = new AsyncLocalStorage<true>();

/**
 * Sends reads to a replica that has everything they must show, else to the primary (docs/scaling.md):
 * the replica must be within REPLICA_MAX_LAG_MS of the primary and past this instance's last write that
 * the read would show (WriteFences, which the WrittenSignal moves). Writes never come here: repositories write
 * on the primary. Without DATABASE_REPLICA_URLS every read is the primary's.
 */
@Injectable()
export class ReadRouter implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly primary: ReadTarget;
  private readonly targets: Map<Replica, ReadTarget>;
  private readonly served = new Map<string, number>();
  private turn = 0;

  constructor(
    primarySql: SqlExecutor,
    private readonly pools: ReplicaPools,
    private readonly watcher: ReplicaLagWatcher,
    private readonly fences: WriteFences,
  ) {
    this.primary = { name: PRIMARY, sql: primarySql };
    this.targets = new Map(
      pools.replicas.map((replica) => [replica, { name: replica.name, sql: replica.sql, replica }]),
    );
    for (const name of [PRIMARY, ...pools.replicas.map((replica) => replica.name)]) this.served.set(name, 0);
  }

  onApplicationBootstrap(): void {
    this.watcher.start();
  }

  async onApplicationShutdown(): Promise<void> {
    this.watcher.stop();
    await this.pools.close();
  }

  /** Runs `work` with every read it makes on the primary (readiness probes the primary itself). */
  onPrimary<T>(work: () => T): T {
    return primaryOnly.run(true, work);
  }

  /** For a read of one user's segments or history. */
  forUser(userId: number): ReadTarget {
    return this.pick(this.fences.ofUser(userId));
  }

  /** For a read across users: segments, their members. */
  forAll(): ReadTarget {
    return this.pick(this.fences.ofAll());
  }

  /**
   * For a report, which must be complete: a replica that has replayed every write any instance had
   * finished when the report was asked for (waiting up to the lag bound for one), else the primary.
   */
  async forComplete(): Promise<ReadTarget> {
    const asked = monotonicMs();
    const until = asked + this.watcher.intervalMs * 3;
    for (;;) {
      const target = this.pick(Math.max(asked, this.fences.ofAll()));
      if (target !== this.primary || this.targets.size === 0 || monotonicMs() > until) return target;
      await Promise.race([
        this.watcher.nextTick(),
        new Promise((resolve) => setTimeout(resolve, this.watcher.intervalMs * 2)),
      ]);
    }
  }

  /**
   * Runs a read on `target`. A replica that fails it (down, restarting, a recovery conflict, too busy) is
   * skipped until its next check when it could not be reached, and the read runs again on the primary.
   */
  async read<T>(target: ReadTarget, work: (sql: SqlExecutor) => Promise<T>): Promise<T> {
    if (target.replica) {
      try {
        const result = await work(target.sql);
        this.count(target.name);
        return result;
      } catch (error) {
        if (unreachable(error)) this.watcher.markDown(target.replica);
      }
    }
    const result = await work(this.primary.sql);
    this.count(PRIMARY);
    return result;
  }

  /** Reads answered so far, by database. */
  readsServed(): ReadonlyMap<string, number> {
    return this.served;
  }

  replicaStatus(): ReplicaStatus[] {
    return this.watcher.status();
  }

  count(name: string): void {
    this.served.set(name, (this.served.get(name) ?? 0) + 1);
  }

  private pick(fence: number): ReadTarget {
    if (this.targets.size === 0 || primaryOnly.getStore()) return this.primary;
    const usable = this.watcher.usable(fence);
    if (usable.length === 0) return this.primary;
    this.turn = (this.turn + 1) % usable.length;
    return this.targets.get(usable[this.turn])!;
  }
}

/** A failure to reach the server, rather than an answer from it. */
function unreachable(error: unknown): boolean {
  const code = (error as { code?: string } | undefined)?.code;
  // 57P01-57P03: the server is shutting down or starting; no SQLSTATE at all: the connection failed.
  return code === undefined || !/^[0-9A-Z]{5}$/.test(code) || code.startsWith('57P') || code.startsWith('08');
}
