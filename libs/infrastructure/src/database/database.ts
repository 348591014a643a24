import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { createDataSource } from './data-source';
import { EmbeddedPostgres, startEmbeddedPostgres } from './embedded-postgres';
import { runMigrations } from './run-migrations';

/** The service's database: PostgreSQL at DATABASE_URL, or embedded PGlite under DATA_DIR. */
export class Database {
  private constructor(
    readonly dataSource: DataSource,
    readonly embedded: boolean,
    private readonly server: EmbeddedPostgres | undefined,
  ) {}

  static async open(
    config: Pick<
      AppConfig,
      | 'databaseUrl'
      | 'databasePoolSize'
      | 'databaseTimeoutMs'
      | 'databaseStatementTimeoutMs'
      | 'databaseBulkTimeoutMs'
      | 'dataDir'
      | 'runMigrations'
    >,
    options: { inMemory?: boolean } = {},
  ): Promise<Database> {
    const server = config.databaseUrl
      ? undefined
      : await startEmbeddedPostgres(options.inMemory ? undefined : config.dataDir);
    try {
      const dataSource = createDataSource({
        url: config.databaseUrl ?? server!.url,
        // PGlite returns wrong rows with more than one connection.
        poolSize: server ? 1 : config.databasePoolSize,
        timeoutMs: config.databaseTimeoutMs,
        statementTimeoutMs: config.databaseStatementTimeoutMs,
      });
      await dataSource.initialize();
      if (config.runMigrations) await runMigrations(dataSource, config.databaseBulkTimeoutMs);
      return new Database(dataSource, Boolean(server), server);
    } catch (error) {
      await server?.stop();
      throw error;
    }
  }

  async close(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
    await this.server?.stop();
  }
}
