import { expectedBucket } from './support/buckets';
import { startTestApp, TestApp } from './support/test-app';

/**
 * Reads go on while a bulk auto_percent change runs (issue 25, point 7), and see it all or not at all: in
 * embedded mode the change runs in slices with reads answered between them, on PostgreSQL in one
 * transaction beside them. How long a read waits is the benchmark's (npm run bench -- --bulk-reads).
 */
describe('reads during a bulk auto_percent change', () => {
  const USERS = 50_000;
  const SLUG = 'BULK_READS';
  const SAMPLE = Array.from({ length: 40 }, (_, i) => 1 + i * 1_237);
  let t: TestApp;

  const covered = (percent: number) => {
    const bound = percent * 100;
    let count = 0;
    for (let user = 1; user <= USERS; user++) if (expectedBucket(SLUG, user) < bound) count++;
    return count;
  };

  beforeAll(async () => {
    t = await startTestApp({ env: { READ_CACHE_USERS: '0' } });
    await t.sql(`INSERT INTO users (user_id, known_since) SELECT u, now() FROM generate_series(1, $1::int) u`, [USERS]);
    await t.http.post('/api/v1/segments').send({ slug: SLUG, auto_percent: 40 }).expect(201);
  }, 120_000);
  afterAll(() => t.close());

  it('answers reads while PATCH 40 -> 95 runs, each seeing the state before or after, and the ledger is exact', async () => {
    const before = covered(40);
    const after = covered(95);
    let patching = true;
    const patch = t.http
      .patch(`/api/v1/segments/${SLUG}`)
      .send({ auto_percent: 95 })
      .then((response) => {
        patching = false;
        return response;
      });

    const seenDuring: { members: number; users: Record<number, boolean> }[] = [];
    const seenAny: number[] = [];
    let changeSeen = false;
    while (patching) {
      const user = SAMPLE[seenAny.length % SAMPLE.length];
      const [segment, segments] = await Promise.all([
        t.http.get(`/api/v1/segments/${SLUG}`).expect(200),
        t.http.get(`/api/v1/users/${user}/segments`).expect(200),
      ]);
      const member = (segments.body.segments as { slug: string }[]).some((entry) => entry.slug === SLUG);
      const members = segment.body.members as number;
      seenAny.push(members);
      // A read answered before the PATCH answers, showing the state before it: it was not held behind it.
      if (patching && members === before) seenDuring.push({ members, users: { [user]: member } });
      // Never a mix: the segment's count is the one before or the one after, the user's membership the one
      // before or after (the two reads may fall either side of the commit), and once a read has shown the
      // change no later read shows the state before it.
      expect([before, after]).toContain(members);
      const bucket = expectedBucket(SLUG, user);
      const joins = bucket >= 4_000 && bucket < 9_500;
      if (!joins) expect(member).toBe(bucket < 4_000);
      if (changeSeen) expect({ members, member }).toEqual({ members: after, member: bucket < 9_500 });
      changeSeen ||= members === after || (joins && member);
    }
    const response = await patch;
    expect(response.status).toBe(200);
    expect(response.body.members).toBe(after);
    expect(seenDuring.length).toBeGreaterThanOrEqual(5);

    // Exact ledger: one added/auto entry per join, all at one time, and none twice.
    const [joins] = await t.sql<{ entries: number; users: number; times: number }>(
      `SELECT count(*)::int AS entries, count(DISTINCT user_id)::int AS users, count(DISTINCT at)::int AS times
       FROM membership_history WHERE segment = $1 AND operation = 'added' AND reason = 'auto'
         AND at > (SELECT min(at) FROM membership_history WHERE segment = $1)`,
      [SLUG],
    );
    expect(joins).toEqual({ entries: after - before, users: after - before, times: 1 });
    const [state] = await t.sql<{ members: number; history: number }>(
      `SELECT (SELECT count(*)::int FROM memberships m JOIN segments s ON s.id = m.segment_id WHERE s.slug = $1) AS members,
              (SELECT count(*)::int FROM membership_history WHERE segment = $1) AS history`,
      [SLUG],
    );
    expect(state).toEqual({ members: after, history: after });
  }, 300_000);
});
