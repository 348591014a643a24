import { DataSource, MigrationExecutor } from 'typeorm';
import { applyDatabaseFunctions } from '../sql/functions/apply-database-functions';

/**
 * Applies pending migrations, each in its own transaction, then the database functions whose text changed
 * (the repeatable step), on one connection whose statement_timeout is raised to the bulk deadline: a
 * migration is bulk work, while the pool's connections start with the hot paths' short one.
 * Answers how many migrations it applied.
 */
export async function runMigrations(dataSource: DataSource, statementTimeoutMs: number): Promise<number> {
  const runner = dataSource.createQueryRunner();
  try {
    await runner.query(`SET statement_timeout = ${Math.trunc(statementTimeoutMs)}`);
    const executor = new MigrationExecutor(dataSource, runner);
    executor.transaction = 'each';
    const applied = await executor.executePendingMigrations();
    await applyDatabaseFunctions(runner);
    await runner.query('RESET statement_timeout');
    return applied.length;
  } finally {
    await runner.release();
  }
}
