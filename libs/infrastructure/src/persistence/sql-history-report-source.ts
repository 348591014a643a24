import { Readable } from 'node:stream';
import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { escapeLiteral, Pool } from 'pg';
import { HistoryReportFilter, HistoryReportSource, StreamedReport } from '@app/application';
import { AppConfig } from '../config/app-config';
import { Database } from '../database/database';
import { DatabaseHangWatch } from '../database/hang-watch';
import { ReadRouter } from '../replicas/read-router';
import { pgCopyOut } from './pg-copy-out';
import { pgCursorOut } from './pg-cursor-out';

/**
 * One CSV line per entry, built by PostgreSQL. COPY cannot take bind parameters, so values are inlined:
 * dates as ISO text, the user id as a checked integer, labels escaped. No part can hold a tab, a backslash
 * or a line break (slugs cannot), so COPY's text format writes the line unchanged.
 */
export function historyReportSelect(filter: HistoryReportFilter): string {
  if (filter.userId !== null && !Number.isSafeInteger(filter.userId)) throw new Error(`bad user id ${filter.userId}`);
  return `SELECT concat_ws(';', user_id, segment,
      CASE operation WHEN 'added' THEN ${escapeLiteral(filter.labels.added)} ELSE ${escapeLiteral(filter.labels.removed)} END,
      to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'))
    FROM membership_history
    WHERE at >= ${escapeLiteral(filter.from.toISOString())}::timestamptz
      AND at < ${escapeLiteral(filter.to.toISOString())}::timestamptz
      ${filter.userId === null ? '' : `AND user_id = ${filter.userId}`}
    ORDER BY at, user_id, segment, id`;
}

/**
 * On PostgreSQL, reports read over a pool of their own (REPORT_CONCURRENCY connections, the bulk
 * statement_timeout), so a long report never holds a connection reads and change sets wait for.
 * Embedded PGlite has one connection only: reports share it.
 */
@Injectable()
export class SqlHistoryReportSource implements HistoryReportSource, OnApplicationShutdown {
  private readonly pool: Pool;
  private readonly ownPool: Pool | undefined;
  private readonly statementTimeoutMs: number;

  constructor(
    private readonly database: Database,
    config: AppConfig,
    private readonly hangWatch: DatabaseHangWatch,
    private readonly router: ReadRouter,
  ) {
    this.statementTimeoutMs = config.databaseBulkTimeoutMs;
    const shared = (database.dataSource.driver as unknown as { master: Pool }).master;
    this.ownPool = database.embedded
      ? undefined
      : new Pool({
          connectionString: config.databaseUrl,
          max: config.reportConcurrency,
          connectionTimeoutMillis: config.databaseTimeoutMs,
          statement_timeout: config.databaseBulkTimeoutMs,
          idleTimeoutMillis: 30_000,
          keepAlive: true,
          application_name: 'segmentation-service-reports',
        });
    // An idle connection the server drops emits 'error' on the pool: unheard, it would end the process.
    this.ownPool?.on('error', () => undefined);
    this.pool = this.ownPool ?? shared;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.ownPool?.end();
  }

  async streamCsv<T>(filter: HistoryReportFilter, consume: (csv: Readable) => Promise<T>): Promise<StreamedReport<T>> {
    const select = historyReportSelect(filter);
    if (this.database.embedded) return pgCursorOut(this.pool, select, consume, this.statementTimeoutMs);
    const { replica } = await this.router.forComplete();
    if (replica) {
      let started = false;
      const consumeOnce = (csv: Readable) => {
        started = true;
        return consume(csv);
      };
      try {
        const report = await pgCopyOut(replica.reportPool, select, consumeOnce, replica.hangWatch);
        this.router.count(replica.name);
        return report;
      } catch (error) {
        // Storage has begun to take this stream: it cannot be sent twice.
        if (started) throw error;
      }
    }
    const report = await pgCopyOut(this.pool, select, consume, this.hangWatch);
    this.router.count(this.router.primary.name);
    return report;
  }
}
