import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every change to `memberships`, whoever makes it (any instance, the cleaner, SQL run by hand), tells
 * the read caches of every instance on commit: NOTIFY membership_changes with the changed users' ids
 * (comma-separated), or '*' for a statement changing more than 200 rows (auto-assignment, segment
 * deletion, large sweeps). A notification is delivered only if and when its transaction commits.
 */
export class ReadCacheNotify1796017100000 implements MigrationInterface {
  name = 'ReadCacheNotify1796017100000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(NOTIFY_MEMBERSHIP_CHANGE_FUNCTION);
    for (const [operation, table] of TRIGGERS) {
      await queryRunner.query(`
        CREATE TRIGGER memberships_notify_${operation.toLowerCase()} AFTER ${operation} ON memberships
        REFERENCING ${table} TABLE AS changed
        FOR EACH STATEMENT EXECUTE FUNCTION notify_membership_change()`);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const [operation] of TRIGGERS) {
      await queryRunner.query(`DROP TRIGGER memberships_notify_${operation.toLowerCase()} ON memberships`);
    }
    await queryRunner.query(`DROP FUNCTION notify_membership_change()`);
  }
}

/** A statement-level trigger may have one event when it has a transition table: one per operation. */
const TRIGGERS = [
  ['INSERT', 'NEW'],
  ['UPDATE', 'NEW'],
  ['DELETE', 'OLD'],
] as const;

// 200 ids of up to 16 digits fit NOTIFY's 8000-byte payload with room to spare.
const NOTIFY_MEMBERSHIP_CHANGE_FUNCTION = `
CREATE FUNCTION notify_membership_change() RETURNS trigger
LANGUAGE plpgsql AS $fn$
DECLARE
  v_users text;
BEGIN
  IF (SELECT count(*) FROM (SELECT 1 FROM changed LIMIT 201) c) > 200 THEN
    PERFORM pg_notify('membership_changes', '*');
  ELSE
    SELECT string_agg(DISTINCT user_id::text, ',') INTO v_users FROM changed;
    IF v_users IS NOT NULL THEN
      PERFORM pg_notify('membership_changes', v_users);
    END IF;
  END IF;
  RETURN NULL;
END
$fn$`;
