import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';

export type DatabaseKind = 'postgres' | 'pglite';

export const databaseKind = (): DatabaseKind => (process.env.TEST_DATABASE_KIND === 'pglite' ? 'pglite' : 'postgres');

export const isPostgres = () => databaseKind() === 'postgres';

/** As scripts/ensure-postgres.sh and the README say: an empty variable counts as unset. */
export const serverUrl = () =>
  process.env.TEST_DATABASE_URL || process.env.DATABASE_URL || 'postgresql://postgres@127.0.0.1:5432/postgres';

/** Streaming replicas of TEST_DATABASE_URL's server (comma-separated): each test database is read there too. */
const replicaServerUrls = () => (process.env.TEST_REPLICA_SERVER_URLS ?? '').split(',').filter(Boolean);

/** A fresh, empty database for one test file: a new PostgreSQL database, or a new PGlite directory. */
export interface TestDatabase {
  kind: DatabaseKind;
  /** Environment that points the service at it. */
  env: Record<string, string>;
  /** For PostgreSQL: its connection string. */
  url?: string;
  drop(): Promise<void>;
}

function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

export async function createPostgresDatabase(): Promise<TestDatabase> {
  const name = `segments_test_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new Client({ connectionString: serverUrl() });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = withDatabase(serverUrl(), name);
  const replicas = replicaServerUrls().map((server) => withDatabase(server, name));
  return {
    kind: 'postgres',
    url,
    env: { DATABASE_URL: url, ...(replicas.length > 0 ? { DATABASE_REPLICA_URLS: replicas.join(',') } : {}) },
    async drop() {
      const client = new Client({ connectionString: serverUrl() });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

export async function createTestDatabase(kind: DatabaseKind = databaseKind()): Promise<TestDatabase> {
  if (kind === 'postgres') return createPostgresDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), 'segments-pglite-'));
  return {
    kind,
    env: { DATA_DIR: dataDir },
    async drop() {
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * `describe` for suites that run on PostgreSQL only; in the PGlite project the suite is skipped and
 * `reason` is printed, so a skip always says why.
 */
export function postgresOnly(reason: string): jest.Describe {
  if (isPostgres()) return describe;
  process.stderr.write(`${reason}\n`);
  return describe.skip;
}

/** `describe` for suites about embedded PGlite only; skipped, saying why, in the PostgreSQL project. */
export function pgliteOnly(reason: string): jest.Describe {
  if (!isPostgres()) return describe;
  process.stderr.write(`${reason}\n`);
  return describe.skip;
}
