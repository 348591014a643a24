import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { Client } from 'pg';
import { CACHE_CONNECTION_NAME } from '@app/infrastructure';
import { BuiltService, ensureBuilt, startBuiltService } from './reliability/support/built-service';
import { rawRequest } from './reliability/support/raw-http';
import { waitFor } from './reliability/support/wait-for';
import { createPostgresDatabase, postgresOnly, TestDatabase } from './support/test-database';

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

  it('runs two workers with a read cache each, kept right across them, and stops them all on SIGTERM', async () => {
    service = await startBuiltService({ DATABASE_URL: database.url!, WEB_CONCURRENCY: '2' });
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
