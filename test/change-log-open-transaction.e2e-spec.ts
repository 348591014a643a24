import { Client } from 'pg';
import { ChangeLogCleaner, ReadCache } from '@app/infrastructure';
import { CachedPair, startCachedPair, slugsOn } from './support/cached-pair';
import { FakeClock } from './support/fake-clock';
import { waitFor } from './reliability/support/wait-for';
import { readCacheOf, TestApp } from './support/test-app';
import { postgresOnly, TestDatabase } from './support/test-database';

const describeOnPostgres = postgresOnly('two instances on one database: PostgreSQL only (PGlite allows one process)');

const ONE_SECOND = 1_000;
/** Change-log rows written while the transaction stays open: each poll must not read them again. */
const WRITTEN = 50_000;
/** Rows the two pollers may read in all while nothing is written (before the fix: WRITTEN per poll). */
const IDLE_READ_BOUND = 2_000;

/**
 * Red-team finding: one transaction left open anywhere on the server pinned the pollers' window (the
 * xmin of their snapshots), so every poll read again every change-log row written since it began, and
 * the cleaner deleted nothing written since. A poll must cost what was written since the previous one.
 */
describeOnPostgres('the change log with a transaction open for a long time', () => {
  let pair: CachedPair;
  let database: TestDatabase;
  let first: TestApp;
  let second: TestApp;
  let plain: Client;
  let holder: Client;
  let holding = false;
  const clock = new FakeClock(new Date('2030-05-01T00:00:00.000Z'));

  beforeAll(async () => {
    pair = await startCachedPair(clock, ['OPEN_A', 'OPEN_B']);
    ({ database, first, second } = pair);
    plain = new Client({ connectionString: database.url });
    holder = new Client({ connectionString: database.url });
    await Promise.all([plain.connect(), holder.connect()]);
  });
  afterAll(async () => {
    if (holding) await holder.query('ROLLBACK').catch(() => undefined);
    await holder?.end();
    await plain?.end();
    await pair?.close();
  });

  async function seesWithinOneSecond(app: TestApp, userId: number, expected: string[]): Promise<void> {
    const started = Date.now();
    let seen = await slugsOn(app, userId);
    while (JSON.stringify(seen) !== JSON.stringify(expected) && Date.now() - started < ONE_SECOND) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      seen = await slugsOn(app, userId);
    }
    expect(seen).toEqual(expected);
  }
  /** Rows of membership_changes read so far by every backend (sequential and index scans), as counted by PostgreSQL. */
  const rowsRead = async () => {
    const { rows } = await plain.query<{ read: string }>(
      `SELECT (coalesce(t.seq_tup_read, 0) + coalesce(t.idx_tup_fetch, 0)
               + (SELECT coalesce(sum(i.idx_tup_read), 0) FROM pg_stat_user_indexes i WHERE i.relid = t.relid))::text AS read
       FROM pg_stat_user_tables t WHERE t.relname = 'membership_changes'`,
    );
    return Number(rows[0].read);
  };
  const loggedUsers = async (from: number, to: number) =>
    Number(
      (
        await plain.query<{ n: string }>(
          `SELECT count(*)::text AS n FROM membership_changes WHERE user_id BETWEEN $1 AND $2`,
          [from, to],
        )
      ).rows[0].n,
    );

  it('polls read only what was written since the previous poll; the caches keep serving', async () => {
    // A transaction that holds its xid (and a change of its own) and stays open.
    await holder.query('BEGIN');
    holding = true;
    await holder.query('SELECT txid_current()');
    await holder.query(
      `INSERT INTO memberships (user_id, segment_id, source, added_at) SELECT 9999, id, 'manual', $1 FROM segments WHERE slug = 'OPEN_A'`,
      [clock.now()],
    );
    const beforeWriting = await rowsRead();
    // Many changes committed after it began, in 50 transactions.
    for (let batch = 0; batch < 50; batch++) {
      await plain.query(
        `INSERT INTO membership_changes (xid, user_id)
         SELECT pg_current_xact_id(), 1000000 + $1 * 1000 + g FROM generate_series(1, $2) g`,
        [batch, WRITTEN / 50],
      );
    }
    // Both pollers have read them once and their counts are flushed (a loaded machine may take seconds), then
    // one more flush interval for what trails.
    await waitFor(
      'both pollers to read the new rows',
      20_000,
      async () => (await rowsRead()) - beforeWriting >= 2 * WRITTEN,
    );
    await new Promise((resolve) => setTimeout(resolve, 1_500));

    const before = await rowsRead();
    await new Promise((resolve) => setTimeout(resolve, 3_000)); // about 15 polls of each instance, nothing written
    const during = (await rowsRead()) - before;
    expect({ readByIdlePolls: during, bound: during < IDLE_READ_BOUND }).toEqual({
      readByIdlePolls: during,
      bound: true,
    });

    // Still fresh across instances, and the cache answers.
    const cache = readCacheOf(second.app) as ReadCache;
    expect(await slugsOn(second, 7)).toEqual([]);
    await first.http
      .patch('/api/v1/users/7/segments')
      .send({ add: ['OPEN_B'] })
      .expect(200);
    await seesWithinOneSecond(second, 7, ['OPEN_B']);
    const hits = cache.hits;
    for (let i = 0; i < 20; i++) expect(await slugsOn(second, 7)).toEqual(['OPEN_B']);
    expect(cache.serving).toBe(true);
    expect(cache.hits - hits).toBeGreaterThanOrEqual(19);
  });

  it('the cleaner deletes what ended, while the open transaction keeps its own rows until a poller saw them', async () => {
    const cleaner = first.app.get(ChangeLogCleaner);
    const start = Date.now();
    await cleaner.clean(start); // notes a snapshot: the holder in progress, the 50,000 rows ended
    await plain.query(
      `INSERT INTO membership_changes (xid, user_id) SELECT pg_current_xact_id(), 2000000 + g FROM generate_series(1, 10) g`,
    );
    await cleaner.clean(start + 60_000); // the holder still in progress, the 10 rows ended
    await cleaner.clean(start + 3_600_000); // deletes what had ended by the first note
    expect([await loggedUsers(1000001, 1999999), await loggedUsers(2000001, 2000010)]).toEqual([0, 10]);

    expect(await slugsOn(second, 9999)).toEqual([]); // cached: the holder's change is not committed
    await holder.query('COMMIT');
    holding = false;
    await seesWithinOneSecond(second, 9999, ['OPEN_A']);
    await cleaner.clean(start + 3_660_000); // deletes what had ended by the second note: not the holder's
    expect([await loggedUsers(2000001, 2000010), await loggedUsers(9999, 9999)]).toEqual([0, 1]);
    await cleaner.clean(start + 7_200_000); // notes made after the holder ended: its rows go too
    await cleaner.clean(start + 7_200_000 + 3_600_000);
    expect(await loggedUsers(9999, 9999)).toBe(0);
  });
});
