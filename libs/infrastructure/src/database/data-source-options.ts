import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { migrations } from './migrations';

export interface DataSourceSettings {
  url: string;
  poolSize: number;
  timeoutMs: number;
  idleTimeoutMs: number;
  /** The pg client class the pool connects with; pg's own by default. */
  client?: typeof Client;
  /** The connection's statement_timeout: the hot paths' deadline (bulk work raises it per transaction). */
  statementTimeoutMs: number;
}

export function createDataSource(settings: DataSourceSettings): DataSource {
  return new DataSource({
    type: 'postgres',
    url: settings.url,
    synchronize: false,
    migrationsRun: false,
    migrations,
    migrationsTransactionMode: 'each',
    entities: [],
    logging: false,
    extra: {
      max: settings.poolSize,
      connectionTimeoutMillis: settings.timeoutMs,
      statement_timeout: settings.statementTimeoutMs,
      idleTimeoutMillis: settings.idleTimeoutMs,
      keepAlive: true,
      application_name: 'segmentation-service',
      ...(settings.client ? { Client: settings.client } : {}),
    },
  });
}
