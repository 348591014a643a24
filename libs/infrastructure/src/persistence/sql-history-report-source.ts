import { Readable } from 'node:stream';
import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Pool } from 'pg';
import { HistoryReportFilter, HistoryReportSource, StreamedReport } from '@app/application';
import { AppConfig } from '../config/app-config';
import { Database } from '../database/service-data-source';
import { pgCopyOut } from './pg-copy-out';
import { pgCursorOut } from './pg-cursor-out';
import { historyReportSelect } from './sql/history-report.sql';

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

  streamCsv<T>(filter: HistoryReportFilter, consume: (csv: Readable) => Promise<T>): Promise<StreamedReport<T>> {
    const select = historyReportSelect(filter);
    return this.database.embedded
      ? pgCursorOut(this.pool, select, consume, this.statementTimeoutMs)
      : pgCopyOut(this.pool, select, consume);
  }
}
