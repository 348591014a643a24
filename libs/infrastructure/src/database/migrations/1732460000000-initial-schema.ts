import { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialSchema1732460000000 implements MigrationInterface {
  name = 'InitialSchema1732460000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE segments (
        id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        slug         varchar(100) COLLATE "C" NOT NULL CONSTRAINT segments_slug_key UNIQUE,
        description  varchar(500),
        auto_percent numeric(5, 2) CONSTRAINT segments_auto_percent_check CHECK (auto_percent > 0 AND auto_percent <= 100),
        created_at   timestamptz NOT NULL
      )`);
    await queryRunner.query(`
      CREATE TABLE users (
        user_id     bigint PRIMARY KEY CONSTRAINT users_user_id_check CHECK (user_id BETWEEN 1 AND 9007199254740991),
        known_since timestamptz NOT NULL
      )`);
    await queryRunner.query(`
      CREATE TABLE memberships (
        user_id    bigint NOT NULL,
        segment_id bigint NOT NULL CONSTRAINT memberships_segment_id_fkey REFERENCES segments (id),
        source     varchar(6) NOT NULL CONSTRAINT memberships_source_check CHECK (source IN ('manual', 'auto')),
        added_at   timestamptz NOT NULL,
        expires_at timestamptz,
        CONSTRAINT memberships_pkey PRIMARY KEY (user_id, segment_id)
      )`);
    await queryRunner.query(
      `CREATE INDEX memberships_segment_user_idx ON memberships (segment_id, user_id) INCLUDE (expires_at)`,
    );
    await queryRunner.query(
      `CREATE INDEX memberships_expires_at_idx ON memberships (expires_at) WHERE expires_at IS NOT NULL`,
    );
    await queryRunner.query(`
      CREATE TABLE membership_history (
        id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        user_id   bigint NOT NULL,
        segment   varchar(100) COLLATE "C" NOT NULL,
        operation varchar(7) NOT NULL CONSTRAINT membership_history_operation_check CHECK (operation IN ('added', 'removed')),
        reason    varchar(15) NOT NULL CONSTRAINT membership_history_reason_check CHECK (reason IN ('manual', 'auto', 'ttl', 'segment_deleted')),
        at        timestamptz NOT NULL
      )`);
    await queryRunner.query(`CREATE INDEX membership_history_user_at_idx ON membership_history (user_id, at, id)`);
    await queryRunner.query(`CREATE INDEX membership_history_at_idx ON membership_history (at, user_id, segment)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE membership_history`);
    await queryRunner.query(`DROP TABLE memberships`);
    await queryRunner.query(`DROP TABLE users`);
    await queryRunner.query(`DROP TABLE segments`);
  }
}
