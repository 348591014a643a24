import { Readable } from 'node:stream';
import { OnApplicationShutdown } from '@nestjs/common';
import { Pool } from 'pg';
import { HistoryReportFilter, HistoryReportSource, StreamedReport } from '@app/application';
import { AppConfig } from '../config/app-config';
import { DatabaseHangWatch } from '../database/hang-watch';
import { ReadRouter } from '../reads/read-router';
import { pgCopyOut } from './pg-copy-out';
import { pgCursorOut } from './pg-cursor-out';
import { historyReportSelect } from '../sql/history-report.sql';

/**
 * On PostgreSQL: reports read with COPY over a pool of their own (REPORT_CONCURRENCY connections, the
 * bulk statement_timeout), so a long report never holds a connection reads and change sets wait for.
 */
export class CopyHistoryReportSource implements HistoryReportSource, OnApplicationShutdown {
  private readonly pool: Pool;

  constructor(
    config: AppConfig,
    private readonly hangWatch: DatabaseHangWatch,
    private readonly router: ReadRouter,
  ) {
    this.pool = new Pool({
      connectionString: config.databaseUrl,
      max: config.reportConcurrency,
      connectionTimeoutMillis: config.databaseTimeoutMs,
      statement_timeout: config.databaseBulkTimeoutMs,
      idleTimeoutMillis: 30_000,
      keepAlive: true,
      application_name: 'segmentation-service-reports',
    });
    // An idle connection the server drops emits 'error' on the pool: unheard, it would end the process.
    this.pool.on('error', () => undefined);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool.end();
  }

  async streamCsv<T>(filter: HistoryReportFilter, consume: (csv: Readable) => Promise<T>): Promise<StreamedReport<T>> {
    const select = historyReportSelect(filter);
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

/**
 * On embedded PGlite: one connection only, which reports share, read through a cursor (PGlite would
 * hold a whole COPY in memory).
 */
export class CursorHistoryReportSource implements HistoryReportSource {
  constructor(
    private readonly pool: Pool,
    private readonly statementTimeoutMs: number,
  ) {}

  streamCsv<T>(filter: HistoryReportFilter, consume: (csv: Readable) => Promise<T>): Promise<StreamedReport<T>> {
    return pgCursorOut(this.pool, historyReportSelect(filter), consume, this.statementTimeoutMs);
  }
}
