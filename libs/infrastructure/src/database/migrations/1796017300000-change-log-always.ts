import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Made the change log's triggers fire ALWAYS and created the slug rule (refuse_slug_change); both now live
 * in sql/functions, applied by the repeatable step, so it changes nothing.
 */
export class ChangeLogAlways1796017300000 implements MigrationInterface {
  name = 'ChangeLogAlways1796017300000';

  async up(): Promise<void> {}

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER IF EXISTS segments_slug_never_changes ON segments`);
    await queryRunner.query(`DROP FUNCTION IF EXISTS refuse_slug_change()`);
  }
}
