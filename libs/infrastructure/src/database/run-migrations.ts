import { DataSource, MigrationExecutor } from 'typeorm';

/**
 * Applies pending migrations, each in its own transaction, on one connection whose statement_timeout is
 * raised to the bulk deadline: a migration is bulk work, while the pool's connections start with the
 * hot paths' short one.
 */
export async function runMigrations(dataSource: DataSource, statementTimeoutMs: number): Promise<void> {
  const runner = dataSource.createQueryRunner();
  try {
    await runner.query(`SET statement_timeout = ${Math.trunc(statementTimeoutMs)}`);
    const executor = new MigrationExecutor(dataSource, runner);
    executor.transaction = 'each';
    await executor.executePendingMigrations();
    await runner.query('RESET statement_timeout');
  } finally {
    await runner.release();
  }
}
