import { FactoryProvider } from '@nestjs/common';
import { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { ServiceDataSource } from './service-data-source';

/** The injection token of the pg Pool that reads and writes go through (`@Inject(DATABASE_POOL) pool: Pool`). */
export const DATABASE_POOL = 'DATABASE_POOL';

/** The one place the pool comes from: the one TypeORM opened for the service's data source. */
export const databasePoolProvider: FactoryProvider<Pool> = {
  provide: DATABASE_POOL,
  useFactory: (dataSource: ServiceDataSource) => dataSource.pool,
  inject: [DataSource],
};
