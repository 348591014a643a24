import { Client } from 'pg';
import { ExpireMemberships } from '@app/application';
import { CACHE_CONNECTION_NAME, ChangeLogCleaner, ReadCache, SqlExecutor } from '@app/infrastructure';
import { CachedPair, startCachedPair, slugsOn } from './support/cached-pair';
import { FakeClock } from './support/fake-clock';
import { readCacheOf, TestApp } from './support/test-app';
import { postgresOnly, TestDatabase } from './support/test-database';
import { waitFor } from './reliability/support/wait-for';

const describeOnPostgres = postgresOnly('two instances on one database: PostgreSQL only (PGlite allows one process)');

/** The contract's freshness promise for other instances. */
const ONE_SECOND = 1_000;

describeOnPostgres('read caches of two instances on one PostgreSQL', () => {
  let pair: CachedPair;
  let database: TestDatabase;
  let first: TestApp;
  let second: TestApp;
  let silent: Client;
  const clock = new FakeClock(new Date('2030-05-01T00:00:00.000Z'));

  beforeAll(async () => {
    pair = await startCachedPair(clock, ['CACHE_A', 'CACHE_B']);
    ({ database, first, second } = pair);
    silent = new Client({ connectionString: database.url });
    await silent.connect();
  });
  afterAll(async () => {
    await silent?.end();
    await pair?.close();
  });

  const change = (app: TestApp, userId: number, body: object) =>
    app.http.patch(`/api/v1/users/${userId}/segments`).send(body).expect(200);
  /**
   * A write that erases its own change-log rows before it commits, hence tells no cache: what a cache
   * still answers after one was cached. (The triggers fire whatever the session_replication_role.)
   */
  async function silently(text: string, params: unknown[] = []): Promise<void> {
    await silent.query('BEGIN');
    try {
      await silent.query(text, params);
      await silent.query(`DELETE FROM membership_changes WHERE xid = pg_current_xact_id()`);
      await silent.query('COMMIT');
    } catch (error) {
      await silent.query('ROLLBACK');
      throw error;
    }
  }
  const joinSilently = (userId: number, slug: string) =>
    silently(
      `INSERT INTO memberships (user_id, segment_id, source, added_at) SELECT $1, id, 'manual', $3 FROM segments WHERE slug = $2`,
      [userId, slug, clock.now()],
    );
  /** The user's active slugs as the database has them now, as the read path would compute them. */
  const truthOf = async (userId: number) =>
    (
      await silent.query<{ slug: string }>(
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

  it("answers from its cache; its own writes show at once, the other instance's within a second", async () => {
    // The cache answers only while its poller confirmed it within a second: on a loaded machine a poll can be
    // late and the read goes to the database. So the "cached" answer is judged on a read the cache answered.
    const cache = readCacheOf(first.app)!;
    let cachedAnswer: string[] | undefined;
    for (let attempt = 0; attempt < 5 && !cachedAnswer; attempt++) {
      await first.http.delete('/api/v1/segments/CACHE_B'); // a previous attempt's silent join is undone with it
      await first.http.post('/api/v1/segments').send({ slug: 'CACHE_B' }).expect(201);
      await change(first, 1, { add: ['CACHE_A'] });
      expect(await slugsOn(first, 1)).toEqual(['CACHE_A']);
      await joinSilently(1, 'CACHE_B');
      const hits = cache.hits;
      const answer = await slugsOn(first, 1);
      if (cache.hits > hits) cachedAnswer = answer;
      else expect(answer).toEqual(['CACHE_A', 'CACHE_B']); // not cached: the database's truth
    }
    expect(cachedAnswer).toEqual(['CACHE_A']); // cached: nothing told it
    expect(await slugsOn(second, 1)).toEqual(['CACHE_A', 'CACHE_B']);

    await change(first, 1, { remove: ['CACHE_A'] });
    expect(await slugsOn(first, 1)).toEqual(['CACHE_B']);
    await change(second, 1, { add: ['CACHE_A'] });
    expect(await slugsOn(second, 1)).toEqual(['CACHE_A', 'CACHE_B']);
    await showsTruthWithinOneSecond(first, [1]);
    expect(await slugsOn(first, 1)).toEqual(['CACHE_A', 'CACHE_B']);
    expect(readCacheOf(first.app)!.hits).toBeGreaterThan(0);
  });

  it('ends an entry at the earliest expiry it holds, by the clock of the read path', async () => {
    const expiresAt = new Date(clock.now().getTime() + 60_000).toISOString();
    await change(first, 2, { add: ['CACHE_A', { slug: 'CACHE_B', expires_at: expiresAt }] });
    expect(await slugsOn(first, 2)).toEqual(['CACHE_A', 'CACHE_B']);
    clock.advance(59_999);
    expect(await slugsOn(first, 2)).toEqual(['CACHE_A', 'CACHE_B']);
    clock.advance(1);
    expect(await slugsOn(first, 2)).toEqual(['CACHE_A']);
  });

  it('drops what bulk changes on the other instance moved: auto-assignment, re-ranging, deletion', async () => {
    // Over 200 users: the trigger logs no users but everyone (NULL).
    const users = Array.from({ length: 300 }, (_, i) => 1000 + i);
    await second.http.post('/api/v1/users').send({ user_ids: users }).expect(200);
    const watched = [1, 1000, 1001, 1299];
    for (const userId of watched) await slugsOn(first, userId);

    await second.http.post('/api/v1/segments').send({ slug: 'CACHE_AUTO', auto_percent: 100 }).expect(201);
    await showsTruthWithinOneSecond(first, watched);
    expect(await slugsOn(first, 1000)).toContain('CACHE_AUTO');

    await second.http.patch('/api/v1/segments/CACHE_AUTO').send({ auto_percent: 50 }).expect(200);
    await showsTruthWithinOneSecond(first, watched);
    await second.http.patch('/api/v1/segments/CACHE_AUTO').send({ auto_percent: 100 }).expect(200);
    await showsTruthWithinOneSecond(first, watched);

    await second.http.delete('/api/v1/segments/CACHE_AUTO').expect(204);
    await showsTruthWithinOneSecond(first, watched);
    expect(await slugsOn(first, 1000)).toEqual([]);
  });

  it("drops what the other instance's sweep ended (the ledger's clock runs ahead of the read path's)", async () => {
    clock.advance(24 * 3600_000);
    await second.app.get(ExpireMemberships).execute(1000); // what expired before (user 2's CACHE_B)
    clock.offsetMs(); // the ledger catches up with the clock, then runs on in real time
    await second.sql(
      `INSERT INTO memberships (user_id, segment_id, source, added_at, expires_at)
       SELECT 3, id, 'manual', $1, $2 FROM segments WHERE slug = 'CACHE_A'`,
      [clock.now(), new Date(clock.now().getTime() + 50)],
    );
    expect(await slugsOn(first, 3)).toEqual(['CACHE_A']);
    await new Promise((resolve) => setTimeout(resolve, 150)); // the ledger passes the expiry; the read clock stands
    expect(await second.app.get(ExpireMemberships).execute(100)).toBe(1);
    await showsTruthWithinOneSecond(first, [3]);
    expect(await slugsOn(first, 3)).toEqual([]);
  });

  it('turns itself off while its change-log connection is lost, and on again once it polls', async () => {
    const cache = readCacheOf(first.app) as ReadCache;
    await change(first, 4, { add: ['CACHE_A'] });
    expect(await slugsOn(first, 4)).toEqual(['CACHE_A']);
    await joinSilently(4, 'CACHE_B');
    expect(await slugsOn(first, 4)).toEqual(['CACHE_A']); // cached

    await silent.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database()`,
      [CACHE_CONNECTION_NAME],
    );
    await waitFor('the cache to turn off', 2_000, () => !cache.serving);
    // What it missed while off is there at once: it answers from the database.
    expect(await slugsOn(first, 4)).toEqual(['CACHE_A', 'CACHE_B']);

    await waitFor('the cache to poll again', 5_000, () => cache.serving);
    expect(await slugsOn(first, 4)).toEqual(['CACHE_A', 'CACHE_B']);
    await silently(`DELETE FROM memberships WHERE user_id = 4`);
    expect(await slugsOn(first, 4)).toEqual(['CACHE_A', 'CACHE_B']); // cached again
    await change(second, 4, { add: ['CACHE_A'] });
    await showsTruthWithinOneSecond(first, [4]);
  });

  it('logs each change with its users, or everyone for a bulk one, and deletes what ended an hour before', async () => {
    const logged = async () =>
      (
        await silent.query<{ user_id: string | null }>(`SELECT user_id FROM membership_changes ORDER BY xid, user_id`)
      ).rows.map((row) => row.user_id);
    expect(await logged()).toEqual(expect.arrayContaining(['1', '2', '3', '4', null]));
    const cleaner = first.app.get(ChangeLogCleaner);
    const start = Date.now();
    await cleaner.clean(start); // notes the oldest transaction running now
    await change(first, 5, { add: ['CACHE_A'] });
    await cleaner.clean(start + 59 * 60_000);
    expect(await logged()).toContain(null);
    await cleaner.clean(start + 60 * 60_000); // an hour after the first note: what ended before it goes
    expect(await logged()).toEqual(['5']);
  });

  it('deletes ended change-log rows on its own timer (a minute and an hour, shortened here)', async () => {
    await change(first, 6, { add: ['CACHE_A'] });
    const rowsOf = async (userId: string) =>
      (await silent.query(`SELECT 1 FROM membership_changes WHERE user_id = $1`, [userId])).rowCount;
    expect(await rowsOf('6')).toBeGreaterThan(0);
    const cleaner = new ChangeLogCleaner(first.app.get(SqlExecutor), { everyMs: 100, keepMs: 300 });
    cleaner.onModuleInit();
    try {
      await waitFor('the cleaner to delete the ended change', 5_000, async () => (await rowsOf('6')) === 0);
    } finally {
      cleaner.onApplicationShutdown();
    }
  });

  it('drops what SQL by hand moved to another user or truncated (neither was logged)', async () => {
    const byHand = new Client({ connectionString: database.url });
    await byHand.connect();
    try {
      await change(first, 31, { add: ['CACHE_A'] });
      await change(first, 32, { add: ['CACHE_B'] });
      expect([await slugsOn(first, 31), await slugsOn(first, 32)]).toEqual([['CACHE_A'], ['CACHE_B']]);
      await byHand.query(`UPDATE memberships SET user_id = 33 WHERE user_id = 31`);
      await showsTruthWithinOneSecond(first, [31, 33]);
      await byHand.query(`TRUNCATE memberships`);
      await showsTruthWithinOneSecond(first, [32, 33]);
      expect(await slugsOn(first, 32)).toEqual([]);
    } finally {
      await byHand.end();
    }
  });
});
