import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { CACHE_CONNECTION_NAME } from '@app/infrastructure';
import { BuiltService, ensureBuilt, startBuiltService } from './reliability/support/built-service';
import { rawRequest } from './reliability/support/raw-http';
import { waitFor } from './reliability/support/wait-for';
import { createPostgresDatabase, postgresOnly, TestDatabase } from './support/test-database';

/** The read cache is off by default: these workers each run one. */
const CACHE_ON = { READ_CACHE_USERS: '50000' };

const describeOnPostgres = postgresOnly('WEB_CONCURRENCY > 1: PostgreSQL only (embedded PGlite allows one process)');

/** Live child processes of `pid`, from /proc. */
function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        // The parent pid is the 2nd field after the command name (which may hold spaces, so split after ')').
        return Number(readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1].split(' ')[1]) === pid;
      } catch {
        return false;
      }
    })
    .map(Number);
}

describeOnPostgres('WEB_CONCURRENCY=2 (built service)', () => {
  let database: TestDatabase;
  let service: BuiltService | undefined;
  let admin: Client;

  beforeAll(async () => {
    ensureBuilt();
    database = await createPostgresDatabase();
    admin = new Client({ connectionString: database.url });
    await admin.connect();
  });
  afterEach(async () => {
    if (!service) return;
    service.kill(); // a test that failed half-way: its workers end with the primary
    service = undefined;
    await waitFor('the workers gone', 10_000, async () => (await workersPolling()) === 0);
  });
  afterAll(async () => {
    service?.kill();
    await admin?.end();
    await database?.drop();
  });

  /** Each request on a new connection: the primary hands connections to the workers in turn. */
  const send = async (method: string, path: string, body?: object) => {
    const response = await rawRequest(service!.baseUrl, {
      method,
      path,
      headers: body ? { 'content-type': 'application/json' } : {},
      body: body ? JSON.stringify(body) : undefined,
    });
    return response;
  };
  const slugsOf = async (userId: number) =>
    ((await send('GET', `/api/v1/users/${userId}/segments`)).json as { segments: { slug: string }[] }).segments.map(
      (s) => s.slug,
    );

  const workersPolling = async () => {
    const { rows } = await admin.query(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1`,
      [CACHE_CONNECTION_NAME],
    );
    return rows[0].n as number;
  };
  /** Both workers listen once both poll the change log (a worker polls before it listens). */
  const startTwoWorkers = async (env: Record<string, string> = {}) => {
    service = await startBuiltService({ DATABASE_URL: database.url!, WEB_CONCURRENCY: '2', ...CACHE_ON, ...env });
    await waitFor('two workers polling the change log', 10_000, async () => (await workersPolling()) === 2);
    await new Promise((resolve) => setTimeout(resolve, 500));
  };
  const stopService = async () => {
    service!.child.kill('SIGTERM');
    expect(await service!.exited(10_000)).toBe(0);
    await waitFor('the workers gone', 10_000, async () => (await workersPolling()) === 0);
    service = undefined;
  };

  it('shows an answered change set to the next read on a new connection, whichever worker serves it', async () => {
    await startTwoWorkers();
    expect((await send('POST', '/api/v1/segments', { slug: 'RYW' })).status).toBe(201);
    let stale = 0;
    let compared = 0;
    for (let round = 0; round < 40; round++) {
      const userId = 1000 + (round % 4);
      for (let i = 0; i < 4; i++) await slugsOf(userId); // both workers cache the user's answer
      const change = round % 8 < 4 ? { add: ['RYW'] } : { remove: ['RYW'] };
      expect((await send('PATCH', `/api/v1/users/${userId}/segments`, change)).status).toBe(200);
      const expected = 'add' in change ? ['RYW'] : [];
      for (let i = 0; i < 2; i++) {
        compared++;
        if (JSON.stringify(await slugsOf(userId)) !== JSON.stringify(expected)) stale++;
      }
    }
    expect({ compared, stale }).toEqual({ compared: 80, stale: 0 });

    // Bulk writes too: a segment deleted through one worker is gone from the other's cached answers.
    await slugsOf(1000);
    await slugsOf(1000);
    expect((await send('DELETE', '/api/v1/segments/RYW')).status).toBe(204);
    for (let i = 0; i < 4; i++) expect(await slugsOf(1000)).toEqual([]);
    await stopService();
  });

  it('counts the rate limit for the instance, not per worker', async () => {
    await startTwoWorkers({ RATE_LIMIT_PER_MINUTE: '20' });
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) statuses.push((await send('GET', '/api/v1/users/1/segments')).status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(20);
    expect(statuses.filter((status) => status === 429)).toHaveLength(20);
    await stopService();
  });

  it('keeps REPORT_MAX_FILES for the instance: every worker counts the files the others wrote', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'segments-workers-reports-'));
    try {
      await startTwoWorkers({ DATA_DIR: dataDir, REPORT_MAX_FILES: '3' });
      const counts: number[] = [];
      for (let user = 1; user <= 8; user++) {
        expect((await send('GET', `/api/v1/reports/history?period=2026-11&user_id=${user}`)).status).toBe(200);
        counts.push(readdirSync(join(dataDir, 'reports')).filter((name) => name.endsWith('.csv')).length);
      }
      expect(counts).toEqual([1, 2, 3, 3, 3, 3, 3, 3]);
      await stopService();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('runs two workers with a read cache each, kept right across them, and stops them all on SIGTERM', async () => {
    service = await startBuiltService({ DATABASE_URL: database.url!, WEB_CONCURRENCY: '2', ...CACHE_ON });
    await waitFor('two workers polling the change log', 10_000, async () => {
      const { rows } = await admin.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1`,
        [CACHE_CONNECTION_NAME],
      );
      return rows[0].n === 2;
    });
    const workers = childrenOf(service.child.pid!);
    expect(workers).toHaveLength(2);

    expect((await send('POST', '/api/v1/segments', { slug: 'WORKERS' })).status).toBe(201);
    for (let i = 0; i < 6; i++) expect(await slugsOf(7)).toEqual([]); // both workers cache the answer
    expect((await send('PATCH', '/api/v1/users/7/segments', { add: ['WORKERS'] })).status).toBe(200);
    // The other worker hears of it within a second; after that, every answer is the new one.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    for (let i = 0; i < 6; i++) expect(await slugsOf(7)).toEqual(['WORKERS']);

    service.child.kill('SIGTERM');
    expect(await service.exited(10_000)).toBe(0);
    expect(workers.filter((pid) => existsSync(`/proc/${pid}`))).toEqual([]);
  });
});
