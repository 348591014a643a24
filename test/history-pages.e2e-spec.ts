import { startTestApp, TestApp } from './support/test-app';

/**
 * A user's history comes in pages (limit 1..1000, default 100, opaque cursor), ordered by `at`, then
 * ledger order: 100,000 entries for one user used to be read, and answered, in one piece.
 */
const USER = 4242;
const ENTRIES = 100_000;

interface Page {
  items: Array<{ segment: string; operation: string; at: string }>;
  next_cursor: string | null;
}

describe('history pages', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
    // Many entries share one `at` (every 1,000th changes it), so page boundaries fall inside ties.
    await t.sql(
      `INSERT INTO membership_history (user_id, segment, operation, reason, at)
       SELECT $1, 'SEG_' || (n % 50), CASE WHEN n % 2 = 0 THEN 'added' ELSE 'removed' END, 'manual',
              timestamptz '2030-01-01' + (n / 1000) * interval '1 second'
       FROM generate_series(0, $2 - 1) AS n`,
      [USER, ENTRIES],
    );
  });
  afterAll(() => t.close());

  const page = async (query: Record<string, string | number>): Promise<Page> =>
    (await t.http.get(`/api/v1/users/${USER}/history`).query(query).expect(200)).body as Page;

  it('answers 100 entries by default, with a cursor to the rest', async () => {
    const first = await page({});
    expect(first.items).toHaveLength(100);
    expect(typeof first.next_cursor).toBe('string');
  });

  it('walks all 100,000 entries in 1,000s, in ledger order, each once', async () => {
    const ids: number[] = [];
    let cursor: string | null = null;
    do {
      const next: Page = await page({ limit: 1000, ...(cursor ? { cursor } : {}) });
      expect(next.items.length).toBeLessThanOrEqual(1000);
      // The generator's n is recoverable from the segment and time: n % 50 and n / 1000.
      ids.push(...next.items.map((item) => Number(item.segment.slice(4))));
      cursor = next.next_cursor;
    } while (cursor);
    expect(ids).toHaveLength(ENTRIES);
    const expected = Array.from({ length: ENTRIES }, (_, n) => n % 50);
    expect(ids).toEqual(expected);
  });

  it('keeps from/to while paging', async () => {
    const query = { from: '2030-01-01T00:00:10Z', to: '2030-01-01T00:00:12Z', limit: 700 };
    const first = await page(query);
    const second = await page({ ...query, cursor: first.next_cursor! });
    const third = await page({ ...query, cursor: second.next_cursor! });
    expect([first.items.length, second.items.length, third.items.length]).toEqual([700, 700, 600]);
    expect(third.next_cursor).toBeNull();
    expect(third.items.at(-1)!.at).toBe('2030-01-01T00:00:11.000Z');
  });

  it('takes any RFC 3339 bound, from year 0001 to 9999 (years below 100 were read as 19xx and refused)', async () => {
    const all = await page({ from: '0001-01-01T00:00:00Z', to: '9999-12-31T23:59:59.999Z', limit: 1 });
    expect(all.items[0].at).toBe('2030-01-01T00:00:00.000Z');
    const none = await page({ from: '0001-01-01T00:00:00Z', to: '0099-12-31T23:59:59Z' });
    expect(none).toEqual({ items: [], next_cursor: null });
  });

  it.each(['0', '1001', '-1', '1.5', 'ten'])('rejects limit=%s', async (limit) => {
    const answer = await t.http.get(`/api/v1/users/${USER}/history`).query({ limit }).expect(400);
    expect(answer.body.code).toBe('VALIDATION_FAILED');
  });

  it('rejects a cursor it did not give', async () => {
    const members = Buffer.from(JSON.stringify(['members', 5])).toString('base64url');
    for (const cursor of ['garbage', members]) {
      const answer = await t.http.get(`/api/v1/users/${USER}/history`).query({ cursor }).expect(400);
      expect(answer.body.code).toBe('INVALID_CURSOR');
    }
  });
});
