/**
 * What start-up decides before it loads Nest, TypeORM and the database driver (the rest of this library):
 * the configuration, and whether DATA_DIR can be used and is free. A second service on a held data
 * directory then refuses in milliseconds. Nothing here may import the heavy part (embedded-postgres only starts a worker thread).
 */
import { AppConfig } from './config/app-config';
import { DataDirLock } from './database/embedded/data-dir-lock';
import { prepareDataDir } from './database/embedded/data-dir';

export { AppConfig, ConfigError } from './config/app-config';
export { readConfig } from './config/read-config';
export { startEmbeddedPostgresEarly } from './database/embedded/embedded-postgres';
export { databaseStartFailure } from './database/database-start-failure';

/** Throws the one-line error when DATA_DIR is needed (embedded database, local reports) and unusable or held. */
export function checkDataDir(config: Pick<AppConfig, 'databaseUrl' | 'dataDir' | 'reportStorage'>): void {
  if (config.databaseUrl && config.reportStorage !== 'local') return;
  prepareDataDir(config.dataDir);
  if (!config.databaseUrl) DataDirLock.assertFree(config.dataDir);
}
