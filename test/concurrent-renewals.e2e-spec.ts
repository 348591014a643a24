import { replayLedger, storedMemberships } from './support/ledger';
import { postgresOnly } from './support/test-database';
import { startTestApp, TestApp } from './support/test-app';

const describeOnPostgres = postgresOnly('concurrent renewals: skipped on PGlite (one connection, no true concurrency)');

describeOnPostgres('concurrent change sets renewing one expired membership (PostgreSQL)', () => {
  let t: TestApp;
  const ROUNDS = 15;

  beforeAll(async () => {
    t = await startTestApp();
    for (let round = 0; round < ROUNDS; round++) {
      await t.http
        .post('/api/v1/segments')
        .send({ slug: `RENEW_${round}` })
        .expect(201);
    }
  });
  afterAll(() => t.close());

  it('records the expiry exactly once, however many change sets re-add it at the same moment', async () => {
    t.clock.set('2030-05-01T00:00:00.000Z');
    for (let round = 0; round < ROUNDS; round++) {
      await t.http
        .patch('/api/v1/users/42/segments')
        .send({ add: [{ slug: `RENEW_${round}`, ttl: 'PT1M' }] })
        .expect(200);
    }
    t.clock.set('2030-05-01T01:00:00.000Z');
    for (let round = 0; round < ROUNDS; round++) {
      const responses = await Promise.all(
        Array.from({ length: 6 }, () => t.http.patch('/api/v1/users/42/segments').send({ add: [`RENEW_${round}`] })),
      );
      expect(responses.map((response) => response.status)).toEqual(responses.map(() => 200));
    }
    const perSegment = await t.sql<{ segment: string; ttl: number; added: number }>(
      `SELECT segment,
              count(*) FILTER (WHERE reason = 'ttl')::int AS ttl,
              count(*) FILTER (WHERE operation = 'added')::int AS added
       FROM membership_history WHERE user_id = 42 GROUP BY segment ORDER BY segment`,
    );
    expect(perSegment.filter((row) => row.ttl !== 1 || row.added !== 2)).toEqual([]);
    expect(perSegment).toHaveLength(ROUNDS);
    expect(await replayLedger(t)).toEqual(await storedMemberships(t));
  });
});
