import { expectError, stampedAfter } from './support/expectations';
import { replayLedger, storedMemberships } from './support/ledger';
import { startTestApp, TestApp } from './support/test-app';

describe("a user's segments", () => {
  let t: TestApp;
  const segments = ['AVITO_VOICE_MESSAGES', 'AVITO_PERFORMANCE_VAS', 'AVITO_DISCOUNT_30', 'AVITO_DISCOUNT_50'];

  beforeAll(async () => {
    t = await startTestApp();
    for (const slug of segments) await t.http.post('/api/v1/segments').send({ slug }).expect(201);
  });
  afterAll(() => t.close());

  const change = (userId: number | string, body: unknown) =>
    t.http.patch(`/api/v1/users/${userId}/segments`).send(body as object);
  const historyCount = async () =>
    Number((await t.sql<{ n: string }>('SELECT count(*) AS n FROM membership_history'))[0].n);
  const slugsOf = (body: { segments: { slug: string }[] }) => body.segments.map((segment) => segment.slug);

  it('an unknown user has no segments', async () => {
    const response = await t.http.get('/api/v1/users/424242/segments');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ user_id: 424242, segments: [] });
  });

  it('adds and removes in one change set and answers with the segments after it, ordered by slug', async () => {
    const added = await change(1000, { add: ['AVITO_VOICE_MESSAGES', 'AVITO_PERFORMANCE_VAS', 'AVITO_DISCOUNT_30'] });
    expect(added.status).toBe(200);
    const joinedAt = added.body.segments[0]?.added_at;
    expect(joinedAt).toEqual(stampedAfter(t.clock.now()));
    expect(added.body).toEqual({
      user_id: 1000,
      segments: ['AVITO_DISCOUNT_30', 'AVITO_PERFORMANCE_VAS', 'AVITO_VOICE_MESSAGES'].map((slug) => ({
        slug,
        source: 'manual',
        added_at: joinedAt,
        expires_at: null,
      })),
    });
    t.clock.advance(1000);
    const changed = await change(1000, { add: ['AVITO_DISCOUNT_50'], remove: ['AVITO_DISCOUNT_30'] });
    expect(slugsOf(changed.body)).toEqual(['AVITO_DISCOUNT_50', 'AVITO_PERFORMANCE_VAS', 'AVITO_VOICE_MESSAGES']);
    const read = await t.http.get('/api/v1/users/1000/segments');
    expect(read.body).toEqual(changed.body);
    const history = await t.http.get('/api/v1/users/1000/history');
    expect(history.status).toBe(200);
    expect(
      history.body.items.map((entry: { segment: string; operation: string; reason: string }) => [
        entry.segment,
        entry.operation,
        entry.reason,
      ]),
    ).toEqual([
      ['AVITO_DISCOUNT_30', 'added', 'manual'],
      ['AVITO_PERFORMANCE_VAS', 'added', 'manual'],
      ['AVITO_VOICE_MESSAGES', 'added', 'manual'],
      ['AVITO_DISCOUNT_30', 'removed', 'manual'],
      ['AVITO_DISCOUNT_50', 'added', 'manual'],
    ]);
    expect(history.body.items.slice(0, 3).map((entry: { at: string }) => entry.at)).toEqual([
      joinedAt,
      joinedAt,
      joinedAt,
    ]);
  });

  it('a change set naming one unknown segment changes nothing and writes no history', async () => {
    const before = await historyCount();
    const response = await change(2000, {
      add: ['AVITO_VOICE_MESSAGES', 'AVITO_NOPE', 'AVITO_ALSO_NOPE'],
      remove: ['AVITO_DISCOUNT_30'],
    });
    expectError(response, 404, 'SEGMENT_NOT_FOUND');
    expect(response.body.details).toEqual({ slugs: ['AVITO_ALSO_NOPE', 'AVITO_NOPE'] });
    expect(await historyCount()).toBe(before);
    expect((await t.http.get('/api/v1/users/2000/segments')).body.segments).toEqual([]);
    expect(await t.sql('SELECT 1 FROM users WHERE user_id = 2000')).toEqual([]);
  });

  it('adding a held segment twice gives one membership and one history entry', async () => {
    await change(3000, { add: ['AVITO_VOICE_MESSAGES'] }).expect(200);
    const before = await historyCount();
    const again = await change(3000, { add: ['AVITO_VOICE_MESSAGES'] });
    expect(slugsOf(again.body)).toEqual(['AVITO_VOICE_MESSAGES']);
    expect(await historyCount()).toBe(before);
    const rows = await t.sql('SELECT 1 FROM memberships WHERE user_id = 3000');
    expect(rows).toHaveLength(1);
  });

  it('removing a segment the user does not hold writes nothing', async () => {
    const before = await historyCount();
    const response = await change(3000, { remove: ['AVITO_DISCOUNT_50'] });
    expect(response.status).toBe(200);
    expect(slugsOf(response.body)).toEqual(['AVITO_VOICE_MESSAGES']);
    expect(await historyCount()).toBe(before);
  });

  it('rejects a slug in both lists with 400 CONFLICTING_CHANGES', async () => {
    const response = await change(3000, { add: ['AVITO_DISCOUNT_50'], remove: ['AVITO_DISCOUNT_50'] });
    expectError(response, 400, 'CONFLICTING_CHANGES');
    expect(response.body.details).toEqual({ slugs: ['AVITO_DISCOUNT_50'] });
  });

  it.each([
    [{}, 'no lists'],
    [{ add: [], remove: [] }, 'empty lists'],
    [{ add: Array.from({ length: 101 }, (_, i) => `S${i}`) }, '101 slugs'],
    [{ remove: ['bad slug'] }, 'bad slug in remove'],
    [{ add: ['-bad'] }, 'bad slug in add'],
    [{ add: [{ slug: 'AVITO_VOICE_MESSAGES', extra: 1 }] }, 'unknown item field'],
    [{ add: [42] }, 'number item'],
    [{ add: 'AVITO_VOICE_MESSAGES' }, 'add not a list'],
    [{ add: ['AVITO_VOICE_MESSAGES'], mode: 'x' }, 'unknown field'],
    [{ add: ['AVITO_VOICE_MESSAGES', 'AVITO_VOICE_MESSAGES'] }, 'slug twice'],
    [[], 'array body'],
  ])('rejects %j (%s) with 400', async (body: unknown, _why: string) => {
    const before = await historyCount();
    expectError(await change(3000, body), 400, 'VALIDATION_FAILED');
    expect(await historyCount()).toBe(before);
  });

  it.each(['0', '-1', '1.5', 'abc', '9007199254740992', '1e3', '0012', '99999999999999999999'])(
    'rejects user id %s with 400',
    async (userId) => {
      expectError(await change(userId, { add: ['AVITO_VOICE_MESSAGES'] }), 400, 'VALIDATION_FAILED');
      expectError(await t.http.get(`/api/v1/users/${userId}/segments`), 400, 'VALIDATION_FAILED');
      expectError(await t.http.get(`/api/v1/users/${userId}/history`), 400, 'VALIDATION_FAILED');
    },
  );

  it('accepts the largest user id', async () => {
    const response = await change('9007199254740991', { add: ['AVITO_VOICE_MESSAGES'] });
    expect(response.status).toBe(200);
    expect(response.body.user_id).toBe(9007199254740991);
  });

  it('answers malformed JSON, a non-JSON body and an oversize body in the error shape', async () => {
    const malformed = await t.http
      .patch('/api/v1/users/1/segments')
      .set('content-type', 'application/json')
      .send('{"add": [');
    expectError(malformed, 400, 'MALFORMED_JSON');
    const text = await t.http.patch('/api/v1/users/1/segments').set('content-type', 'text/plain').send('add');
    expectError(text, 415, 'UNSUPPORTED_MEDIA_TYPE');
    const big = await change(1, { add: ['AVITO_VOICE_MESSAGES'], ttl: 'P1D', pad: 'x'.repeat(1024 * 1024) });
    expectError(big, 413, 'PAYLOAD_TOO_LARGE');
    expectError(await t.http.get('/api/v1/nothing-here'), 404, 'ROUTE_NOT_FOUND');
    // An empty path parameter names no route, whichever method and route (the hot read included).
    for (const path of ['/api/v1/users//segments', '/api/v1/users//history']) {
      expectError(await t.http.get(path), 404, 'ROUTE_NOT_FOUND');
    }
    expect((await t.http.head('/api/v1/users//segments')).status).toBe(404);
    expectError(await change('', { add: ['AVITO_VOICE_MESSAGES'] }), 404, 'ROUTE_NOT_FOUND');
  });

  it('filters history by from (inclusive) and to (exclusive), and rejects bad times', async () => {
    const start = t.clock.now();
    await change(4000, { add: ['AVITO_DISCOUNT_30'] }).expect(200);
    t.clock.advance(60_000);
    const middle = t.clock.now();
    await change(4000, { remove: ['AVITO_DISCOUNT_30'] }).expect(200);
    const all = await t.http.get('/api/v1/users/4000/history');
    expect(all.body.items).toHaveLength(2);
    const fromMiddle = await t.http.get('/api/v1/users/4000/history').query({ from: middle.toISOString() });
    expect(fromMiddle.body.items.map((entry: { operation: string }) => entry.operation)).toEqual(['removed']);
    const toMiddle = await t.http
      .get('/api/v1/users/4000/history')
      .query({ from: start.toISOString(), to: middle.toISOString() });
    expect(toMiddle.body.items.map((entry: { operation: string }) => entry.operation)).toEqual(['added']);
    // The same instants written with other offsets: +03:00 and -05:30 name the same moments as Z.
    const withOffset = (at: Date, minutes: number) => {
      const sign = minutes < 0 ? '-' : '+';
      const hhmm = new Date(Math.abs(minutes) * 60_000).toISOString().slice(11, 16);
      return `${new Date(at.getTime() + minutes * 60_000).toISOString().slice(0, 23)}${sign}${hhmm}`;
    };
    const fromOffset = await t.http.get('/api/v1/users/4000/history').query({ from: withOffset(middle, 180) });
    expect(fromOffset.body.items).toEqual(fromMiddle.body.items);
    const toOffset = await t.http
      .get('/api/v1/users/4000/history')
      .query({ from: withOffset(start, -330), to: withOffset(middle, -330) });
    expect(toOffset.body.items).toEqual(toMiddle.body.items);
    for (const bad of ['yesterday', '2030-02-30T00:00:00Z', '2030-01-15']) {
      expectError(await t.http.get('/api/v1/users/4000/history').query({ from: bad }), 400, 'VALIDATION_FAILED');
    }
    expectError(
      await t.http.get('/api/v1/users/4000/history').query({ from: middle.toISOString(), to: start.toISOString() }),
      400,
      'VALIDATION_FAILED',
    );
    expect((await t.http.get('/api/v1/users/777777/history')).body).toEqual({ items: [], next_cursor: null });
  });

  it('deleting a segment removes it from every member with history; the slug can be created again', async () => {
    await t.http.post('/api/v1/segments').send({ slug: 'SHORT_LIVED' }).expect(201);
    for (const userId of [5001, 5002, 5003])
      await change(userId, { add: ['SHORT_LIVED', 'AVITO_VOICE_MESSAGES'] }).expect(200);
    t.clock.advance(5000);
    await t.http.delete('/api/v1/segments/SHORT_LIVED').expect(204);
    for (const userId of [5001, 5002, 5003]) {
      expect(slugsOf((await t.http.get(`/api/v1/users/${userId}/segments`)).body)).toEqual(['AVITO_VOICE_MESSAGES']);
      const history = (await t.http.get(`/api/v1/users/${userId}/history`)).body.items;
      expect(history.at(-1)).toEqual({
        user_id: userId,
        segment: 'SHORT_LIVED',
        operation: 'removed',
        reason: 'segment_deleted',
        at: stampedAfter(t.clock.now()),
      });
    }
    await t.http.post('/api/v1/segments').send({ slug: 'SHORT_LIVED' }).expect(201);
    expect((await t.http.get('/api/v1/segments/SHORT_LIVED')).body.members).toBe(0);
    expect(slugsOf((await t.http.get('/api/v1/users/5001/segments')).body)).toEqual(['AVITO_VOICE_MESSAGES']);
    await change(5001, { add: ['SHORT_LIVED'] }).expect(200);
    const history = (await t.http.get('/api/v1/users/5001/history')).body.items;
    expect(
      history
        .filter((entry: { segment: string }) => entry.segment === 'SHORT_LIVED')
        .map((entry: { operation: string }) => entry.operation),
    ).toEqual(['added', 'removed', 'added']);
  });

  it('the ledger replays to exactly the stored memberships', async () => {
    expect(await replayLedger(t)).toEqual(await storedMemberships(t));
  });
});
