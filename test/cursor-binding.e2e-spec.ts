import { expectError } from './support/expectations';
import { startTestApp, TestApp } from './support/test-app';

/**
 * A cursor is valid only for the list that issued it: the same endpoint, the same user or segment, the
 * same filters. Any other cursor is 400 INVALID_CURSOR, never an empty or wrong page (a history cursor of
 * one user, used for another, gave an empty last page, so a client walking the pages silently stopped).
 */
const USER_A = 31;
const USER_B = 32;
const SLUGS = ['CB_1', 'CB_2', 'CB_3'];

interface Page {
  items: unknown[];
  next_cursor: string | null;
}

describe('cursors bound to their list', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
    for (const slug of SLUGS) await t.http.post('/api/v1/segments').send({ slug }).expect(201);
    // Each user joins each segment once: three history entries each, and three members per segment.
    for (const slug of SLUGS) {
      for (const userId of [USER_A, USER_B, 33]) {
        await t.http
          .patch(`/api/v1/users/${userId}/segments`)
          .send({ add: [slug] })
          .expect(200);
      }
    }
  });
  afterAll(() => t.close());

  const cursorOf = async (path: string, query: Record<string, string | number> = {}): Promise<string> => {
    const page = (
      await t.http
        .get(path)
        .query({ limit: 1, ...query })
        .expect(200)
    ).body as Page;
    expect(page.items).toHaveLength(1);
    expect(typeof page.next_cursor).toBe('string');
    return page.next_cursor!;
  };
  const refused = async (path: string, query: Record<string, string | number>) =>
    expectError(await t.http.get(path).query(query), 400, 'INVALID_CURSOR');

  const history = (userId: number) => `/api/v1/users/${userId}/history`;
  const members = (slug: string) => `/api/v1/segments/${slug}/members`;

  it('still walks each list with its own cursors, whatever the page size', async () => {
    const first = await cursorOf(history(USER_A));
    const rest = (await t.http.get(history(USER_A)).query({ cursor: first, limit: 10 }).expect(200)).body as Page;
    expect(rest.items).toHaveLength(2);
    expect(rest.next_cursor).toBeNull();
    const member = await cursorOf(members('CB_1'));
    const others = (await t.http.get(members('CB_1')).query({ cursor: member }).expect(200)).body as Page;
    expect(others.items).toHaveLength(2);
  });

  it("refuses a user's history cursor for another user", async () => {
    const cursor = await cursorOf(history(USER_A));
    await refused(history(USER_B), { cursor });
    await refused(history(USER_B), { cursor, limit: 1 });
  });

  it('refuses a history cursor with other from/to bounds, and takes the same instants written otherwise', async () => {
    const bounds = { from: '2000-01-01T00:00:00Z', to: '2999-01-01T00:00:00Z' };
    const cursor = await cursorOf(history(USER_A), bounds);
    await refused(history(USER_A), { cursor });
    await refused(history(USER_A), { cursor, from: bounds.from });
    await refused(history(USER_A), { cursor, ...bounds, to: '2998-01-01T00:00:00Z' });
    await refused(history(USER_A), { cursor, ...bounds, from: '2000-01-01T00:00:01Z' });
    const sameInstants = { from: '2000-01-01T03:00:00+03:00', to: '2999-01-01T00:00:00.000Z' };
    const next = (
      await t.http
        .get(history(USER_A))
        .query({ cursor, ...sameInstants })
        .expect(200)
    ).body as Page;
    expect(next.items).toHaveLength(2);
    const unbounded = await cursorOf(history(USER_A));
    await refused(history(USER_A), { cursor: unbounded, ...bounds });
  });

  it("refuses a segment's members cursor for another segment", async () => {
    const cursor = await cursorOf(members('CB_1'));
    await refused(members('CB_2'), { cursor });
  });

  it('refuses a cursor of another endpoint', async () => {
    const historyCursor = await cursorOf(history(USER_A));
    const memberCursor = await cursorOf(members('CB_1'));
    const segmentCursor = await cursorOf('/api/v1/segments');
    await refused(members('CB_1'), { cursor: historyCursor });
    await refused(history(USER_A), { cursor: memberCursor });
    await refused('/api/v1/segments', { cursor: memberCursor });
    await refused(members('CB_1'), { cursor: segmentCursor });
    await refused(history(USER_A), { cursor: segmentCursor });
  });

  it('refuses a tampered cursor', async () => {
    const cursor = await cursorOf(members('CB_1'));
    const [key, ...rest] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [number, ...unknown[]];
    const otherKey = Buffer.from(JSON.stringify([key + 1, ...rest])).toString('base64url');
    const flipped = cursor.slice(0, 5) + (cursor[5] === 'A' ? 'B' : 'A') + cursor.slice(6);
    for (const tampered of [otherKey, flipped, `${cursor}!`, cursor.slice(0, -1)]) {
      await refused(members('CB_1'), { cursor: tampered });
    }
    // The form cursors had before they were bound to their list: plain JSON of a tag and a key.
    await refused(members('CB_1'), { cursor: Buffer.from(JSON.stringify(['members', key])).toString('base64url') });
    await refused('/api/v1/segments', {
      cursor: Buffer.from(JSON.stringify(['segments', 'CB_1'])).toString('base64url'),
    });
  });

  it('keeps cursors short', async () => {
    const slug = 'S'.repeat(100);
    await t.http.post('/api/v1/segments').send({ slug }).expect(201);
    await t.http
      .post('/api/v1/segments')
      .send({ slug: `${slug.slice(0, 99)}T` })
      .expect(201);
    const cursor = await cursorOf('/api/v1/segments', {});
    expect(cursor.length).toBeLessThan(200);
    for (const path of [history(USER_A), members('CB_1')]) expect((await cursorOf(path)).length).toBeLessThan(60);
  });
});
