import { ExpireMemberships } from '@app/application';
import { expectError, stampedAfter } from './support/expectations';
import { replayLedger, storedMemberships } from './support/ledger';
import { startTestApp, TestApp } from './support/test-app';

describe('memberships that expire', () => {
  let t: TestApp;
  const DAY = 24 * 3600 * 1000;

  beforeAll(async () => {
    t = await startTestApp();
    for (const slug of ['T_A', 'T_B', 'T_C']) await t.http.post('/api/v1/segments').send({ slug }).expect(201);
  });
  afterAll(() => t.close());

  const change = (userId: number, body: object) => t.http.patch(`/api/v1/users/${userId}/segments`).send(body);
  const sweep = () => t.app.get(ExpireMemberships).execute();
  const expiries = async (userId: number) =>
    Object.fromEntries(
      (await t.http.get(`/api/v1/users/${userId}/segments`)).body.segments.map(
        (s: { slug: string; expires_at: string | null }) => [s.slug, s.expires_at],
      ),
    );

  it('turns ttl and expires_at into expiries: top level for plain items, an item’s own value wins', async () => {
    t.clock.set('2030-01-31T10:00:00.000Z');
    const response = await change(1, {
      add: ['T_A', { slug: 'T_B', expires_at: '2030-03-01T00:00:00+03:00' }, { slug: 'T_C', ttl: 'PT36H' }],
      ttl: 'P1M',
    });
    expect(response.status).toBe(200);
    expect(await expiries(1)).toEqual({
      T_A: '2030-02-28T10:00:00.000Z',
      T_B: '2030-02-28T21:00:00.000Z',
      T_C: '2030-02-01T22:00:00.000Z',
    });
  });

  it('re-adding a held segment replaces its expiry; without one it becomes permanent', async () => {
    await change(2, { add: ['T_A'], ttl: 'P2D' }).expect(200);
    await change(2, { add: [{ slug: 'T_A', ttl: 'P10D' }] }).expect(200);
    expect(await expiries(2)).toEqual({ T_A: new Date(t.clock.now().getTime() + 10 * DAY).toISOString() });
    await change(2, { add: ['T_A'] }).expect(200);
    expect(await expiries(2)).toEqual({ T_A: null });
    const history = (await t.http.get('/api/v1/users/2/history')).body.items;
    expect(history).toHaveLength(1);
  });

  it.each([
    [{ add: ['T_A'], ttl: 'P1D', expires_at: '2031-01-01T00:00:00Z' }, 'both at the top level'],
    [{ add: [{ slug: 'T_A', ttl: 'P1D', expires_at: '2031-01-01T00:00:00Z' }] }, 'both in an item'],
    [{ add: ['T_A'], expires_at: '2020-01-01T00:00:00Z' }, 'a past time'],
    [{ add: ['T_A'], expires_at: 'next tuesday' }, 'a garbled time'],
    [{ add: ['T_A'], ttl: 'P0D' }, 'a zero duration'],
    [{ add: ['T_A'], ttl: 'PT0S' }, 'a zero time duration'],
    [{ add: ['T_A'], ttl: '-P1D' }, 'a negative duration'],
    [{ add: ['T_A'], ttl: 'P' }, 'an empty duration'],
    [{ add: ['T_A'], ttl: '2 days' }, 'a garbled duration'],
    [{ add: ['T_A'], ttl: 5 }, 'a number'],
    [{ add: [{ slug: 'T_A', ttl: 'PT' }] }, 'a bare T'],
  ])('rejects %j (%s) with a 400 that says what was wrong', async (body: object, _why: string) => {
    const response = await change(3, body);
    expectError(response, 400, 'VALIDATION_FAILED');
    expect(response.body.message).toMatch(/ttl|expires_at/);
    expect((await t.http.get('/api/v1/users/3/segments')).body.segments).toEqual([]);
  });

  it('never returns an expired membership, before or after the sweep, and records the expiry at expires_at', async () => {
    await t.http.post('/api/v1/segments').send({ slug: 'T_X' }).expect(201);
    t.clock.set('2030-06-01T00:00:00.000Z');
    await sweep();
    await change(10, { add: [{ slug: 'T_X', ttl: 'PT1H' }, 'T_B'] }).expect(200);
    await change(11, { add: [{ slug: 'T_X', ttl: 'PT2H' }] }).expect(200);
    t.clock.set('2030-06-01T01:00:00.000Z');
    expect(Object.keys(await expiries(10))).toEqual(['T_B']);
    expect((await t.http.get('/api/v1/users/10/segments')).body.segments).toHaveLength(1);
    expect(
      (await t.http.get('/api/v1/segments/T_X/members')).body.items.map((m: { user_id: number }) => m.user_id),
    ).toEqual([11]);
    t.clock.set('2030-06-01T05:00:00.000Z');
    expect((await t.http.get('/api/v1/segments/T_X')).body.members).toBe(0);
    expect(await sweep()).toBe(2);
    expect(await sweep()).toBe(0);
    const ttlEntries = await t.sql<{ user_id: string; at: Date }>(
      `SELECT user_id, at FROM membership_history WHERE reason = 'ttl' AND segment = 'T_X' ORDER BY user_id`,
    );
    expect(ttlEntries.map((entry) => [Number(entry.user_id), entry.at.toISOString()])).toEqual([
      [10, '2030-06-01T01:00:00.000Z'],
      [11, '2030-06-01T02:00:00.000Z'],
    ]);
  });

  it('adding a segment whose membership expired but was not swept records the expiry, then a new join', async () => {
    t.clock.set('2030-07-01T00:00:00.000Z');
    await change(20, { add: [{ slug: 'T_C', ttl: 'PT1M' }] }).expect(200);
    t.clock.set('2030-07-01T00:10:00.000Z');
    await change(20, { add: ['T_C'] }).expect(200);
    const history = (await t.http.get('/api/v1/users/20/history')).body.items.map(
      (e: { operation: string; reason: string; at: string }) => [e.operation, e.reason, e.at],
    );
    expect(history).toEqual([
      ['added', 'manual', stampedAfter(new Date('2030-07-01T00:00:00.000Z'))],
      ['removed', 'ttl', '2030-07-01T00:01:00.000Z'],
      ['added', 'manual', stampedAfter(new Date('2030-07-01T00:10:00.000Z'))],
    ]);
    expect(await expiries(20)).toEqual({ T_C: null });
  });

  it('removing an expired membership is not a manual removal: the ledger says ttl at its expiry', async () => {
    t.clock.set('2030-08-01T00:00:00.000Z');
    await change(21, { add: [{ slug: 'T_C', ttl: 'PT1M' }] }).expect(200);
    t.clock.set('2030-08-01T01:00:00.000Z');
    await change(21, { remove: ['T_C'] }).expect(200);
    const last = (await t.http.get('/api/v1/users/21/history')).body.items.at(-1);
    expect([last.operation, last.reason, last.at]).toEqual(['removed', 'ttl', '2030-08-01T00:01:00.000Z']);
  });

  it('deleting a segment records expired members as ttl at their expiry, the rest as segment_deleted', async () => {
    await t.http.post('/api/v1/segments').send({ slug: 'T_DEL' }).expect(201);
    t.clock.set('2030-09-01T00:00:00.000Z');
    await change(30, { add: [{ slug: 'T_DEL', ttl: 'PT1M' }] }).expect(200);
    await change(31, { add: ['T_DEL'] }).expect(200);
    t.clock.set('2030-09-01T01:00:00.000Z');
    await t.http.delete('/api/v1/segments/T_DEL').expect(204);
    const rows = await t.sql<{ user_id: string; reason: string; at: Date }>(
      `SELECT user_id, reason, at FROM membership_history WHERE segment = 'T_DEL' AND operation = 'removed' ORDER BY user_id`,
    );
    expect(rows.map((row) => [Number(row.user_id), row.reason, row.at.toISOString()])).toEqual([
      [30, 'ttl', '2030-09-01T00:01:00.000Z'],
      [31, 'segment_deleted', stampedAfter(new Date('2030-09-01T01:00:00.000Z'))],
    ]);
  });

  it('the ledger replays to the stored memberships', async () => {
    expect(await replayLedger(t)).toEqual(await storedMemberships(t));
  });
});
