import { OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { SqlExecutor } from '../persistence/sql-executor';

const EVERY_MS = 60_000;

/**
 * Deletes change-log rows older than an hour, every minute, cache on or off (the triggers record
 * regardless). Pollers need only rows committed since their last poll, a second ago at most: a row an
 * hour old could be missed only by a transaction committing an hour after it changed memberships,
 * far beyond DATABASE_BULK_TIMEOUT_MS per statement.
 */
export class ChangeLogCleaner implements OnModuleInit, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly sql: SqlExecutor) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.clean().catch(() => undefined), EVERY_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async clean(): Promise<void> {
    await this.sql.rows(`DELETE FROM membership_changes WHERE at < clock_timestamp() - interval '1 hour'`);
  }
}
