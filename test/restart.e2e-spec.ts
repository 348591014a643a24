import { createTestDatabase, TestDatabase } from './support/test-database';
import { startTestApp } from './support/test-app';

describe('data survives a restart', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.drop());

  // Two start-ups on one data directory: generous on a loaded machine (alone it takes seconds).
  it('a segment and a membership created before a restart are there after it', async () => {
    const before = await startTestApp({ database });
    await before.http.post('/api/v1/segments').send({ slug: 'SURVIVOR' }).expect(201);
    await before.http
      .patch('/api/v1/users/7/segments')
      .send({ add: ['SURVIVOR'] })
      .expect(200);
    await before.close();

    const after = await startTestApp({ database });
    try {
      expect((await after.http.get('/api/v1/segments/SURVIVOR')).body.members).toBe(1);
      const segments = (await after.http.get('/api/v1/users/7/segments')).body.segments;
      expect(segments.map((segment: { slug: string }) => segment.slug)).toEqual(['SURVIVOR']);
      expect((await after.http.get('/api/v1/users/7/history')).body.items).toHaveLength(1);
    } finally {
      await after.close();
    }
  }, 180_000);
});
