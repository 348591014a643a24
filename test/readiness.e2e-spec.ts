import { SqlExecutor } from '@app/infrastructure';
import { CACHE_ON, startTestApp, TestApp } from './support/test-app';

/**
 * Readiness runs the hot path's own read against the database. With the read cache on it was answered
 * from the cache: 200 while every query failed (and on embedded PGlite, where the cache never lapses,
 * for as long as the process ran).
 */
describe('readiness reaches the database, read cache or not', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ env: CACHE_ON });
  });
  afterAll(() => t.close());

  it('answers 503 as soon as the hot read fails, and 200 again once it works', async () => {
    await t.http.get('/health/ready').expect(200);
    await t.http.get('/health/ready').expect(200);
    // Straight on the service's pool: t.sql would also empty the read cache, as an operator's SQL does.
    await t.app.get(SqlExecutor).rows('ALTER TABLE memberships RENAME TO memberships_away');
    try {
      const answer = await t.http.get('/health/ready').expect(503);
      expect(answer.body.code).toBe('DATABASE_UNAVAILABLE');
    } finally {
      await t.sql('ALTER TABLE memberships_away RENAME TO memberships');
    }
    await t.http.get('/health/ready').expect(200);
  });
});
