import { DynamicModule, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  Clock,
  HistoryReportSource,
  HistoryRepository,
  MembershipRepository,
  ReportStorage,
  SegmentRepository,
  UserRegistry,
} from '@app/application';
import { AppConfig } from './config/app-config';
import { Database } from './database/database';
import { DatabaseHangWatch } from './database/hang-watch';
import { SqlExecutor } from './persistence/sql-executor';
import { SqlHistoryReportSource } from './persistence/sql-history-report-source';
import { SqlHistoryRepository } from './persistence/sql-history-repository';
import { SqlMembershipRepository } from './persistence/sql-membership-repository';
import { SqlSegmentRepository } from './persistence/sql-segment-repository';
import { SqlUserRegistry } from './persistence/sql-user-registry';
import { ReadRouter } from './replicas/read-router';
import { replicaProviders } from './replicas/replica-providers';
import { createReportStorage } from './storage/report-storage.factory';
import { SystemClock } from './system-clock';

@Injectable()
class DatabaseCloser implements OnApplicationShutdown {
  constructor(private readonly database: Database) {}

  onApplicationShutdown(): Promise<void> {
    return this.database.close();
  }
}

/** The adapters behind the application's ports, over one database opened at start-up. */
@Module({})
export class PersistenceModule {
  /** `owner`: what the embedded data directory's lock names as its holder. */
  static forRoot(config: AppConfig, owner = 'the service'): DynamicModule {
    const providers = [
      { provide: AppConfig, useValue: config },
      { provide: Database, useFactory: () => Database.open(config, { owner }) },
      { provide: DataSource, useFactory: (database: Database) => database.dataSource, inject: [Database] },
      { provide: DatabaseHangWatch, useFactory: () => new DatabaseHangWatch(config.databaseUrl, config.databaseStatementTimeoutMs) },
      SqlExecutor,
      { provide: SegmentRepository, useClass: SqlSegmentRepository },
      { provide: MembershipRepository, useClass: SqlMembershipRepository },
      { provide: HistoryRepository, useClass: SqlHistoryRepository },
      { provide: UserRegistry, useClass: SqlUserRegistry },
      { provide: HistoryReportSource, useClass: SqlHistoryReportSource },
      { provide: ReportStorage, useFactory: () => createReportStorage(config) },
      { provide: Clock, useClass: SystemClock },
    ];
    return {
      module: PersistenceModule,
      global: true,
      providers: [...providers, ...replicaProviders(config), DatabaseCloser],
      exports: [...providers.map((provider) => ('provide' in provider ? provider.provide : provider)), ReadRouter],
    };
  }
}
