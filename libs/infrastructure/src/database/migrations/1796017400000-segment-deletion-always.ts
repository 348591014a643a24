import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A segment deleted by an operator's SQL under `session_replication_role = replica` takes its memberships
 * with it. The foreign key's check is a trigger too, and does not fire under that role: the delete went
 * through and left memberships naming a segment that no longer exists, which every instance kept answering
 * (red team). This trigger fires ALWAYS and deletes them; the change log's triggers (ChangeLogAlways) then
 * tell every instance's cache. Outside the replica role the foreign key refuses a segment that still has
 * members (its check fires first), so this finds none: the service deletes the members first, recording
 * `segment_deleted` for each. Under the replica role nothing records history, as for any SQL by hand.
 */
export class SegmentDeletionAlways1796017400000 implements MigrationInterface {
  name = 'SegmentDeletionAlways1796017400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(DELETE_MEMBERSHIPS_OF_DELETED_SEGMENT);
    await queryRunner.query(`
      CREATE TRIGGER segments_deleted_take_memberships AFTER DELETE ON segments
      FOR EACH ROW EXECUTE FUNCTION delete_memberships_of_deleted_segment()`);
    await queryRunner.query(`ALTER TABLE segments ENABLE ALWAYS TRIGGER segments_deleted_take_memberships`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER segments_deleted_take_memberships ON segments`);
    await queryRunner.query(`DROP FUNCTION delete_memberships_of_deleted_segment()`);
  }
}

const DELETE_MEMBERSHIPS_OF_DELETED_SEGMENT = `
CREATE FUNCTION delete_memberships_of_deleted_segment() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
  DELETE FROM memberships WHERE segment_id = OLD.id;
  RETURN NULL;
END
$fn$`;
