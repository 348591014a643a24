import { usersInRange } from './support/buckets';
import { membersOf } from './support/segment-members';
import { postgresOnly } from './support/test-database';
import { startTestApp, TestApp } from './support/test-app';

const describeOnPostgres = postgresOnly(
  'auto-assignment at 100,000 users: PostgreSQL only (keeps the PGlite run short)',
);

describeOnPostgres('auto-assignment at scale (PostgreSQL)', () => {
  let t: TestApp;
  const USERS = 100_000;

  beforeAll(async () => {
    t = await startTestApp();
    for (let start = 1; start <= USERS; start += 10_000) {
      const ids = Array.from({ length: 10_000 }, (_, i) => start + i);
      await t.http.post('/api/v1/users').send({ user_ids: ids }).expect(200);
    }
  });
  afterAll(() => t.close());

  it('10% of 100,000 registered users is exactly the users with a bucket below 1000', async () => {
    const created = await t.http.post('/api/v1/segments').send({ slug: 'TEN_PERCENT', auto_percent: 10 });
    expect(created.status).toBe(201);
    const expected = usersInRange(
      'TEN_PERCENT',
      Array.from({ length: USERS }, (_, i) => i + 1),
      0,
      1000,
    );
    expect(created.body.members).toBe(expected.length);
    expect(await membersOf(t, 'TEN_PERCENT')).toEqual(expected);
  });
});
