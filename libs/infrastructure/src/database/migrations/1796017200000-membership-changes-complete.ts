import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The change log missed updates' old users and TRUNCATE. This migration created the functions and triggers
 * that log them (record_membership_update, record_memberships_truncate); they now live in
 * sql/functions, applied by the repeatable step, so it changes nothing.
 */
export class MembershipChangesComplete1796017200000 implements MigrationInterface {
  name = 'MembershipChangesComplete1796017200000';

  async up(): Promise<void> {}

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER IF EXISTS memberships_record_truncate ON memberships`);
    await queryRunner.query(`DROP TRIGGER IF EXISTS memberships_record_update ON memberships`);
    await queryRunner.query(`DROP FUNCTION IF EXISTS record_memberships_truncate()`);
    await queryRunner.query(`DROP FUNCTION IF EXISTS record_membership_update()`);
  }
}
