import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { createDataSource } from './data-source-options';
import { EmbeddedPostgres, startEmbeddedPostgres } from './embedded-postgres';
import { CleanStatementsClient } from './clean-statements-client';
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
      | 'databaseIdleTimeoutMs'
      | 'databaseStatementTimeoutMs'
      | 'databaseBulkTimeoutMs'
      | 'dataDir'
      | 'runMigrations'
    >,
    /** `owner`: what the embedded data directory's lock names as its holder. */
    options: { inMemory?: boolean; owner?: string } = {},
  ): Promise<Database> {
    const server = config.databaseUrl
      ? undefined
      : await startEmbeddedPostgres(options.inMemory ? undefined : config.dataDir, options.owner ?? 'the service');
    try {
      const dataSource = createDataSource({
        url: config.databaseUrl ?? server!.url,
        // PGlite returns wrong rows with more than one connection.
        poolSize: server ? 1 : config.databasePoolSize,
        timeoutMs: config.databaseTimeoutMs,
        idleTimeoutMs: config.databaseIdleTimeoutMs,
        client: server ? CleanStatementsClient : undefined,
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

  /** Embedded: records where the API listens in DATA_DIR's lock, so that the CLI can send to it. */
  announce(apiUrl: string): void {
    this.server?.announce(apiUrl);
  }

  async close(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
    await this.server?.stop();
  }
}
