import { Client } from 'pg';
import { CachedPair, startCachedPair, slugsOn } from './support/cached-pair';
import { FakeClock } from './support/fake-clock';
import { readCacheOf, TestApp } from './support/test-app';
import { postgresOnly, TestDatabase } from './support/test-database';

const describeOnPostgres = postgresOnly('two instances on one database: PostgreSQL only (PGlite allows one process)');

/** The contract's freshness promise for other instances. */
const ONE_SECOND = 1_000;

/**
 * Contract: "A change is visible to GET on every instance within 1 second, whether it came through the
 * API, the CLI or an operator's SQL (with or without session_replication_role = replica)", and "the
 * database refuses an UPDATE of a slug". Under the replica role (logical replication's apply, an
 * operator's session) ordinary triggers do not fire: the change log's and the slug's must anyway.
 */
describeOnPostgres("an operator's SQL, with or without session_replication_role = replica", () => {
  let pair: CachedPair;
  let database: TestDatabase;
  let first: TestApp;
  let second: TestApp;
  let plain: Client;
  let replica: Client;
  const clock = new FakeClock(new Date('2030-05-01T00:00:00.000Z'));

  beforeAll(async () => {
    pair = await startCachedPair(clock, ['OPS_A', 'OPS_B']);
    ({ database, first, second } = pair);
    plain = new Client({ connectionString: database.url });
    replica = new Client({ connectionString: database.url });
    await Promise.all([plain.connect(), replica.connect()]);
    await replica.query(`SET session_replication_role = replica`);
  });
  afterAll(async () => {
    await plain?.end();
    await replica?.end();
    await pair?.close();
  });

  const truthOf = async (userId: number) =>
    (
      await plain.query<{ slug: string }>(
        `SELECT s.slug FROM memberships m JOIN segments s ON s.id = m.segment_id
         WHERE m.user_id = $1 AND (m.expires_at IS NULL OR m.expires_at > $2) ORDER BY s.slug`,
        [userId, clock.now()],
      )
    ).rows.map((row) => row.slug);
  /** Polls `app` until it answers the database's truth; fails if that takes a second or more. */
  async function showsTruthWithinOneSecond(app: TestApp, userIds: number[]): Promise<void> {
    const started = Date.now();
    for (const userId of userIds) {
      const truth = await truthOf(userId);
      let seen = await slugsOn(app, userId);
      while (JSON.stringify(seen) !== JSON.stringify(truth) && Date.now() - started < ONE_SECOND) {
        await new Promise((resolve) => setTimeout(resolve, 10));
        seen = await slugsOn(app, userId);
      }
      expect({ userId, seen }).toEqual({ userId, seen: truth });
    }
  }
  /** Both instances have the users' current memberships in their caches. */
  async function cachedOnBoth(userIds: number[]): Promise<void> {
    for (const userId of userIds) {
      await showsTruthWithinOneSecond(first, [userId]);
      await showsTruthWithinOneSecond(second, [userId]);
    }
    // Read again until the caches answer (a cache serves once its change log is confirmed, within a second
    // of start): otherwise this suite would prove nothing about them.
    for (const app of [first, second]) {
      const cache = readCacheOf(app.app)!;
      const hits = cache.hits;
      const started = Date.now();
      while (cache.hits === hits && Date.now() - started < 2 * ONE_SECOND) {
        for (const userId of userIds) await slugsOn(app, userId);
      }
      expect(cache.hits).toBeGreaterThan(hits);
    }
  }

  it('empties the caches at every poll while a change-log trigger is not ALWAYS (as pg_restore --disable-triggers leaves it)', async () => {
    await first.http
      .patch('/api/v1/users/301/segments')
      .send({ add: ['OPS_A'] })
      .expect(200);
    await cachedOnBoth([301]);
    // pg_restore --disable-triggers ends with ENABLE TRIGGER ALL: the triggers fire on origin only.
    await plain.query(`ALTER TABLE memberships ENABLE TRIGGER ALL`);
    try {
      await replica.query(`DELETE FROM memberships WHERE user_id = 301`); // logs nothing
      await showsTruthWithinOneSecond(second, [301]);
      await showsTruthWithinOneSecond(first, [301]);
      expect(await slugsOn(second, 301)).toEqual([]);
    } finally {
      for (const operation of ['insert', 'update', 'delete', 'truncate']) {
        await plain.query(`ALTER TABLE memberships ENABLE ALWAYS TRIGGER memberships_record_${operation}`);
      }
    }
  });

  it('a segment deleted under the replica role (no foreign-key check) takes its members, on both caches within 1 s', async () => {
    await first.http.post('/api/v1/segments').send({ slug: 'OPS_GONE' }).expect(201);
    const user = 300;
    await first.http
      .patch(`/api/v1/users/${user}/segments`)
      .send({ add: ['OPS_A', 'OPS_GONE'] })
      .expect(200);
    await cachedOnBoth([user]);
    await replica.query(`DELETE FROM segments WHERE slug = 'OPS_GONE'`);
    await showsTruthWithinOneSecond(second, [user]);
    await showsTruthWithinOneSecond(first, [user]);
    expect(await slugsOn(second, user)).toEqual(['OPS_A']);
    const orphans = await plain.query(
      `SELECT 1 FROM memberships m WHERE NOT EXISTS (SELECT 1 FROM segments s WHERE s.id = m.segment_id)`,
    );
    expect(orphans.rowCount).toBe(0);
    // Created again (a new id), the slug has no members until someone adds them.
    await first.http.post('/api/v1/segments').send({ slug: 'OPS_GONE' }).expect(201);
    expect(await slugsOn(first, user)).toEqual(['OPS_A']);
    expect(await slugsOn(second, user)).toEqual(['OPS_A']);
    await first.http.delete('/api/v1/segments/OPS_GONE').expect(204);
  });

  for (const [role, client] of [
    ['replica', () => replica],
    ['origin', () => plain],
  ] as const) {
    const base = role === 'replica' ? 100 : 200;

    it(`reaches both caches: DELETE, INSERT, UPDATE and TRUNCATE of memberships (${role} role)`, async () => {
      const [a, b, c] = [base + 1, base + 2, base + 3];
      await first.http
        .patch(`/api/v1/users/${a}/segments`)
        .send({ add: ['OPS_A', 'OPS_B'] })
        .expect(200);
      await first.http
        .patch(`/api/v1/users/${b}/segments`)
        .send({ add: ['OPS_A'] })
        .expect(200);
      await cachedOnBoth([a, b, c]);

      await client().query(`DELETE FROM memberships WHERE user_id = $1`, [a]);
      await showsTruthWithinOneSecond(second, [a]);
      await showsTruthWithinOneSecond(first, [a]);
      expect(await slugsOn(second, a)).toEqual([]);

      await client().query(
        `INSERT INTO memberships (user_id, segment_id, source, added_at) SELECT $1, id, 'manual', $2 FROM segments`,
        [a, clock.now()],
      );
      await showsTruthWithinOneSecond(second, [a]);
      await showsTruthWithinOneSecond(first, [a]);
      expect(await slugsOn(second, a)).toEqual(['OPS_A', 'OPS_B']);

      await client().query(`UPDATE memberships SET user_id = $2 WHERE user_id = $1`, [b, c]);
      await showsTruthWithinOneSecond(second, [b, c]);
      await showsTruthWithinOneSecond(first, [b, c]);
      expect([await slugsOn(second, b), await slugsOn(second, c)]).toEqual([[], ['OPS_A']]);

      await client().query(`TRUNCATE memberships`);
      await showsTruthWithinOneSecond(second, [a, b, c]);
      await showsTruthWithinOneSecond(first, [a, b, c]);
      expect(await slugsOn(second, a)).toEqual([]);
    });

    it(`refuses an UPDATE of a slug, saying why (${role} role)`, async () => {
      await expect(client().query(`UPDATE segments SET slug = 'OPS_RENAMED' WHERE slug = 'OPS_A'`)).rejects.toThrow(
        /slugs never change/,
      );
      await expect(client().query(`UPDATE segments SET slug = slug || '_X'`)).rejects.toThrow(/slugs never change/);
      const { rows } = await plain.query<{ slug: string }>(`SELECT slug FROM segments ORDER BY slug`);
      expect(rows.map((row) => row.slug)).toEqual(['OPS_A', 'OPS_B']);
      // Other columns change as before, and so does a slug "set" to itself.
      await client().query(`UPDATE segments SET description = 'by hand', slug = slug WHERE slug = 'OPS_B'`);
      await second.http.get('/api/v1/segments/OPS_B').expect(200);
      await client().query(`UPDATE segments SET description = NULL WHERE slug = 'OPS_B'`);
    });
  }
});
