import { OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { SqlExecutor } from '../persistence/sql-executor';

const EVERY_MS = 60_000;
const KEEP_MS = 3_600_000;

/**
 * Deletes change-log rows of transactions that ended more than an hour ago, every minute, cache on or
 * off (the triggers record regardless). Each minute it notes the oldest transaction still running
 * (the xmin of a snapshot); an hour later, every transaction older than that one has long committed
 * or aborted, so every poller has seen its rows (a poller needs only what committed since its last
 * poll, a second ago at most). Only the xid index is read.
 */
export class ChangeLogCleaner implements OnModuleInit, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private readonly noted: { at: number; xmin: string }[] = [];

  constructor(private readonly sql: SqlExecutor) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.clean().catch(() => undefined), EVERY_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async clean(now = Date.now()): Promise<void> {
    const [{ xmin }] = await this.sql.rows<{ xmin: string }>(
      `SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin`,
    );
    this.noted.push({ at: now, xmin });
    let due: string | undefined;
    while (this.noted.length > 0 && now - this.noted[0].at >= KEEP_MS) due = this.noted.shift()!.xmin;
    if (due !== undefined) await this.deleteEndedBefore(due);
  }

  /** Deletes the rows of transactions older than `xmin`, the xmin of a snapshot: all of them have ended. */
  async deleteEndedBefore(xmin: string): Promise<void> {
    await this.sql.rows(`DELETE FROM membership_changes WHERE xid < $1::xid8`, [xmin]);
  }
}
