import { FactoryProvider } from '@nestjs/common';
import { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { HistoryReportSource } from '@app/application';
import { AppConfig } from '../config/app-config';
import { DATABASE_POOL } from '../database/database-pool.provider';
import { DatabaseHangWatch } from '../database/hang-watch';
import { ReadRouter } from '../reads/read-router';
import { ServiceDataSource } from '../database/service-data-source';
import { CopyHistoryReportSource, CursorHistoryReportSource } from './sql-history-report-source';

/** COPY on PostgreSQL, a cursor on embedded PGlite: chosen once, at start-up. */
export const historyReportSourceProvider: FactoryProvider<HistoryReportSource> = {
  provide: HistoryReportSource,
  useFactory: (
    dataSource: ServiceDataSource,
    pool: Pool,
    config: AppConfig,
    hangWatch: DatabaseHangWatch,
    router: ReadRouter,
  ) =>
    dataSource.embedded
      ? new CursorHistoryReportSource(pool, config.databaseBulkTimeoutMs)
      : new CopyHistoryReportSource(config, hangWatch, router),
  inject: [DataSource, DATABASE_POOL, AppConfig, DatabaseHangWatch, ReadRouter],
};
