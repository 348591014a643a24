import { expectedBucket } from './support/buckets';
import { startTestApp, TestApp } from './support/test-app';

/**
 * Literal vectors of the contract's rule, computed outside this code:
 *   printf '%s' 'AVITO_VOICE_MESSAGES:1000' | md5sum | cut -c1-8    -> 6c7db920 -> 0x6c7db920 % 10000 = 8720
 * Several have a first hex digit >= 8, so a signed 32-bit reading would give a different bucket.
 */
const VECTORS: Array<[slug: string, userId: string, hex8: string, bucket: number]> = [
  ['AVITO_VOICE_MESSAGES', '1000', '6c7db920', 8720],
  ['AVITO_DISCOUNT_30', '1000', '84cf0e0b', 2059],
  ['a', '1', '9ef12b2e', 5358],
  ['x', '2', '66611301', 7889],
  ['Seg.with-dots_1', '123456789', 'd2984923', 5555],
  ['AVITO_DISCOUNT_30', '9007199254740991', '2c76e7d0', 96],
];

describe('the bucket rule: md5(slug:user_id), first 8 hex digits unsigned, modulo 10000', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const sqlBuckets = async (slug: string, userIds: string[]): Promise<Map<string, number>> => {
    const rows = await t.sql<{ user_id: string; bucket: string }>(
      `SELECT u.id::text AS user_id, segment_bucket($1::text, u.id) AS bucket FROM unnest($2::bigint[]) AS u(id)`,
      [slug, userIds],
    );
    return new Map(rows.map((row) => [row.user_id, Number(row.bucket)]));
  };

  it('the test oracle gives the literal vectors', () => {
    for (const [slug, userId, hex8, bucket] of VECTORS) {
      expect([slug, userId, Number.parseInt(hex8, 16) % 10000]).toEqual([slug, userId, bucket]);
      expect([slug, userId, expectedBucket(slug, Number(userId))]).toEqual([slug, userId, bucket]);
    }
  });

  it('the service SQL gives the literal vectors', async () => {
    for (const [slug, userId, , bucket] of VECTORS) {
      expect([slug, userId, (await sqlBuckets(slug, [userId])).get(userId)]).toEqual([slug, userId, bucket]);
    }
  });

  it('the service SQL equals the oracle over 20,000 ids per slug, the largest ids included', async () => {
    const ids = [
      ...Array.from({ length: 19_990 }, (_, i) => i + 1),
      ...Array.from({ length: 10 }, (_, i) => Number.MAX_SAFE_INTEGER - i),
    ];
    for (const slug of ['AVITO_DISCOUNT_30', 'x', 'Seg.with-dots_1', 'A'.repeat(100)]) {
      const sql = await sqlBuckets(slug, ids.map(String));
      const differing = ids.filter((id) => sql.get(String(id)) !== expectedBucket(slug, id));
      expect({ slug, differing: differing.slice(0, 5) }).toEqual({ slug, differing: [] });
    }
  });
});
