import { Pool } from 'pg';
import { DataSource, DataSourceOptions, Migration } from 'typeorm';
import { applyDatabaseFunctions } from '../sql/functions/apply-database-functions';
import { CleanStatementsClient } from './clean-statements-client';
import { DatabaseConfig } from './data-source-options';
import { EmbeddedPostgres, startEmbeddedPostgres } from './embedded/embedded-postgres';
import { runMigrations } from './run-migrations';

/**
 * The service's database as a TypeORM DataSource: PostgreSQL at DATABASE_URL, or embedded PGlite under
 * DATA_DIR, which this data source starts before it and stops after it.
 */
export class ServiceDataSource extends DataSource {
  /** Migrations applied at start-up; undefined when MIGRATIONS_RUN is off. */
  migrationsApplied: number | undefined;

  private constructor(
    options: DataSourceOptions,
    private readonly server: EmbeddedPostgres | undefined,
  ) {
    super(options);
  }

  /**
   * Not yet connected. Embedded (no DATABASE_URL): starts PGlite first, locking DATA_DIR as `owner` (what
   * the lock names as its holder), and points `options` at it.
   */
  static async create(options: DataSourceOptions, config: DatabaseConfig, owner: string): Promise<ServiceDataSource> {
    if (config.databaseUrl) return new ServiceDataSource(options, undefined);
    const server = await startEmbeddedPostgres(config.dataDir, owner);
    const extra = (options as { extra?: object }).extra;
    // PGlite returns wrong rows with more than one connection.
    const embedded = { ...options, url: server.url, extra: { ...extra, max: 1, Client: CleanStatementsClient } };
    return new ServiceDataSource(embedded as DataSourceOptions, server);
  }

  /** Connected, with pending migrations applied when MIGRATIONS_RUN is on. */
  static async open(options: DataSourceOptions, config: DatabaseConfig, owner: string): Promise<ServiceDataSource> {
    const dataSource = await ServiceDataSource.create(options, config, owner);
    try {
      await dataSource.initialize();
      if (config.runMigrations) {
        dataSource.migrationsApplied = await runMigrations(dataSource, config.databaseBulkTimeoutMs);
      }
      return dataSource;
    } catch (error) {
      await dataSource.destroy();
      throw error;
    }
  }

  /** TypeORM's own path (its CLI's migration:run, tests): the migrations, then the repeatable step. */
  override async runMigrations(options?: Parameters<DataSource['runMigrations']>[0]): Promise<Migration[]> {
    const applied = await super.runMigrations(options);
    const runner = this.createQueryRunner();
    try {
      await applyDatabaseFunctions(runner);
    } finally {
      await runner.release();
    }
    return applied;
  }

  /** Embedded PGlite (one connection only) rather than a PostgreSQL server. */
  get embedded(): boolean {
    return this.server !== undefined;
  }

  /** The pg Pool TypeORM opened: its driver keeps it as `master`, with no public accessor. */
  get pool(): Pool {
    return (this.driver as unknown as { master: Pool }).master;
  }

  /** Embedded: records where the API listens in DATA_DIR's lock, so that the CLI can send to it. */
  announce(apiUrl: string): void {
    this.server?.announce(apiUrl);
  }

  override async destroy(): Promise<void> {
    try {
      if (this.isInitialized) await super.destroy();
    } finally {
      await this.server?.stop();
    }
  }
}
