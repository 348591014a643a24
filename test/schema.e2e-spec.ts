import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { dataSourceOptions, loadConfig, ServiceDataSource } from '@app/infrastructure';
import { createPostgresDatabase, postgresOnly, serverUrl, TestDatabase } from './support/test-database';

const describeOnPostgres = postgresOnly(
  'docker/schema.sql: compared on PostgreSQL only (catalog queries against two server databases)',
);

/** Tables, columns, constraints, indexes and functions (whitespace aside), as the catalog describes them. */
const CATALOG_QUERIES = {
  columns: `SELECT table_name, column_name, data_type, character_maximum_length, numeric_precision, numeric_scale,
                   is_nullable, column_default, collation_name, is_identity, identity_generation
            FROM information_schema.columns WHERE table_schema = 'public' AND table_name NOT IN ('migrations', 'repeatable_migrations')
            ORDER BY table_name, column_name`,
  // Casts and parentheses aside: a CHECK read back from a dump places its casts differently (same constraint).
  constraints: `SELECT conrelid::regclass::text AS table_name, conname,
                       regexp_replace(pg_get_constraintdef(oid), '::[a-z ]+(\\[\\])?|[()\\s]', '', 'g') AS definition
                FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text NOT IN ('migrations', 'repeatable_migrations')
                ORDER BY 1, 2`,
  indexes: `SELECT tablename, indexname, indexdef FROM pg_indexes
            WHERE schemaname = 'public' AND tablename NOT IN ('migrations', 'repeatable_migrations') ORDER BY 1, 2`,
  functions: `SELECT proname, regexp_replace(pg_get_functiondef(oid), '\\s+', ' ', 'g') AS definition
              FROM pg_proc WHERE pronamespace = 'public'::regnamespace ORDER BY 1`,
  triggers: `SELECT tgrelid::regclass::text AS table_name, tgname, pg_get_triggerdef(oid) AS definition, tgenabled
             FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1, 2`,
};

async function describeCatalog(url: string): Promise<Record<string, unknown[]>> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const result: Record<string, unknown[]> = {};
    for (const [name, sql] of Object.entries(CATALOG_QUERIES)) result[name] = (await client.query(sql)).rows;
    return result;
  } finally {
    await client.end();
  }
}

describeOnPostgres('docker/schema.sql', () => {
  const root = join(__dirname, '..');
  let migrated: TestDatabase;
  let fromFile: TestDatabase;

  beforeAll(async () => {
    [migrated, fromFile] = await Promise.all([createPostgresDatabase(), createPostgresDatabase()]);
  });
  afterAll(async () => {
    await migrated?.drop();
    await fromFile?.drop();
  });

  it('is what `npm run schema` generates from a freshly migrated database (not stale)', () => {
    const check = spawnSync(process.execPath, [join(root, 'scripts', 'schema.js'), '--check'], {
      cwd: root,
      env: { ...process.env, TEST_DATABASE_URL: serverUrl() },
      encoding: 'utf8',
    });
    expect({ status: check.status, stderr: check.stderr }).toEqual({ status: 0, stderr: '' });
  });

  it('builds what the migrations build (run by the TypeORM CLI on the built data-source.js)', async () => {
    const cli = join(root, 'node_modules', 'typeorm', 'cli.js');
    const dataSourceFile = join(root, 'dist', 'libs', 'infrastructure', 'src', 'database', 'data-source.js');
    execFileSync(process.execPath, [cli, 'migration:run', '-d', dataSourceFile], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: migrated.url },
      stdio: 'pipe',
    });
    const client = new Client({ connectionString: fromFile.url });
    await client.connect();
    await client.query(readFileSync(join(root, 'docker', 'schema.sql'), 'utf8'));
    await client.end();
    const [expected, actual] = await Promise.all([describeCatalog(migrated.url!), describeCatalog(fromFile.url!)]);
    expect(expected.columns.length).toBeGreaterThan(15);
    expect(expected.functions.map((f) => (f as { proname: string }).proname)).toEqual([
      'apply_change_set',
      'auto_assignment_lock_key',
      'delete_memberships_of_deleted_segment',
      'join_auto_segments',
      'leave_expired',
      'ledger_time',
      'record_membership_change',
      'record_membership_update',
      'record_memberships_truncate',
      'refuse_slug_change',
      'segment_bucket',
    ]);
    expect(expected.triggers).toHaveLength(6);
    // Fired also under session_replication_role = replica (ALTER TABLE ... ENABLE ALWAYS TRIGGER, not in the definition).
    expect(expected.triggers.map((t) => (t as { tgenabled: string }).tgenabled)).toEqual([
      'A',
      'A',
      'A',
      'A',
      'A',
      'A',
    ]);
    expect(actual).toEqual(expected);
  });

  it('a database the previous migrations built (functions in migrations) upgrades to the same schema', async () => {
    const old = await createPostgresDatabase();
    try {
      const client = new Client({ connectionString: old.url });
      await client.connect();
      await client.query(readFileSync(join(__dirname, 'fixtures', 'schema-before-repeatable-migrations.sql'), 'utf8'));
      await client.end();
      const config = loadConfig({ DATABASE_URL: old.url });
      const dataSource = await ServiceDataSource.open(dataSourceOptions(config), config, 'the schema test');
      await dataSource.destroy();
      expect(await describeCatalog(old.url!)).toEqual(await describeCatalog(migrated.url!));
    } finally {
      await old.drop();
    }
  });

  it('the migrations can be reverted and applied again, functions and triggers with them', async () => {
    const before = await describeCatalog(migrated.url!);
    const config = loadConfig({ DATABASE_URL: migrated.url });
    const dataSource = await ServiceDataSource.open(dataSourceOptions(config), config, 'the schema test');
    try {
      for (let left = dataSource.migrations.length; left > 0; left--) await dataSource.undoLastMigration();
      expect(await dataSource.query(`SELECT to_regclass('public.segments') AS t`)).toEqual([{ t: null }]);
      await dataSource.runMigrations();
      expect(await dataSource.query(`SELECT to_regclass('public.segments')::text AS t`)).toEqual([{ t: 'segments' }]);
    } finally {
      await dataSource.destroy();
    }
    expect(await describeCatalog(migrated.url!)).toEqual(before);
  });
});
