import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, DataSourceOptions } from 'typeorm';
import { HistoryRepository, MembershipRepository, SegmentRepository, UserRegistry } from '@app/application';
import { AppConfig } from './config/app-config';
import { databasePoolProvider } from './database/database-pool.provider';
import { dataSourceOptions } from './database/data-source-options';
import { DatabaseHangWatch } from './database/hang-watch';
import { ServiceDataSource } from './database/service-data-source';
import { historyReportSourceProvider } from './persistence/history-report-source.provider';
import { SqlExecutor } from './database/sql-executor';
import { SqlHistoryRepository } from './persistence/sql-history-repository';
import { SqlMembershipRepository } from './persistence/sql-membership-repository';
import { SqlSegmentRepository } from './persistence/sql-segment-repository';
import { SqlUserRegistry } from './persistence/sql-user-registry';
import { readProviders } from './reads/reads.providers';
import { WorkerChannel } from './workers/worker-channel';

const providers = [
  { provide: ServiceDataSource, useExisting: DataSource },
  databasePoolProvider,
  {
    provide: DatabaseHangWatch,
    useFactory: (config: AppConfig) => new DatabaseHangWatch(config.databaseUrl, config.databaseStatementTimeoutMs),
    inject: [AppConfig],
  },
  SqlExecutor,
  { provide: WorkerChannel, useFactory: () => new WorkerChannel() },
  ...readProviders,
  { provide: MembershipRepository, useClass: SqlMembershipRepository },
  { provide: SegmentRepository, useClass: SqlSegmentRepository },
  { provide: UserRegistry, useClass: SqlUserRegistry },
  { provide: HistoryRepository, useClass: SqlHistoryRepository },
  historyReportSourceProvider,
];

/**
 * The database and the repositories over it. TypeORM opens it (and PGlite when embedded, unless the entry
 * point started it early, as its holder), runs the migrations, and destroys it at shutdown; the pg Pool it
 * opened is DATABASE_POOL.
 */
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [AppConfig],
      // A database that cannot be reached fails start-up at once, with one line (no retries).
      useFactory: (config: AppConfig) => ({ ...dataSourceOptions(config), toRetry: () => false, config }),
      dataSourceFactory: (options) => {
        const { config, ...rest } = options as DataSourceOptions & { config: AppConfig };
        return ServiceDataSource.open(rest as DataSourceOptions, config, 'the service');
      },
    }),
  ],
  providers,
  exports: providers.map((provider) => ('provide' in provider ? provider.provide : provider)),
})
export class DatabaseModule {}
