import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI_MAIN, ensureBuilt } from './support/built-app';
import { expectedBucket } from './support/buckets';
import { createPostgresDatabase, isPostgres, TestDatabase } from './support/test-database';
import { startTestApp, TestApp } from './support/test-app';

/**
 * Users whose bucket sits exactly at a threshold, on every path that joins users: `bucket < percent * 100`
 * joins, `bucket == percent * 100` does not (a `<=` anywhere fails here). The ids were found once with md5
 * outside the service's code (python: int(md5("EDGE:%d" % id).hexdigest()[:8], 16) % 10000).
 */
const SLUG = 'EDGE';
const AT = { 3999: 3478, 4000: 9468, 4999: 9531, 5000: 3572 } as const;
const USERS = Object.values(AT);

describe('bucket thresholds: a bucket equal to percent * 100 is out, one below it is in', () => {
  let t: TestApp;
  let database: TestDatabase | undefined;
  beforeAll(async () => {
    database = isPostgres() ? await createPostgresDatabase() : undefined;
    t = await startTestApp({ database });
  });
  afterAll(async () => {
    await t?.close();
    await database?.drop();
  });
  afterEach(async () => {
    await t.http.delete(`/api/v1/segments/${SLUG}`);
  });

  const autoMembers = async () =>
    (
      await t.sql<{ user_id: string }>(
        `SELECT m.user_id::text FROM memberships m JOIN segments s ON s.id = m.segment_id
       WHERE s.slug = $1 AND m.source = 'auto' ORDER BY m.user_id`,
        [SLUG],
      )
    )
      .map((row) => Number(row.user_id))
      .sort((a, b) => a - b);
  const sorted = (ids: number[]) => [...ids].sort((a, b) => a - b);
  const setPercent = (percent: number) =>
    t.http.patch(`/api/v1/segments/${SLUG}`).send({ auto_percent: percent }).expect(200);

  it('uses vectors whose buckets are what they claim', () => {
    for (const [bucket, userId] of Object.entries(AT)) expect(expectedBucket(SLUG, userId)).toBe(Number(bucket));
  });

  it('on create, on lowering and on raising the percent', async () => {
    await t.http.post('/api/v1/users').send({ user_ids: USERS }).expect(200);
    await t.http.post('/api/v1/segments').send({ slug: SLUG, auto_percent: 50 }).expect(201);
    expect(await autoMembers()).toEqual(sorted([AT[3999], AT[4000], AT[4999]]));
    await setPercent(40);
    expect(await autoMembers()).toEqual([AT[3999]]);
    await setPercent(50);
    expect(await autoMembers()).toEqual(sorted([AT[3999], AT[4000], AT[4999]]));
    await setPercent(49.99);
    expect(await autoMembers()).toEqual(sorted([AT[3999], AT[4000]]));
  });

  it('on registration', async () => {
    await t.http.post('/api/v1/segments').send({ slug: SLUG, auto_percent: 50 }).expect(201);
    await t.http.post('/api/v1/users').send({ user_ids: USERS }).expect(200);
    expect(await autoMembers()).toEqual(sorted([AT[3999], AT[4000], AT[4999]]));
  });

  it("on a change set's new user", async () => {
    await t.http.post('/api/v1/segments').send({ slug: SLUG, auto_percent: 40 }).expect(201);
    await t.http.post('/api/v1/segments').send({ slug: 'EDGE_MANUAL' }).expect(201);
    for (const userId of [AT[3999], AT[4000]]) {
      await t.http
        .patch(`/api/v1/users/${userId}/segments`)
        .send({ add: ['EDGE_MANUAL'] })
        .expect(200);
    }
    expect(await autoMembers()).toEqual([AT[3999]]);
    await t.http.delete('/api/v1/segments/EDGE_MANUAL').expect(204);
  });

  (isPostgres() ? it : it.skip)(
    'on CLI import (PostgreSQL: the CLI and the app would both open one PGlite)',
    async () => {
      ensureBuilt();
      await t.http.post('/api/v1/segments').send({ slug: SLUG, auto_percent: 50 }).expect(201);
      const dir = mkdtempSync(join(tmpdir(), 'segments-edge-'));
      try {
        const file = join(dir, 'ids.txt');
        writeFileSync(file, `${USERS.join('\n')}\n`);
        const imported = spawnSync(process.execPath, [CLI_MAIN, 'import-users', file], {
          env: { ...process.env, DATABASE_URL: database!.url, LOG_LEVEL: 'silent' },
          encoding: 'utf8',
          timeout: 60_000,
        });
        expect({ status: imported.status, stderr: imported.stderr }).toEqual({ status: 0, stderr: '' });
        expect(await autoMembers()).toEqual(sorted([AT[3999], AT[4000], AT[4999]]));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
