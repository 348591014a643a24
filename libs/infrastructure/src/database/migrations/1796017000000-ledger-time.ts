import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The ledger is stamped by the database, at the moment a change takes effect (contract v1.1). This
 * migration created the functions ledger_time, segment_bucket and apply_change_set; they now live in
 * sql/functions, applied by the repeatable step (RepeatableMigrations), so it changes nothing
 * and stays for the databases that recorded it.
 */
export class LedgerTime1796017000000 implements MigrationInterface {
  name = 'LedgerTime1796017000000';

  async up(): Promise<void> {}

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP FUNCTION IF EXISTS apply_change_set(bigint, text[], timestamptz[], text[], bigint)`);
    await queryRunner.query(`DROP FUNCTION IF EXISTS segment_bucket(text, bigint)`);
    await queryRunner.query(`DROP FUNCTION IF EXISTS ledger_time(bigint)`);
  }
}
