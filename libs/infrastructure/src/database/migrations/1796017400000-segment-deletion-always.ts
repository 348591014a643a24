import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Created the rule that a deleted segment takes its memberships along (delete_memberships_of_deleted_segment);
 * it now lives in sql/functions, applied by the repeatable step, so it changes nothing.
 */
export class SegmentDeletionAlways1796017400000 implements MigrationInterface {
  name = 'SegmentDeletionAlways1796017400000';

  async up(): Promise<void> {}

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER IF EXISTS segments_deleted_take_memberships ON segments`);
    await queryRunner.query(`DROP FUNCTION IF EXISTS delete_memberships_of_deleted_segment()`);
  }
}
