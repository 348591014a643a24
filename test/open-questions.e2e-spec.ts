import { usersInRange } from './support/buckets';
import { expectError } from './support/expectations';
import { replayLedger, storedMemberships } from './support/ledger';
import { segmentMembers } from './support/segment-members';
import { startTestApp, TestApp } from './support/test-app';

/** The README's "Questions the assignment left open": each decision, as a caller sees it. */
describe("the README's decisions on open questions", () => {
  let t: TestApp;
  const USERS = Array.from({ length: 1000 }, (_, i) => 20_000 + i);

  beforeAll(async () => {
    t = await startTestApp();
    await t.http.post('/api/v1/users').send({ user_ids: USERS }).expect(200);
    for (const slug of ['Q_A', 'Q_B']) await t.http.post('/api/v1/segments').send({ slug }).expect(201);
  });
  afterAll(() => t.close());

  /** Each change a second after the last, so that the ledger's order is the order of the calls. */
  const change = (userId: number, body: object) => {
    t.clock.advance(1000);
    return t.http.patch(`/api/v1/users/${userId}/segments`).send(body);
  };
  const setPercent = (slug: string, autoPercent: number | null) => {
    t.clock.advance(1000);
    return t.http.patch(`/api/v1/segments/${slug}`).send({ auto_percent: autoPercent }).expect(200);
  };
  const history = async (userId: number, segment: string) =>
    (
      (await t.http.get(`/api/v1/users/${userId}/history`).expect(200)).body.items as Array<{
        segment: string;
        operation: string;
        reason: string;
      }>
    )
      .filter((entry) => entry.segment === segment)
      .map((entry) => `${entry.operation} ${entry.reason}`);
  const members = async (slug: string) =>
    (await segmentMembers(t, slug)).map((member) => `${member.user_id} ${member.source}`);
  const asAuto = (ids: number[]) => ids.map((id) => `${id} auto`);

  it('an object item without an expiry of its own takes the top-level ttl or expires_at, like a plain slug', async () => {
    t.clock.set('2030-01-31T09:59:59.000Z'); // the change moves it to 10:00:00
    const withTtl = await change(1, { add: [{ slug: 'Q_A' }, 'Q_B'], ttl: 'P1M' }).expect(200);
    expect(withTtl.body.segments.map((s: { slug: string; expires_at: string }) => [s.slug, s.expires_at])).toEqual([
      ['Q_A', '2030-02-28T10:00:00.000Z'],
      ['Q_B', '2030-02-28T10:00:00.000Z'],
    ]);
    const withTime = await change(2, { add: [{ slug: 'Q_A' }], expires_at: '2030-03-01T00:00:00+03:00' }).expect(200);
    expect(withTime.body.segments.map((s: { slug: string; expires_at: string }) => [s.slug, s.expires_at])).toEqual([
      ['Q_A', '2030-02-28T21:00:00.000Z'],
    ]);
  });

  it('duplicates in remove are merged: one removal, one history entry; the same slug twice in add is a 400', async () => {
    await change(3, { add: ['Q_A', 'Q_B'] }).expect(200);
    const removed = await change(3, { remove: ['Q_A', 'Q_A', 'Q_A'] }).expect(200);
    expect(removed.body.segments.map((s: { slug: string }) => s.slug)).toEqual(['Q_B']);
    expect(await history(3, 'Q_A')).toEqual(['added manual', 'removed manual']);
    expectError(await change(3, { add: ['Q_A', { slug: 'Q_A', ttl: 'P1D' }] }), 400, 'VALIDATION_FAILED');
    expect(await history(3, 'Q_A')).toEqual(['added manual', 'removed manual']);
  });

  it('a member removed by hand stays out on a raise that does not newly cover their bucket, and rejoins on one that does', async () => {
    await t.http.post('/api/v1/segments').send({ slug: 'Q_RANGE', auto_percent: 40 }).expect(201);
    const leaver = usersInRange('Q_RANGE', USERS, 2000, 3000)[0];
    await change(leaver, { remove: ['Q_RANGE'] }).expect(200);
    await setPercent('Q_RANGE', 60);
    expect(await members('Q_RANGE')).not.toContain(`${leaver} auto`);
    // Lowered below their bucket and raised over it again: it newly enters the range.
    await setPercent('Q_RANGE', 10);
    await setPercent('Q_RANGE', 50);
    expect(await members('Q_RANGE')).toContain(`${leaver} auto`);
    expect(await history(leaver, 'Q_RANGE')).toEqual(['added auto', 'removed manual', 'added auto']);
  });

  it('null keeps the members and stops joins; a percent after null recomputes the segment as creation does (contract v1.1)', async () => {
    await t.http.post('/api/v1/segments').send({ slug: 'Q_NULL', auto_percent: 30 }).expect(201);
    const manual = usersInRange('Q_NULL', USERS, 2000, 3000)[0];
    await change(manual, { add: ['Q_NULL'] }).expect(200);
    const atThirty = await members('Q_NULL');

    await setPercent('Q_NULL', null);
    const newcomers = Array.from({ length: 300 }, (_, i) => 30_000 + i);
    await t.http.post('/api/v1/users').send({ user_ids: newcomers }).expect(200);
    expect(await members('Q_NULL')).toEqual(atThirty);

    await setPercent('Q_NULL', 10);
    const inRange = usersInRange('Q_NULL', [...USERS, ...newcomers, 1, 2, 3], 0, 1000);
    const expected = [...asAuto(inRange), `${manual} manual`].sort((a, b) => Number.parseInt(a) - Number.parseInt(b));
    expect(await members('Q_NULL')).toEqual(expected);
    const formerMember = usersInRange('Q_NULL', USERS, 1000, 3000).find((id) => id !== manual)!;
    expect(await history(formerMember, 'Q_NULL')).toEqual(['added auto', 'removed auto']);
  });

  it('the ledger replays to the stored memberships', async () => {
    expect(await replayLedger(t)).toEqual(await storedMemberships(t));
  });
});
