import { SegmentSlugs } from './segment-slugs';
import { SqlRunner } from '../database/sql-executor';

const row = (segmentId: string) => ({
  segment_id: segmentId,
  source: 'manual' as const,
  added_at: new Date(0),
  expires_at: null,
});

/** A database whose slug look-ups answer when the test says so. */
function heldDatabase(slugs: Record<string, string>) {
  const waiting: (() => void)[] = [];
  const sql = {
    rows: (_text: string, [ids]: [string[]]) =>
      new Promise((resolve) =>
        waiting.push(() => resolve(ids.filter((id) => id in slugs).map((id) => ({ id, slug: slugs[id] })))),
      ),
  } as unknown as SqlRunner;
  return { sql, answer: (index: number) => waiting[index](), answerNext: () => waiting.shift()!() };
}

describe('SegmentSlugs', () => {
  it('keeps the slugs a read found although another read empties the map while it waits', async () => {
    const { sql, answer, answerNext } = heldDatabase({ '1': 'KNOWN', '2': 'NEW_A', '3': 'NEW_B', '4': 'NEW_C' });
    const slugs = new SegmentSlugs(2);
    const warm = slugs.memberships(sql, [row('1')]);
    answerNext();
    await warm;

    const first = slugs.memberships(sql, [row('1'), row('2')]); // knows 1, waits for 2
    const second = slugs.memberships(sql, [row('3'), row('4')]); // its answer fills the map past 2: emptied
    await new Promise((resolve) => setImmediate(resolve));
    answer(1); // the second read's look-up comes back first
    await second;
    answer(0);
    expect((await first).map((m) => m.slug)).toEqual(['KNOWN', 'NEW_A']);
    expect((await second).map((m) => m.slug)).toEqual(['NEW_B', 'NEW_C']);
  });
});
