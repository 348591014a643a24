import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The read caches' change log. Every statement that changes `memberships`, whoever runs it (any
 * instance, the cleaner, the CLI, SQL by hand), records in the same transaction which users it changed
 * (NULL: more than 200 rows, everyone), with its transaction id. Each instance polls for the rows whose
 * transactions committed since its last poll (not visible in that poll's snapshot): commit order, not
 * insert order, so none is missed. NOTIFY would say the same but serializes every notifying commit,
 * fsync included, cluster-wide (docs/performance.md); this costs a row per statement. The service
 * deletes the rows of transactions that ended more than an hour ago (ChangeLogCleaner).
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
    await queryRunner.query(RECORD_MEMBERSHIP_CHANGE_FUNCTION);
    for (const [operation, table] of TRIGGERS) {
      await queryRunner.query(`
        CREATE TRIGGER memberships_record_${operation.toLowerCase()} AFTER ${operation} ON memberships
        REFERENCING ${table} TABLE AS changed
        FOR EACH STATEMENT EXECUTE FUNCTION record_membership_change()`);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const [operation] of TRIGGERS) {
      await queryRunner.query(`DROP TRIGGER memberships_record_${operation.toLowerCase()} ON memberships`);
    }
    await queryRunner.query(`DROP FUNCTION record_membership_change()`);
    await queryRunner.query(`DROP TABLE membership_changes`);
  }
}

/** A statement-level trigger with a transition table has one event: one trigger per operation. */
const TRIGGERS = [
  ['INSERT', 'NEW'],
  ['UPDATE', 'NEW'],
  ['DELETE', 'OLD'],
] as const;

const RECORD_MEMBERSHIP_CHANGE_FUNCTION = `
CREATE FUNCTION record_membership_change() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
  IF (SELECT count(*) FROM (SELECT 1 FROM changed LIMIT 201) c) > 200 THEN
    INSERT INTO membership_changes (xid, user_id) VALUES (pg_current_xact_id(), NULL);
  ELSE
    INSERT INTO membership_changes (xid, user_id) SELECT DISTINCT pg_current_xact_id(), user_id FROM changed;
  END IF;
  RETURN NULL;
END
$fn$`;
