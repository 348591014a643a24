import { expectError, stampedAfter } from './support/expectations';
import { startTestApp, TestApp } from './support/test-app';

describe('segments', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const create = (body: object) => t.http.post('/api/v1/segments').send(body);

  it('creates a segment and reads it back', async () => {
    const created = await create({ slug: 'AVITO_VOICE_MESSAGES', description: 'Voice messages' });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      slug: 'AVITO_VOICE_MESSAGES',
      description: 'Voice messages',
      auto_percent: null,
      members: 0,
      created_at: t.clock.now().toISOString(),
    });
    const read = await t.http.get('/api/v1/segments/AVITO_VOICE_MESSAGES');
    expect(read.status).toBe(200);
    expect(read.body).toEqual(created.body);
  });

  it('answers 409 SEGMENT_EXISTS for a taken slug, and slugs are case-sensitive', async () => {
    await create({ slug: 'DUP_ME' }).expect(201);
    expectError(await create({ slug: 'DUP_ME' }), 409, 'SEGMENT_EXISTS');
    await create({ slug: 'dup_me' }).expect(201);
  });

  it.each([
    [{}, 'missing slug'],
    [{ slug: '' }, 'empty slug'],
    [{ slug: '_LEADING' }, 'bad first character'],
    [{ slug: 'HAS SPACE' }, 'space'],
    [{ slug: 'A'.repeat(101) }, 'too long'],
    [{ slug: 42 }, 'number'],
    [{ slug: 'OK', description: 'x'.repeat(501) }, 'description too long'],
    [{ slug: 'OK', description: 7 }, 'description not a string'],
    [{ slug: 'OK', auto_percent: 0 }, 'zero percent'],
    [{ slug: 'OK', auto_percent: 100.01 }, 'over 100'],
    [{ slug: 'OK', auto_percent: 10.123 }, 'three decimals'],
    [{ slug: 'OK', auto_percent: '10' }, 'percent as text'],
    [{ slug: 'OK', extra: true }, 'unknown field'],
  ])('rejects %j (%s) with 400 VALIDATION_FAILED', async (body: object, _why: string) => {
    expectError(await create(body), 400, 'VALIDATION_FAILED');
    expectError(await t.http.get('/api/v1/segments/OK'), 404, 'SEGMENT_NOT_FOUND');
  });

  it('accepts a 100-character slug with dots, dashes and underscores', async () => {
    const slug = `A1.b-c_${'z'.repeat(93)}`;
    await create({ slug }).expect(201);
    await t.http.get(`/api/v1/segments/${slug}`).expect(200);
  });

  it('answers 400 for a malformed slug in the path and 404 for an unknown one', async () => {
    expectError(await t.http.get('/api/v1/segments/bad%20slug'), 400, 'VALIDATION_FAILED');
    const missing = await t.http.get('/api/v1/segments/AVITO_X');
    expectError(missing, 404, 'SEGMENT_NOT_FOUND');
    expect(missing.body).toEqual({
      statusCode: 404,
      error: 'Not Found',
      code: 'SEGMENT_NOT_FOUND',
      message: 'segments not found: AVITO_X',
      details: { slugs: ['AVITO_X'] },
    });
  });

  it('changes the description, clears it with null, and rejects empty or invalid changes', async () => {
    await create({ slug: 'PATCH_ME', description: 'before' }).expect(201);
    const changed = await t.http.patch('/api/v1/segments/PATCH_ME').send({ description: 'after' });
    expect(changed.status).toBe(200);
    expect(changed.body.description).toBe('after');
    const cleared = await t.http.patch('/api/v1/segments/PATCH_ME').send({ description: null });
    expect(cleared.body.description).toBeNull();
    expectError(await t.http.patch('/api/v1/segments/PATCH_ME').send({}), 400, 'VALIDATION_FAILED');
    expectError(await t.http.patch('/api/v1/segments/PATCH_ME').send({ slug: 'X' }), 400, 'VALIDATION_FAILED');
    expectError(await t.http.patch('/api/v1/segments/NOPE').send({ description: 'x' }), 404, 'SEGMENT_NOT_FOUND');
  });

  it('lists segments in byte order, a page at a time', async () => {
    for (const slug of ['L_b', 'L_B', 'L_a', 'L_A', 'L_0']) await create({ slug }).expect(201);
    const all: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: { items: { slug: string }[]; next_cursor: string | null } } = await t.http
        .get('/api/v1/segments')
        .query({ limit: 2, ...(cursor ? { cursor } : {}) });
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      all.push(...page.body.items.map((item) => item.slug));
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(all).toEqual([...all].sort((a, b) => (Buffer.from(a) < Buffer.from(b) ? -1 : 1)));
    expect(all.filter((slug) => slug.startsWith('L_'))).toEqual(['L_0', 'L_A', 'L_B', 'L_a', 'L_b']);
    const whole = await t.http.get('/api/v1/segments').query({ limit: 1000 });
    expect(whole.body.items.map((item: { slug: string }) => item.slug)).toEqual(all);
    expect(whole.body.next_cursor).toBeNull();
  });

  it.each([['0'], ['1001'], ['abc'], ['1.5'], ['-1']])('rejects limit=%s, saying so once', async (limit) => {
    const response = await t.http.get('/api/v1/segments').query({ limit });
    expectError(response, 400, 'VALIDATION_FAILED');
    expect(response.body.message).toBe('limit must be an integer from 1 to 1000');
  });

  it('rejects a cursor it did not issue', async () => {
    expectError(await t.http.get('/api/v1/segments').query({ cursor: 'garbage' }), 400, 'INVALID_CURSOR');
  });

  it('deletes a segment with 204, then 404; the slug can be created again', async () => {
    await create({ slug: 'DELETE_ME' }).expect(201);
    const deleted = await t.http.delete('/api/v1/segments/DELETE_ME');
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe('');
    expectError(await t.http.delete('/api/v1/segments/DELETE_ME'), 404, 'SEGMENT_NOT_FOUND');
    expectError(await t.http.get('/api/v1/segments/DELETE_ME'), 404, 'SEGMENT_NOT_FOUND');
    await create({ slug: 'DELETE_ME' }).expect(201);
  });

  it('deletes with no body although the client sends a JSON content type (some send it on every request)', async () => {
    await create({ slug: 'DELETE_TYPED' }).expect(201);
    const deleted = await t.http.delete('/api/v1/segments/DELETE_TYPED').set('content-type', 'application/json');
    expect(deleted.status).toBe(204);
    expectError(await t.http.get('/api/v1/segments/DELETE_TYPED'), 404, 'SEGMENT_NOT_FOUND');
  });

  it('lists members ordered by user id with pages, and 404 for an unknown segment', async () => {
    await create({ slug: 'MEMBERS' }).expect(201);
    for (const userId of [30, 10, 20]) {
      await t.http
        .patch(`/api/v1/users/${userId}/segments`)
        .send({ add: ['MEMBERS'] })
        .expect(200);
    }
    const first = await t.http.get('/api/v1/segments/MEMBERS/members').query({ limit: 2 });
    expect(first.status).toBe(200);
    expect(first.body.items).toEqual([
      { user_id: 10, source: 'manual', added_at: stampedAfter(t.clock.now()), expires_at: null },
      { user_id: 20, source: 'manual', added_at: stampedAfter(t.clock.now()), expires_at: null },
    ]);
    const second = await t.http
      .get('/api/v1/segments/MEMBERS/members')
      .query({ limit: 2, cursor: first.body.next_cursor });
    expect(second.body.items.map((item: { user_id: number }) => item.user_id)).toEqual([30]);
    expect(second.body.next_cursor).toBeNull();
    expect((await t.http.get('/api/v1/segments/MEMBERS')).body.members).toBe(3);
    expectError(await t.http.get('/api/v1/segments/NOPE/members'), 404, 'SEGMENT_NOT_FOUND');
  });
});
