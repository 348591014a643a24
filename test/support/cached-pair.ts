import { FakeClock } from './fake-clock';
import { CACHE_ON, startTestApp, TestApp } from './test-app';
import { createPostgresDatabase, TestDatabase } from './test-database';

/** Two instances with their read caches on, on one new PostgreSQL database and one fake clock. */
export interface CachedPair {
  database: TestDatabase;
  first: TestApp;
  second: TestApp;
  close(): Promise<void>;
}

/** Starts the pair and creates `slugs` through the first instance. */
export async function startCachedPair(clock: FakeClock, slugs: string[]): Promise<CachedPair> {
  const database = await createPostgresDatabase();
  const first = await startTestApp({ database, clock, env: CACHE_ON });
  const second = await startTestApp({ database, clock, env: CACHE_ON });
  for (const slug of slugs) await first.http.post('/api/v1/segments').send({ slug }).expect(201);
  return {
    database,
    first,
    second,
    async close() {
      await first.close();
      await second.close();
      await database.drop();
    },
  };
}

/** The slugs `app` answers for the user, in its order. */
export const slugsOn = async (app: TestApp, userId: number): Promise<string[]> =>
  ((await app.http.get(`/api/v1/users/${userId}/segments`).expect(200)).body.segments as { slug: string }[]).map(
    (s) => s.slug,
  );
