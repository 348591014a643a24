import { startTestApp, TestApp } from '../support/test-app';
import { createPostgresDatabase, postgresOnly, TestDatabase } from '../support/test-database';
import { errorShapeProblem } from './support/error-shape';
import { FreezingProxy, startFreezingProxy } from './support/freezing-proxy';
import { rawRequest, RawResponse } from './support/raw-http';
import { waitFor } from './support/wait-for';

/**
 * The database hangs (a proxy in front of it stops passing bytes: no error, no answer, as under
 * SIGSTOP). Reads used to wait as long as the database did, piling up without bound. Now every request
 * gets 503 DATABASE_UNAVAILABLE with Retry-After while the database is still frozen, and the service
 * recovers by itself when it thaws.
 */
const describeOnPostgres = postgresOnly(
  'reliability/hung-database: skipped on PGlite (it freezes a PostgreSQL server connection)',
);

/** Far beyond every deadline under test: a request still unanswered then waits as long as the database. */
const NEVER_MS = 30_000;
const USERS = 200;

describeOnPostgres('hung database (a freezing proxy in front of PostgreSQL)', () => {
  let database: TestDatabase;
  let proxy: FreezingProxy;
  let t: TestApp;

  beforeAll(async () => {
    database = await createPostgresDatabase();
    const target = new URL(database.url!);
    proxy = await startFreezingProxy(target.hostname, Number(target.port || 5432));
    const url = proxy.through(database.url!);
    t = await startTestApp({
      database: { ...database, url, env: { DATABASE_URL: url }, drop: async () => undefined },
      env: { DATABASE_TIMEOUT_MS: '1000', DATABASE_STATEMENT_TIMEOUT_MS: '1000', DATABASE_MAX_WAITING: '20' },
    });
    await t.http.post('/api/v1/segments').send({ slug: 'HUNG_A' }).expect(201);
    await t.http
      .patch('/api/v1/users/1/segments')
      .send({ add: ['HUNG_A'] })
      .expect(200);
  });

  afterAll(async () => {
    proxy.thaw();
    await t?.close();
    await proxy?.close();
    await database?.drop();
  });

  const get = (path: string) => rawRequest(t.baseUrl, { method: 'GET', path, timeoutMs: NEVER_MS });
  const change = (user: number) =>
    rawRequest(t.baseUrl, {
      method: 'PATCH',
      path: `/api/v1/users/${user}/segments`,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ add: ['HUNG_A'] }),
      timeoutMs: NEVER_MS,
    });

  const expectUnavailable = (what: string, response: RawResponse) => {
    const problem =
      errorShapeProblem(response, (status) => status === 503) ??
      ((response.json as { code?: string }).code !== 'DATABASE_UNAVAILABLE'
        ? `code ${(response.json as { code?: string }).code}`
        : undefined) ??
      (response.headers['retry-after'] === undefined ? 'no Retry-After' : undefined);
    if (problem) throw new Error(`${what}: ${problem}: ${response.status} ${response.text.slice(0, 300)}`);
  };

  it('answers every request 503 while the database stays frozen, then recovers alone', async () => {
    proxy.freeze();
    const requests: Array<[string, Promise<RawResponse>]> = [];
    for (let user = 1; user <= USERS; user++)
      requests.push([`GET user ${user}`, get(`/api/v1/users/${user}/segments`)]);
    for (let user = 1; user <= 40; user++) requests.push([`PATCH user ${user}`, change(user)]);
    for (let i = 0; i < 20; i++) requests.push([`GET segments ${i}`, get('/api/v1/segments')]);
    requests.push(['GET history', get('/api/v1/users/1/history')]);

    const metrics = await get('/metrics');
    expect(metrics.text).toMatch(/^segments_db_read_batch_waiting \d+$/m);
    expect((await get('/health/live')).status).toBe(200);

    for (const [what, answer] of requests) expectUnavailable(what, await answer);
    expect((await get('/health/ready')).status).toBe(503);

    proxy.thaw();
    await waitFor(
      'reads to succeed again after the thaw',
      20_000,
      async () => (await get('/api/v1/users/1/segments')).status === 200,
    );
    const after = await get('/api/v1/users/1/segments');
    expect((after.json as { segments: Array<{ slug: string }> }).segments.map((segment) => segment.slug)).toEqual([
      'HUNG_A',
    ]);
    expect((await change(2)).status).toBe(200);
  });

  it('cuts bulk work and reports, whose own deadline is minutes, within seconds of the freeze', async () => {
    const post = (path: string, body: unknown) =>
      rawRequest(t.baseUrl, {
        method: 'POST',
        path,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        timeoutMs: NEVER_MS,
      });
    // Both kinds of work then find an open connection: the freeze catches them mid-statement, not connecting.
    expect((await get('/api/v1/reports/history?period=2020-01')).status).toBe(200);
    expect((await post('/api/v1/segments', { slug: 'HUNG_AUTO_0', auto_percent: 5 })).status).toBe(201);

    proxy.freeze();
    const answers = await Promise.all([
      post('/api/v1/segments', { slug: 'HUNG_AUTO_1', auto_percent: 10 }),
      get('/api/v1/reports/history?period=2020-02'),
    ]);
    expectUnavailable('auto-assignment', answers[0]);
    expectUnavailable('report', answers[1]);

    proxy.thaw();
    await waitFor(
      'reports to succeed again after the thaw',
      20_000,
      async () => (await get('/api/v1/reports/history?period=2020-03')).status === 200,
    );
  });
});
