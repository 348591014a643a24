import { startTestApp, TestApp } from './support/test-app';

/** Contract v1.2: POST /users/lookup answers each user as GET would; GET answers a strong ETag and 304. */
describe("batch lookup and conditional GET of a user's segments", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
    for (const slug of ['LOOK_A', 'LOOK_B']) await t.http.post('/api/v1/segments').send({ slug }).expect(201);
    await t.http.post('/api/v1/segments').send({ slug: 'LOOK_AUTO', auto_percent: 50 }).expect(201);
    await t.http
      .patch('/api/v1/users/1/segments')
      .send({ add: ['LOOK_A', 'LOOK_B'] })
      .expect(200);
    await t.http
      .patch('/api/v1/users/2/segments')
      .send({ add: [{ slug: 'LOOK_B', ttl: 'P1D' }] })
      .expect(200);
    await t.http
      .post('/api/v1/users')
      .send({ user_ids: [3, 4, 5, 6, 7, 8] })
      .expect(200);
  });
  afterAll(() => t.close());

  const get = async (userId: number) => (await t.http.get(`/api/v1/users/${userId}/segments`).expect(200)).body;

  it('answers each distinct user once, in the order of first appearance, exactly as GET does', async () => {
    const asked = [2, 1, 2, 999_999, 3, 4, 5, 6, 7, 8, 1];
    const answer = await t.http.post('/api/v1/users/lookup').send({ user_ids: asked }).expect(200);
    const distinct = [2, 1, 999_999, 3, 4, 5, 6, 7, 8];
    expect(answer.body).toEqual({ users: await Promise.all(distinct.map(get)) });
    expect(answer.body.users[0].segments).toHaveLength(1);
  });

  it('agrees with GET for every user after lookups raced change sets', async () => {
    const users = Array.from({ length: 40 }, (_, i) => 100 + i);
    const changes = users.map((userId, i) =>
      t.http
        .patch(`/api/v1/users/${userId}/segments`)
        .send(i % 2 ? { add: ['LOOK_A'] } : { add: ['LOOK_B'], remove: ['LOOK_A'] }),
    );
    const lookups = Array.from({ length: 10 }, () => t.http.post('/api/v1/users/lookup').send({ user_ids: users }));
    const answers = await Promise.all([...changes, ...lookups]);
    expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 200));
    const after = await t.http.post('/api/v1/users/lookup').send({ user_ids: users }).expect(200);
    expect(after.body.users).toEqual(await Promise.all(users.map(get)));
  });

  it('registers nobody: an unknown user looked up is still unknown', async () => {
    await t.http
      .post('/api/v1/users/lookup')
      .send({ user_ids: [777_777] })
      .expect(200);
    expect(
      (
        await t.http
          .post('/api/v1/users')
          .send({ user_ids: [777_777] })
          .expect(200)
      ).body.registered,
    ).toBe(1);
  });

  it.each([
    ['no ids', { user_ids: [] }],
    ['1001 ids', { user_ids: Array.from({ length: 1001 }, (_, i) => i + 1) }],
    ['a bad id', { user_ids: [1, 0] }],
    ['an unknown field', { user_ids: [1], extra: true }],
    ['no list', {}],
  ])('refuses %s with 400 VALIDATION_FAILED', async (_what, body) => {
    const answer = await t.http.post('/api/v1/users/lookup').send(body).expect(400);
    expect(answer.body.code).toBe('VALIDATION_FAILED');
  });

  it('takes 1000 ids', async () => {
    const ids = Array.from({ length: 1000 }, (_, i) => i + 1);
    const answer = await t.http.post('/api/v1/users/lookup').send({ user_ids: ids }).expect(200);
    expect(answer.body.users.map((user: { user_id: number }) => user.user_id)).toEqual(ids);
  });

  it('GET answers a strong ETag and no-cache; If-None-Match with it gets 304 and no body, until the answer changes', async () => {
    const first = await t.http.get('/api/v1/users/1/segments').expect(200);
    const tag = first.headers.etag as string;
    expect(tag).toMatch(/^"[^"]+"$/);
    expect(first.headers['cache-control']).toBe('no-cache');
    expect((await t.http.get('/api/v1/users/2/segments').expect(200)).headers.etag).not.toBe(tag);

    const same = await t.http.get('/api/v1/users/1/segments').set('If-None-Match', tag).expect(304);
    expect(same.text ?? '').toBe('');
    expect(same.headers.etag).toBe(tag);
    await t.http.get('/api/v1/users/1/segments').set('If-None-Match', `"nope", W/${tag}`).expect(304);
    await t.http.get('/api/v1/users/1/segments').set('If-None-Match', '"nope"').expect(200);

    await t.http
      .patch('/api/v1/users/1/segments')
      .send({ remove: ['LOOK_B'] })
      .expect(200);
    const changed = await t.http.get('/api/v1/users/1/segments').set('If-None-Match', tag).expect(200);
    expect(changed.headers.etag).not.toBe(tag);
    expect(changed.body.segments.map((s: { slug: string }) => s.slug)).not.toContain('LOOK_B');
  });
});
