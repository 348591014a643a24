import { MembershipRepository } from '@app/application';
import { startTestApp, TestApp } from './support/test-app';

/**
 * Concurrent reads of a user's segments share statements (LookupBatcher): each caller must still get
 * exactly its own user's active segments, expiry respected, in slug order.
 */
describe('concurrent reads of user segments', () => {
  let t: TestApp;
  const USERS = 40;
  const HOUR = 3600_000;

  /** User u <= USERS holds A_SEG if u is even, B_SEG if u % 3 = 0, and C_SEG for an hour if u % 5 = 0; others are unknown. */
  const expected = (user: number, expiredC: boolean) =>
    user > USERS
      ? []
      : [user % 2 === 0 && 'A_SEG', user % 3 === 0 && 'B_SEG', user % 5 === 0 && !expiredC && 'C_SEG'].filter(Boolean);

  beforeAll(async () => {
    t = await startTestApp();
    for (const slug of ['A_SEG', 'B_SEG', 'C_SEG']) await t.http.post('/api/v1/segments').send({ slug }).expect(201);
    for (let user = 1; user <= USERS; user++) {
      const add = [
        ...expected(user, true),
        ...(user % 5 === 0
          ? [{ slug: 'C_SEG', expires_at: new Date(t.clock.now().getTime() + HOUR).toISOString() }]
          : []),
      ];
      if (add.length > 0) await t.http.patch(`/api/v1/users/${user}/segments`).send({ add }).expect(200);
    }
  });
  afterAll(() => t.close());

  async function readAllAtOnce(): Promise<Array<{ user: number; slugs: string[] }>> {
    const users = Array.from({ length: 5 * USERS }, (_, i) => 1 + ((i * 7) % (USERS + 3))); // repeats and unknown users
    const responses = await Promise.all(users.map((user) => t.http.get(`/api/v1/users/${user}/segments`)));
    return responses.map((response, i) => {
      expect(response.status).toBe(200);
      expect(response.body.user_id).toBe(users[i]);
      return { user: users[i], slugs: response.body.segments.map((segment: { slug: string }) => segment.slug) };
    });
  }

  it('gives every caller its own user’s segments', async () => {
    for (const { user, slugs } of await readAllAtOnce())
      expect({ user, slugs }).toEqual({ user, slugs: expected(user, false) });
  });

  it('answers lookups asked together (one statement for many users) each with its own user, at its own time', async () => {
    const repository = t.app.get(MembershipRepository);
    const now = t.clock.now();
    const later = new Date(now.getTime() + HOUR);
    // Asked in one turn of the event loop, so they go out together.
    const lookups = Array.from({ length: 3 * USERS }, (_, i) => ({
      user: 1 + ((i * 11) % (USERS + 3)),
      at: i % 2 ? later : now,
    }));
    const answers = await Promise.all(lookups.map(({ user, at }) => repository.activeOf(user, at)));
    answers.forEach((memberships, i) => {
      const { user, at } = lookups[i];
      expect({ user, at, slugs: memberships.map((m) => m.slug) }).toEqual({
        user,
        at,
        slugs: expected(user, at === later),
      });
    });
  });

  it('drops the expired memberships for every caller, before any sweep', async () => {
    t.clock.advance(HOUR);
    for (const { user, slugs } of await readAllAtOnce())
      expect({ user, slugs }).toEqual({ user, slugs: expected(user, true) });
  });
});
