import { SegmentSlugs, SqlExecutor, SqlRunner } from '@app/infrastructure';
import { startTestApp, TestApp } from './support/test-app';

/** The hot read's id -> slug map (libs/infrastructure/src/reads/segment-slugs.ts) on a real database. */
describe('segment slugs of the hot read', () => {
  let t: TestApp;
  let sql: SqlExecutor;
  let lookups: number;
  const counting: SqlRunner = {
    rows: (text, params) => {
      lookups++;
      return sql.rows(text, params);
    },
  } as SqlRunner;

  beforeAll(async () => {
    t = await startTestApp();
    sql = t.app.get(SqlExecutor);
  });
  afterAll(() => t?.close());
  beforeEach(() => (lookups = 0));

  const idOf = async (slug: string) =>
    (await t.sql<{ id: string }>(`SELECT id::text AS id FROM segments WHERE slug = $1`, [slug]))[0].id;
  const row = (segmentId: string) => ({
    segment_id: segmentId,
    source: 'manual' as const,
    added_at: new Date('2026-01-01T00:00:00Z'),
    expires_at: null,
  });

  it('names segments by slug in byte order, looking each id up once', async () => {
    for (const slug of ['a_LOWER', 'B_UPPER', '0_DIGIT', 'B.DOT', 'B-DASH']) {
      await t.http.post('/api/v1/segments').send({ slug }).expect(201);
    }
    const ids = await Promise.all(['a_LOWER', 'B_UPPER', '0_DIGIT', 'B.DOT', 'B-DASH'].map(idOf));
    const slugs = new SegmentSlugs();
    const first = await slugs.answers(counting, [ids.map(row), [row(ids[0])], []]);
    expect(first.map((memberships) => memberships.map((m) => m.slug))).toEqual([
      ['0_DIGIT', 'B-DASH', 'B.DOT', 'B_UPPER', 'a_LOWER'],
      ['a_LOWER'],
      [],
    ]);
    expect(first[0][0]).toEqual({
      slug: '0_DIGIT',
      source: 'manual',
      addedAt: new Date('2026-01-01T00:00:00Z'),
      expiresAt: null,
    });
    expect(lookups).toBe(1);
    await slugs.memberships(counting, ids.map(row));
    expect(lookups).toBe(1);
  });

  it('learns a segment created after it started, and leaves out rows of a deleted one', async () => {
    const slugs = new SegmentSlugs();
    await t.http.post('/api/v1/segments').send({ slug: 'SLUG_KEPT' }).expect(201);
    await t.http.post('/api/v1/segments').send({ slug: 'SLUG_GONE' }).expect(201);
    const kept = await idOf('SLUG_KEPT');
    const gone = await idOf('SLUG_GONE');
    await t.http.delete('/api/v1/segments/SLUG_GONE').expect(204);
    const [memberships] = await slugs.answers(counting, [[row(gone), row(kept)]]);
    expect(memberships.map((m) => m.slug)).toEqual(['SLUG_KEPT']);

    await t.http.post('/api/v1/segments').send({ slug: 'SLUG_NEW' }).expect(201);
    const created = await idOf('SLUG_NEW');
    expect((await slugs.memberships(counting, [row(created), row(kept)])).map((m) => m.slug)).toEqual([
      'SLUG_KEPT',
      'SLUG_NEW',
    ]);
  });
});
