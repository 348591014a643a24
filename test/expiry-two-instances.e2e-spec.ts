import { ExpireMemberships } from '@app/application';
import { FakeClock } from './support/fake-clock';
import { createPostgresDatabase, postgresOnly, TestDatabase } from './support/test-database';
import { startTestApp, TestApp } from './support/test-app';

const describeOnPostgres = postgresOnly('two instances sweeping: skipped on PGlite (one process, one connection)');

describeOnPostgres('two instances sweep the same database (PostgreSQL)', () => {
  let database: TestDatabase;
  let first: TestApp;
  let second: TestApp;
  const clock = new FakeClock(new Date('2030-03-01T00:00:00.000Z'));
  const USERS = 3000;

  beforeAll(async () => {
    database = await createPostgresDatabase();
    first = await startTestApp({ database, clock });
    second = await startTestApp({ database, clock });
    await first.http.post('/api/v1/segments').send({ slug: 'SWEPT' }).expect(201);
    await first.sql(
      `WITH seg AS (SELECT id FROM segments WHERE slug = 'SWEPT'),
            u AS (INSERT INTO users (user_id, known_since) SELECT g, $1 FROM generate_series(1, $2::int) g RETURNING user_id)
       INSERT INTO memberships (user_id, segment_id, source, added_at, expires_at)
       SELECT u.user_id, seg.id, 'manual', $1, $1::timestamptz + (u.user_id || ' seconds')::interval FROM u, seg`,
      [clock.now(), USERS],
    );
  });
  afterAll(async () => {
    await first?.close();
    await second?.close();
    await database?.drop();
  });

  it('records each expiry exactly once, at its own expires_at', async () => {
    clock.advance(24 * 3600 * 1000);
    const runs = [first, second].flatMap((app) => [1, 2, 3].map(() => app.app.get(ExpireMemberships).execute(100)));
    const counts = await Promise.all(runs);
    expect(counts.reduce((sum, n) => sum + n, 0)).toBe(USERS);
    const [{ entries, distinct, misdated }] = await first.sql<{ entries: number; distinct: number; misdated: number }>(
      `SELECT count(*)::int AS entries,
              count(DISTINCT user_id)::int AS distinct,
              count(*) FILTER (WHERE at <> $1::timestamptz + (user_id || ' seconds')::interval)::int AS misdated
       FROM membership_history WHERE reason = 'ttl'`,
      [new Date('2030-03-01T00:00:00.000Z')],
    );
    expect({ entries, distinct, misdated }).toEqual({ entries: USERS, distinct: USERS, misdated: 0 });
    expect(await first.sql('SELECT 1 FROM memberships')).toEqual([]);
  });
});
