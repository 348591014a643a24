import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The read caches' change log: which users each transaction changed (its triggers and their rule:
 * sql/functions/record-membership-change.ts, applied by the repeatable step).
 */
export class MembershipChanges1796017100000 implements MigrationInterface {
  name = 'MembershipChanges1796017100000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE membership_changes (
        xid     xid8 NOT NULL,
        user_id bigint
      )`);
    await queryRunner.query(`CREATE INDEX membership_changes_xid_idx ON membership_changes (xid)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const operation of ['insert', 'update', 'delete', 'truncate']) {
      await queryRunner.query(`DROP TRIGGER IF EXISTS memberships_record_${operation} ON memberships`);
    }
    await queryRunner.query(`DROP FUNCTION IF EXISTS record_membership_change()`);
    await queryRunner.query(`DROP TABLE membership_changes`);
  }
}
