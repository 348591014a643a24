import { createHash } from 'node:crypto';
import { QueryRunner } from 'typeorm';
import { DatabaseFunction } from './database-function';
import { DATABASE_FUNCTIONS } from './index';

const checksum = (fn: DatabaseFunction) => createHash('sha256').update(fn.statements.join(';\n')).digest('hex');

/**
 * The repeatable step, run after the migrations by every path that migrates (as Flyway runs repeatable
 * migrations): applies each database function whose text changed since it was last applied (its checksum
 * in `repeatable_migrations` differs or is missing), in one transaction; answers the names applied. The
 * table lock makes instances starting together apply them once.
 */
export async function applyDatabaseFunctions(
  runner: QueryRunner,
  functions: DatabaseFunction[] = DATABASE_FUNCTIONS,
): Promise<string[]> {
  await runner.startTransaction();
  try {
    await runner.query('LOCK TABLE repeatable_migrations IN EXCLUSIVE MODE');
    const rows: { name: string; checksum: string }[] = await runner.query(
      'SELECT name, checksum FROM repeatable_migrations',
    );
    const applied = new Map(rows.map((row) => [row.name, row.checksum]));
    const changed = functions.filter((fn) => applied.get(fn.name) !== checksum(fn));
    for (const fn of changed) {
      for (const statement of fn.statements) await runner.query(statement);
      await runner.query(
        `INSERT INTO repeatable_migrations (name, checksum, applied_at) VALUES ($1, $2, now())
         ON CONFLICT (name) DO UPDATE SET checksum = EXCLUDED.checksum, applied_at = EXCLUDED.applied_at`,
        [fn.name, checksum(fn)],
      );
    }
    await runner.commitTransaction();
    return changed.map((fn) => fn.name);
  } catch (error) {
    await runner.rollbackTransaction();
    throw error;
  }
}
