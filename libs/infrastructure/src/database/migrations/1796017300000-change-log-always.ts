import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Two rules the database keeps whoever writes, also under `session_replication_role = replica` (an
 * operator's session, logical replication's apply), where ordinary (ORIGIN) triggers do not fire:
 *
 * - The change log (MembershipChanges): a write under the replica role logged nothing, so the other
 *   instances' read caches kept what it changed for good. Its triggers now fire ALWAYS.
 * - Slugs never change (contract): `UPDATE segments SET slug` is refused by a trigger that fires ALWAYS.
 *
 * Why ALWAYS is right for these two and would be wrong for a history (ledger) trigger: the change log
 * records this cluster's own transaction ids for this cluster's pollers; a subscriber's or a restored
 * database's caches need rows of their own writes, whatever applied them (and `membership_changes`
 * itself must not be replicated: another cluster's xids mean nothing here). The ledger is data: it
 * arrives with the rows it describes (a dump, a publication carries `membership_history` too), so a
 * trigger that wrote history would record every restored or replicated change twice; such a trigger
 * must stay ORIGIN. The service writes history in its statements, not by trigger, so there is none.
 *
 * `pg_restore --disable-triggers` (data only) runs `ALTER TABLE ... DISABLE TRIGGER ALL`, which
 * disables ALWAYS triggers too, and re-enables them with `ENABLE TRIGGER ALL`, that is as ORIGIN: the
 * restore logs nothing (the caches must be told: docs/scaling.md) and the ALWAYS mode must be set again,
 * with the statements of `up` below. The poller treats change-log triggers that are not ALWAYS as
 * "everyone changed" at every poll, so the caches stay correct meanwhile.
 */
export class ChangeLogAlways1796017300000 implements MigrationInterface {
  name = 'ChangeLogAlways1796017300000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const trigger of CHANGE_LOG_TRIGGERS) {
      await queryRunner.query(`ALTER TABLE memberships ENABLE ALWAYS TRIGGER ${trigger}`);
    }
    await queryRunner.query(REFUSE_SLUG_CHANGE_FUNCTION);
    await queryRunner.query(`
      CREATE TRIGGER segments_slug_never_changes BEFORE UPDATE OF slug ON segments
      FOR EACH ROW WHEN (OLD.slug IS DISTINCT FROM NEW.slug) EXECUTE FUNCTION refuse_slug_change()`);
    await queryRunner.query(`ALTER TABLE segments ENABLE ALWAYS TRIGGER segments_slug_never_changes`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER segments_slug_never_changes ON segments`);
    await queryRunner.query(`DROP FUNCTION refuse_slug_change()`);
    for (const trigger of CHANGE_LOG_TRIGGERS) {
      await queryRunner.query(`ALTER TABLE memberships ENABLE TRIGGER ${trigger}`);
    }
  }
}

/** The change log's triggers on memberships (MembershipChanges, MembershipChangesComplete). */
const CHANGE_LOG_TRIGGERS = [
  'memberships_record_insert',
  'memberships_record_update',
  'memberships_record_delete',
  'memberships_record_truncate',
] as const;

const REFUSE_SLUG_CHANGE_FUNCTION = `
CREATE FUNCTION refuse_slug_change() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
  RAISE EXCEPTION 'slugs never change: segment % keeps the slug %, not %', OLD.id, OLD.slug, NEW.slug
    USING ERRCODE = 'integrity_constraint_violation',
          HINT = 'create a segment with the new slug and move the members to it';
END
$fn$`;
