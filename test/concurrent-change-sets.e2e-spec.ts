import { replayLedger, storedMemberships } from './support/ledger';
import { postgresOnly } from './support/test-database';
import { startTestApp, TestApp } from './support/test-app';

const describeOnPostgres = postgresOnly(
  'concurrent change sets: skipped on PGlite (one connection, no true concurrency)',
);

describeOnPostgres('20 concurrent change sets for one user (PostgreSQL)', () => {
  let t: TestApp;
  const slugs = ['C_1', 'C_2', 'C_3', 'C_4', 'C_5'];

  beforeAll(async () => {
    t = await startTestApp();
    for (const slug of slugs) await t.http.post('/api/v1/segments').send({ slug }).expect(201);
  });
  afterAll(() => t.close());

  it('leaves state equal to the replay of the history', async () => {
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const bodies = Array.from({ length: 20 }, () => {
      const shuffled = [...slugs].sort(() => random(3) - 1);
      return { add: shuffled.slice(0, 1 + random(2)), remove: shuffled.slice(3, 3 + random(2)) };
    });
    const responses = await Promise.all(bodies.map((body) => t.http.patch('/api/v1/users/99/segments').send(body)));
    expect(responses.map((response) => response.status)).toEqual(bodies.map(() => 200));
    const held = await storedMemberships(t);
    expect(await replayLedger(t)).toEqual(held);
    const read = await t.http.get('/api/v1/users/99/segments');
    expect(read.body.segments.map((segment: { slug: string }) => `99:${segment.slug}`)).toEqual(held);
  });
});
