import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The change log (MembershipChanges) missed two kinds of statement, so the read caches kept answering
 * what they no longer should: an UPDATE logged only the rows' new users (a membership moved from user A
 * to B left A's answer cached), and TRUNCATE fired no trigger at all. Updates now log the users before
 * and after; TRUNCATE logs everyone.
 */
export class MembershipChangesComplete1796017200000 implements MigrationInterface {
  name = 'MembershipChangesComplete1796017200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(RECORD_MEMBERSHIP_UPDATE_FUNCTION);
    await queryRunner.query(RECORD_MEMBERSHIPS_TRUNCATE_FUNCTION);
    await queryRunner.query(`DROP TRIGGER memberships_record_update ON memberships`);
    await queryRunner.query(`
      CREATE TRIGGER memberships_record_update AFTER UPDATE ON memberships
      REFERENCING OLD TABLE AS before NEW TABLE AS after
      FOR EACH STATEMENT EXECUTE FUNCTION record_membership_update()`);
    await queryRunner.query(`
      CREATE TRIGGER memberships_record_truncate AFTER TRUNCATE ON memberships
      FOR EACH STATEMENT EXECUTE FUNCTION record_memberships_truncate()`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER memberships_record_truncate ON memberships`);
    await queryRunner.query(`DROP TRIGGER memberships_record_update ON memberships`);
    await queryRunner.query(`
      CREATE TRIGGER memberships_record_update AFTER UPDATE ON memberships
      REFERENCING NEW TABLE AS changed
      FOR EACH STATEMENT EXECUTE FUNCTION record_membership_change()`);
    await queryRunner.query(`DROP FUNCTION record_memberships_truncate()`);
    await queryRunner.query(`DROP FUNCTION record_membership_update()`);
  }
}

/** Like record_membership_change: each user once (at most 200: 100 rows, two users each), or NULL, everyone. */
const RECORD_MEMBERSHIP_UPDATE_FUNCTION = `
CREATE FUNCTION record_membership_update() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
  IF (SELECT count(*) FROM (SELECT 1 FROM after LIMIT 101) c) > 100 THEN
    INSERT INTO membership_changes (xid, user_id) VALUES (pg_current_xact_id(), NULL);
  ELSE
    INSERT INTO membership_changes (xid, user_id)
    SELECT pg_current_xact_id(), user_id FROM (SELECT user_id FROM before UNION SELECT user_id FROM after) users;
  END IF;
  RETURN NULL;
END
$fn$`;

const RECORD_MEMBERSHIPS_TRUNCATE_FUNCTION = `
CREATE FUNCTION record_memberships_truncate() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
  INSERT INTO membership_changes (xid, user_id) VALUES (pg_current_xact_id(), NULL);
  RETURN NULL;
END
$fn$`;
