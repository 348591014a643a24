import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, DataSourceOptions } from 'typeorm';
import { HistoryRepository, MembershipRepository, SegmentRepository, UserRegistry } from '@app/application';
import { AppConfig } from '../config/app-config';
import { historyReportSourceProvider } from '../persistence/history-report-source.provider';
import { SqlExecutor } from '../persistence/sql-executor';
import { SqlHistoryRepository } from '../persistence/sql-history-repository';
import { SqlMembershipRepository } from '../persistence/sql-membership-repository';
import { SqlSegmentRepository } from '../persistence/sql-segment-repository';
import { SqlUserRegistry } from '../persistence/sql-user-registry';
import { readCacheProviders } from '../read-cache/read-cache.providers';
import { replicaProviders } from '../replicas/replica-providers';
import { databasePoolProvider } from './database-pool.provider';
import { DatabaseHangWatch } from './hang-watch';
import { dataSourceOptions } from './data-source-options';
import { ServiceDataSource } from './service-data-source';

/**
 * The database and the repositories over it. TypeORM opens it (and PGlite when embedded), runs the
 * migrations, and destroys it at shutdown; the pg Pool it opened is DATABASE_POOL.
 */
@Module({})
export class DatabaseModule {
  /** `owner`: what the embedded data directory's lock names as its holder. */
  static forRoot(config: AppConfig, owner: string): DynamicModule {
    const providers = [
      { provide: ServiceDataSource, useExisting: DataSource },
      databasePoolProvider,
      {
        provide: DatabaseHangWatch,
        useFactory: () => new DatabaseHangWatch(config.databaseUrl, config.databaseStatementTimeoutMs),
      },
      SqlExecutor,
      { provide: SegmentRepository, useClass: SqlSegmentRepository },
      { provide: MembershipRepository, useClass: SqlMembershipRepository },
      { provide: HistoryRepository, useClass: SqlHistoryRepository },
      { provide: UserRegistry, useClass: SqlUserRegistry },
      historyReportSourceProvider,
      ...replicaProviders(config),
      ...readCacheProviders(config),
    ];
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          inject: [AppConfig],
          // A database that cannot be reached fails start-up at once, with one line (no retries).
          useFactory: (appConfig: AppConfig) => ({ ...dataSourceOptions(appConfig), toRetry: () => false }),
          dataSourceFactory: (options) => ServiceDataSource.open(options as DataSourceOptions, config, owner),
        }),
      ],
      providers,
      exports: providers.map((provider) => ('provide' in provider ? provider.provide : provider)),
    };
  }
}
