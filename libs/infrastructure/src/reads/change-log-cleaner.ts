import { OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { SqlExecutor } from '../database/sql-executor';
import { monotonicMs } from '../monotonic';

/** Every minute it notes a snapshot; an hour after one, it deletes what had ended by it. */
const EVERY_HOUR = { everyMs: 60_000, keepMs: 3_600_000 };

/** The first deletion of a process: the rows of every transaction that had ended by snapshot $1. */
const DELETE_ENDED_BY = `
  DELETE FROM membership_changes
  WHERE xid < pg_snapshot_xmax($1::pg_snapshot) AND xid <> ALL (ARRAY(SELECT pg_snapshot_xip($1::pg_snapshot)))`;

/**
 * Each later one: the rows of transactions that ended between the previous deletion's snapshot $1 and
 * snapshot $2, as the poller reads them (ChangeLogPoller's CHANGES_SINCE): those that started after $1
 * (an index range) and those in progress in $1 that are no longer in $2 (index lookups). What an open
 * transaction wrote waits until it ends; nothing is read twice, however long it stays open.
 */
const DELETE_ENDED_BETWEEN = `
  DELETE FROM membership_changes
  WHERE (xid >= pg_snapshot_xmax($1::pg_snapshot) AND xid < pg_snapshot_xmax($2::pg_snapshot)
         AND xid <> ALL (ARRAY(SELECT pg_snapshot_xip($2::pg_snapshot))))
     OR xid = ANY (ARRAY(SELECT pg_snapshot_xip($1::pg_snapshot) EXCEPT SELECT pg_snapshot_xip($2::pg_snapshot)))`;

/**
 * Deletes change-log rows of transactions that ended more than an hour ago, every minute, cache on or
 * off (the triggers record regardless). Each minute it notes a snapshot; an hour later it deletes the
 * rows of the transactions that had ended by then (below the snapshot's xmax, not in its in-progress
 * list): every poller has seen those (a poller needs only what committed since its last poll, a second
 * ago at most). A transaction open for hours keeps its own rows, and no one else's: the snapshot's xmin,
 * which it pins, is not the bound. Each deletion reads only the rows since the previous one (the xid index).
 */
export class ChangeLogCleaner implements OnModuleInit, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private readonly noted: { at: number; snapshot: string }[] = [];
  /** The snapshot of this process's last deletion: everything that had ended by it is gone. */
  private deletedBy: string | undefined;

  constructor(
    private readonly sql: SqlExecutor,
    private readonly timing = EVERY_HOUR,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.clean().catch(() => undefined), this.timing.everyMs);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async clean(now = monotonicMs()): Promise<void> {
    const [{ snapshot }] = await this.sql.rows<{ snapshot: string }>(`SELECT pg_current_snapshot()::text AS snapshot`);
    this.noted.push({ at: now, snapshot });
    let due: string | undefined;
    while (this.noted.length > 0 && now - this.noted[0].at >= this.timing.keepMs) due = this.noted.shift()!.snapshot;
    if (due !== undefined) await this.deleteEndedBy(due);
  }

  /** Deletes the rows of the transactions that had ended by `snapshot` (a pg_snapshot's text). */
  async deleteEndedBy(snapshot: string): Promise<void> {
    if (this.deletedBy === undefined) await this.sql.rows(DELETE_ENDED_BY, [snapshot]);
    else await this.sql.rows(DELETE_ENDED_BETWEEN, [this.deletedBy, snapshot]);
    this.deletedBy = snapshot;
  }
}
