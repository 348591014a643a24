import { DataSourceOptions } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { migrations } from './migrations';

export type DatabaseConfig = Pick<
  AppConfig,
  | 'databaseUrl'
  | 'databasePoolSize'
  | 'databaseTimeoutMs'
  | 'databaseIdleTimeoutMs'
  | 'databaseStatementTimeoutMs'
  | 'databaseBulkTimeoutMs'
  | 'dataDir'
  | 'runMigrations'
>;

/**
 * TypeORM's options for the service's database: no entities (the SQL is hand-written), our migrations,
 * and the pg pool's settings. No url when the database is embedded PGlite (ServiceDataSource sets it).
 */
export function dataSourceOptions(config: DatabaseConfig): DataSourceOptions {
  return {
    type: 'postgres',
    url: config.databaseUrl,
    synchronize: false,
    migrationsRun: false,
    migrations,
    migrationsTransactionMode: 'each',
    entities: [],
    logging: false,
    extra: {
      max: config.databasePoolSize,
      connectionTimeoutMillis: config.databaseTimeoutMs,
      // The hot paths' deadline; bulk work raises it per transaction.
      statement_timeout: config.databaseStatementTimeoutMs,
      idleTimeoutMillis: config.databaseIdleTimeoutMs,
      keepAlive: true,
      application_name: 'segmentation-service',
    },
  };
}
