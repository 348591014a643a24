import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { startTestApp, TestApp } from './support/test-app';
import { createTestDatabase, pgliteOnly, TestDatabase } from './support/test-database';

/**
 * Embedded PGlite runs PostgreSQL single-user, with no checkpointer: its WAL grew with every write until
 * the service stopped (177 MB of pg_wal after registering 200,000 users, beside 95 MB of data). Bulk work
 * now ends with a checkpoint once a segment's worth has been written, and two segments are kept for reuse.
 */
const describeEmbedded = pgliteOnly('embedded-wal: embedded PGlite only');

const USERS = 60_000;
const PER_REQUEST = 10_000;
/** Two 16 MB segments kept for reuse and the one being written; without checkpoints this workload wrote 6. */
const MAX_WAL_MB = 48;

function walMb(dataDir: string): number {
  const wal = join(dataDir, 'pglite', 'pg_wal');
  const bytes = readdirSync(wal)
    .map((name) => statSync(join(wal, name)))
    .filter((stat) => stat.isFile())
    .reduce((sum, stat) => sum + stat.size, 0);
  return bytes / 1024 / 1024;
}

describeEmbedded('the embedded WAL after bulk work', () => {
  let database: TestDatabase;
  let t: TestApp;

  beforeAll(async () => {
    database = await createTestDatabase();
    t = await startTestApp({ database });
  });
  afterAll(async () => {
    await t?.close();
    await database?.drop();
  });

  it(`stays within ${MAX_WAL_MB} MB after registering ${USERS} users and assigning them all a segment`, async () => {
    for (let first = 1; first <= USERS; first += PER_REQUEST) {
      const user_ids = Array.from({ length: PER_REQUEST }, (_, i) => first + i);
      await t.http.post('/api/v1/users').send({ user_ids }).expect(200);
    }
    await t.http.post('/api/v1/segments').send({ slug: 'ALL_IN', auto_percent: 100 }).expect(201);
    expect(walMb(database.env.DATA_DIR)).toBeLessThanOrEqual(MAX_WAL_MB);
  });
});
