import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Database functions and triggers leave the migrations: they live in sql/functions, one file
 * each, and a repeatable step applies the ones whose text changed after the migrations run
 * (applyDatabaseFunctions), recording each one's checksum here. Earlier migrations that created functions
 * now create none; on a database they already ran on, the step replaces those functions in place.
 * Reverting this forgets what was applied, so the next run applies every function again.
 */
export class RepeatableMigrations1796017500000 implements MigrationInterface {
  name = 'RepeatableMigrations1796017500000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE repeatable_migrations (
        name       text PRIMARY KEY,
        checksum   text NOT NULL,
        applied_at timestamptz NOT NULL
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE repeatable_migrations`);
  }
}
