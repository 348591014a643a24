import { Client } from 'pg';
import { startTestApp, TestApp } from '../support/test-app';
import { createPostgresDatabase, postgresOnly, TestDatabase } from '../support/test-database';
import { rawRequest, RawResponse } from './support/raw-http';
import { waitFor } from './support/wait-for';

/**
 * Ten parallel reports used to take all ten pool connections: every read got 503 while the database was
 * fine. Here the reports block on a lock the test holds on the ledger (so they stay "running" as long as
 * the test wants, without any timing): at most REPORT_CONCURRENCY build at once on connections of their
 * own, REPORT_QUEUE wait, the rest get 503 REPORTS_BUSY with Retry-After, and reads keep answering.
 */
const describeOnPostgres = postgresOnly(
  'reliability/report-concurrency: skipped on PGlite (it locks the ledger from a second connection)',
);

const REPORTS_APP = 'segmentation-service-reports';

describeOnPostgres('report concurrency', () => {
  let database: TestDatabase;
  let t: TestApp;
  let locker: Client;
  /** Reads pg_stat_activity; not the locker, whose open transaction would see one frozen snapshot of it. */
  let observer: Client;

  beforeAll(async () => {
    database = await createPostgresDatabase();
    t = await startTestApp({
      database,
      env: { REPORT_CONCURRENCY: '2', REPORT_QUEUE: '2', DATABASE_TIMEOUT_MS: '1000' },
    });
    await t.http.post('/api/v1/segments').send({ slug: 'REP_A' }).expect(201);
    await t.http
      .patch('/api/v1/users/1/segments')
      .send({ add: ['REP_A'] })
      .expect(200);
    locker = new Client({ connectionString: database.url });
    await locker.connect();
    observer = new Client({ connectionString: database.url });
    await observer.connect();
  });

  afterAll(async () => {
    await locker?.end();
    await observer?.end();
    await t?.close();
  });

  const report = (query: string) =>
    rawRequest(t.baseUrl, { method: 'GET', path: `/api/v1/reports/history?${query}`, timeoutMs: 60_000 });

  /** Report statements waiting for the test's lock, by connection pool. */
  const blockedReports = async () =>
    (
      await observer.query<{ application_name: string; n: number }>(
        `SELECT application_name, count(*)::int AS n FROM pg_stat_activity
         WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE 'COPY%' GROUP BY 1`,
      )
    ).rows;

  it('builds two at a time on their own connections, queues two, sheds the rest; reads keep answering', async () => {
    const period = new Date().toISOString().slice(0, 7);
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE membership_history IN ACCESS EXCLUSIVE MODE');
    const answers: Array<Promise<RawResponse>> = [];
    for (let user = 1; user <= 10; user++) answers.push(report(`period=${period}&user_id=${user}`));

    await waitFor('two report builds to block on the lock', 20_000, async () => {
      const blocked = await blockedReports();
      return blocked.length === 1 && blocked[0].application_name === REPORTS_APP && blocked[0].n === 2;
    });

    // While ten reports are asked for and two hang on the lock: reads are answered at once.
    for (let i = 0; i < 20; i++) {
      const read = await rawRequest(t.baseUrl, { method: 'GET', path: '/api/v1/users/1/segments' });
      expect(read.status).toBe(200);
    }
    await t.http.get('/api/v1/segments').expect(200);

    await locker.query('COMMIT');
    const statuses = await Promise.all(answers);
    const built = statuses.filter((answer) => answer.status === 200);
    const busy = statuses.filter((answer) => answer.status === 503);
    expect([built.length, busy.length]).toEqual([4, 6]);
    for (const answer of busy) {
      expect((answer.json as { code: string }).code).toBe('REPORTS_BUSY');
      expect(answer.headers['retry-after']).toBeDefined();
    }
  });

  it('shares one build between requests for the same file', async () => {
    const period = new Date().toISOString().slice(0, 7);
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE membership_history IN ACCESS EXCLUSIVE MODE');
    const answers = [
      report(`period=${period}&user_id=1`),
      report(`period=${period}&user_id=1`),
      report(`period=${period}&user_id=1`),
    ];
    await waitFor('the report build to block on the lock', 20_000, async () => (await blockedReports()).length === 1);
    // Three requests for one file, and the slot beside them still free: one statement, not three.
    const other = report(`period=${period}&user_id=2`);
    await waitFor('the second file to block too', 20_000, async () => (await blockedReports())[0]?.n === 2);
    await locker.query('COMMIT');
    const same = await Promise.all(answers);
    expect(same.map((answer) => answer.status)).toEqual([200, 200, 200]);
    expect(new Set(same.map((answer) => answer.text)).size).toBe(1);
    expect((await other).status).toBe(200);
  });
});
