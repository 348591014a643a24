/**
 * The data source for TypeORM's own CLI, configured like the service (environment, then .env):
 *   npx typeorm migration:run -d dist/libs/infrastructure/src/database/data-source.js
 * (also migration:show, migration:revert). Embedded mode starts PGlite and locks DATA_DIR while it runs.
 * Only the CLI imports this file: importing it opens the database.
 */
import { readConfig } from '../config/read-config';
import { dataSourceOptions } from './data-source-options';
import { ServiceDataSource } from './service-data-source';

async function cliDataSource(): Promise<ServiceDataSource> {
  const config = readConfig();
  // Migrations are bulk work: the bulk deadline, not the hot paths' one.
  config.databaseStatementTimeoutMs = config.databaseBulkTimeoutMs;
  return ServiceDataSource.create(dataSourceOptions(config), config, 'the TypeORM CLI');
}

export const dataSource = cliDataSource();
