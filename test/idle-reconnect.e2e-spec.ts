import { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { waitFor } from './reliability/support/wait-for';
import { startTestApp, TestApp } from './support/test-app';

/**
 * The pool closes an idle connection and opens a new one on the next request. Embedded PGlite keeps one
 * session across those reconnects, so every statement the service prepares must still work after them:
 * the hot paths, and readiness, which runs one of them.
 */
describe('idle connections and reconnects', () => {
  const poolOf = (t: TestApp) => (t.app.get(DataSource).driver as unknown as { master: Pool }).master;

  const useHotPaths = async (t: TestApp, userId: number) => {
    await t.http
      .patch(`/api/v1/users/${userId}/segments`)
      .send({ add: ['IDLE_A'] })
      .expect(200);
    const read = await t.http.get(`/api/v1/users/${userId}/segments`).expect(200);
    expect(read.body.segments.map((segment: { slug: string }) => segment.slug)).toEqual(['IDLE_A']);
    await t.http
      .post('/api/v1/users')
      .send({ user_ids: [userId + 1] })
      .expect(200);
    await t.http.get('/health/ready').expect(200);
  };

  /** Waits until the pool has closed every connection it had (what its idle timer does). */
  const idleUntilClosed = (t: TestApp, withinMs: number) =>
    waitFor('the pool to close its idle connection', withinMs, () => poolOf(t).totalCount === 0);

  it('answers every hot path after idling past a short DATABASE_IDLE_TIMEOUT_MS, again and again', async () => {
    const t = await startTestApp({ env: { DATABASE_IDLE_TIMEOUT_MS: '300' } });
    try {
      await t.http.post('/api/v1/segments').send({ slug: 'IDLE_A' }).expect(201);
      await useHotPaths(t, 100);
      for (let round = 1; round <= 3; round++) {
        await idleUntilClosed(t, 10_000);
        await useHotPaths(t, 100 + round * 10);
      }
    } finally {
      await t.close();
    }
  });

  it('runs the default configuration on the same idle mechanism: its pool closes idle connections after 30 s', async () => {
    // Waiting the real 30 s proves nothing the short timeout above does not: the same pool, the same timer.
    const t = await startTestApp();
    try {
      expect((poolOf(t) as unknown as { options: { idleTimeoutMillis: number } }).options.idleTimeoutMillis).toBe(
        30_000,
      );
      await t.http.post('/api/v1/segments').send({ slug: 'IDLE_A' }).expect(201);
      await useHotPaths(t, 200);
    } finally {
      await t.close();
    }
  });

  it('answers after its connection is cut (a reconnect forced another way)', async () => {
    const t = await startTestApp();
    try {
      await t.http.post('/api/v1/segments').send({ slug: 'IDLE_A' }).expect(201);
      await useHotPaths(t, 300);
      const pool = poolOf(t);
      const client = await pool.connect();
      // A broken connection: the pool discards it, and the next request opens a new one.
      client.release(new Error('connection cut by the test'));
      await waitFor('the pool to drop the cut connection', 10_000, () => pool.totalCount === 0);
      await useHotPaths(t, 310);
    } finally {
      await t.close();
    }
  });
});

describe('readiness', () => {
  it("fails when the service's own queries fail, although SELECT 1 still answers", async () => {
    const t = await startTestApp();
    try {
      await t.http.get('/health/ready').expect(200);
      await t.sql('ALTER TABLE memberships RENAME TO memberships_away');
      expect(await t.sql('SELECT 1 AS one')).toEqual([{ one: 1 }]);
      expect((await t.http.get('/health/ready')).status).toBe(503);
      await t.sql('ALTER TABLE memberships_away RENAME TO memberships');
      await t.http.get('/health/ready').expect(200);
    } finally {
      await t.close();
    }
  });
});
