import { usersInRange } from './support/buckets';
import { expectError } from './support/expectations';
import { replayLedger, storedMemberships } from './support/ledger';
import { startTestApp, TestApp } from './support/test-app';

describe('automatic assignment of a percent of users', () => {
  let t: TestApp;
  const USERS = Array.from({ length: 2000 }, (_, i) => 1 + i * 7);

  beforeAll(async () => {
    t = await startTestApp();
    const registered = await t.http.post('/api/v1/users').send({ user_ids: USERS });
    expect(registered.status).toBe(200);
    expect(registered.body).toEqual({ registered: USERS.length, auto_assigned: 0 });
  });
  afterAll(() => t.close());

  const members = async (slug: string, source?: string): Promise<number[]> => {
    const rows = await t.sql<{ user_id: string }>(
      `SELECT m.user_id FROM memberships m JOIN segments s ON s.id = m.segment_id
       WHERE s.slug = $1 AND ($2::text IS NULL OR m.source = $2) ORDER BY m.user_id`,
      [slug, source ?? null],
    );
    return rows.map((row) => Number(row.user_id));
  };

  it('registration is idempotent and validated', async () => {
    const again = await t.http.post('/api/v1/users').send({ user_ids: [USERS[0], USERS[1], 999_999_999] });
    expect(again.body).toEqual({ registered: 1, auto_assigned: 0 });
    for (const body of [
      { user_ids: [] },
      { user_ids: [0] },
      { user_ids: [1.5] },
      { user_ids: ['1'] },
      { user_ids: [2 ** 53] },
      {},
      { user_ids: [1], x: 1 },
    ]) {
      expectError(await t.http.post('/api/v1/users').send(body), 400, 'VALIDATION_FAILED');
    }
    expectError(
      await t.http.post('/api/v1/users').send({ user_ids: Array.from({ length: 10001 }, (_, i) => i + 1) }),
      400,
      'VALIDATION_FAILED',
    );
  });

  it('creating with auto_percent joins exactly the known users whose bucket is in range', async () => {
    const created = await t.http.post('/api/v1/segments').send({ slug: 'AUTO_10', auto_percent: 10 });
    expect(created.status).toBe(201);
    const expected = usersInRange('AUTO_10', [...USERS, 999_999_999], 0, 1000);
    expect(created.body.auto_percent).toBe(10);
    expect(created.body.members).toBe(expected.length);
    expect(await members('AUTO_10', 'auto')).toEqual(expected);
    const history = await t.sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM membership_history WHERE segment = 'AUTO_10' AND operation = 'added' AND reason = 'auto'`,
    );
    expect(history[0].n).toBe(expected.length);
  });

  it('a user who becomes known later joins at that moment, by registration or by a change set', async () => {
    await t.http.post('/api/v1/segments').send({ slug: 'PLAIN' }).expect(201);
    const candidates = Array.from({ length: 400 }, (_, i) => 5_000_000 + i);
    const inRange = usersInRange('AUTO_10', candidates, 0, 1000);
    const [byRegistration, byChangeSet] = [inRange[0], inRange[1]];
    const registered = await t.http.post('/api/v1/users').send({ user_ids: [byRegistration] });
    expect(registered.body).toEqual({ registered: 1, auto_assigned: 1 });
    const changed = await t.http.patch(`/api/v1/users/${byChangeSet}/segments`).send({ add: ['PLAIN'] });
    expect(changed.body.segments.map((s: { slug: string; source: string }) => [s.slug, s.source])).toEqual([
      ['AUTO_10', 'auto'],
      ['PLAIN', 'manual'],
    ]);
    const outOfRange = candidates.find((id) => !inRange.includes(id))!;
    expect((await t.http.post('/api/v1/users').send({ user_ids: [outOfRange] })).body).toEqual({
      registered: 1,
      auto_assigned: 0,
    });
  });

  it('raising the percent keeps the first set and adds exactly the newly covered buckets', async () => {
    const before = await members('AUTO_10');
    const raised = await t.http.patch('/api/v1/segments/AUTO_10').send({ auto_percent: 20 });
    expect(raised.status).toBe(200);
    expect(raised.body.auto_percent).toBe(20);
    const after = await members('AUTO_10');
    expect(after).toEqual(expect.arrayContaining(before));
    const known = (await t.sql<{ user_id: string }>('SELECT user_id FROM users')).map((row) => Number(row.user_id));
    const added = after.filter((id) => !before.includes(id)).sort((a, b) => a - b);
    expect(added).toEqual(usersInRange('AUTO_10', known, 1000, 2000).sort((a, b) => a - b));
  });

  it('lowering removes auto members whose bucket left the range, never manual ones', async () => {
    const known = (await t.sql<{ user_id: string }>('SELECT user_id FROM users')).map((row) => Number(row.user_id));
    const highBucketUser = usersInRange('AUTO_10', known, 1500, 2000)[0];
    await t.http
      .patch(`/api/v1/users/${highBucketUser}/segments`)
      .send({ add: ['AUTO_10'] })
      .expect(200);
    const lowered = await t.http.patch('/api/v1/segments/AUTO_10').send({ auto_percent: 15 });
    expect(lowered.status).toBe(200);
    const expected = [...usersInRange('AUTO_10', known, 0, 1500), highBucketUser].sort((a, b) => a - b);
    expect(await members('AUTO_10')).toEqual(expected);
    const removed = await t.sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM membership_history WHERE segment = 'AUTO_10' AND operation = 'removed' AND reason = 'auto'`,
    );
    expect(removed[0].n).toBe(usersInRange('AUTO_10', known, 1500, 2000).length - 1);
  });

  it('a user removed by hand is not re-added unless their bucket newly enters the range', async () => {
    const current = await members('AUTO_10', 'auto');
    const leaver = current[0];
    await t.http
      .patch(`/api/v1/users/${leaver}/segments`)
      .send({ remove: ['AUTO_10'] })
      .expect(200);
    await t.http.patch('/api/v1/segments/AUTO_10').send({ auto_percent: 16 }).expect(200);
    expect(await members('AUTO_10')).not.toContain(leaver);
  });

  it('null stops future auto joins and keeps current members', async () => {
    const before = await members('AUTO_10');
    const stopped = await t.http.patch('/api/v1/segments/AUTO_10').send({ auto_percent: null });
    expect(stopped.body.auto_percent).toBeNull();
    expect(await members('AUTO_10')).toEqual(before);
    const newcomers = usersInRange(
      'AUTO_10',
      Array.from({ length: 300 }, (_, i) => 7_000_000 + i),
      0,
      1000,
    );
    expect((await t.http.post('/api/v1/users').send({ user_ids: newcomers })).body).toEqual({
      registered: newcomers.length,
      auto_assigned: 0,
    });
  });

  it('re-creating a deleted segment with the same slug and percent assigns the same users', async () => {
    await t.http.post('/api/v1/segments').send({ slug: 'AUTO_AGAIN', auto_percent: 33.33 }).expect(201);
    const first = await members('AUTO_AGAIN');
    await t.http.delete('/api/v1/segments/AUTO_AGAIN').expect(204);
    expect(await members('AUTO_AGAIN')).toEqual([]);
    await t.http.post('/api/v1/segments').send({ slug: 'AUTO_AGAIN', auto_percent: 33.33 }).expect(201);
    expect(await members('AUTO_AGAIN')).toEqual(first);
    const known = (await t.sql<{ user_id: string }>('SELECT user_id FROM users')).map((row) => Number(row.user_id));
    expect(first).toEqual(usersInRange('AUTO_AGAIN', known, 0, 3333).sort((a, b) => a - b));
  });

  it('the ledger replays to the stored memberships', async () => {
    expect(await replayLedger(t)).toEqual(await storedMemberships(t));
  });
});
