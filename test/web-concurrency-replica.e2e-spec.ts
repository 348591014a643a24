import { BuiltService, ensureBuilt, startBuiltService } from './reliability/support/built-service';
import { rawRequest } from './reliability/support/raw-http';
import { waitFor } from './reliability/support/wait-for';
import { describeWithReplica, ReplicatedCluster, startReplicatedCluster } from './support/replicated-cluster';

/**
 * WEB_CONCURRENCY=2 on a primary and a lagging replica, cache off: whichever worker answers the read
 * after an answered change set, it must not read a replica that has not replayed that change.
 */
const DATABASE = 'segments_workers_replica';
/** Wide, so that "the replica answered, stale" cannot turn into "the bound passed" on a slow machine. */
const MAX_LAG_MS = 5_000;

describeWithReplica('workers and replicas')('read-your-writes across workers on a lagging replica', () => {
  let cluster: ReplicatedCluster | undefined;
  let service: BuiltService | undefined;

  beforeAll(async () => {
    ensureBuilt();
    cluster = await startReplicatedCluster();
    await cluster.sql('primary', 'postgres', `CREATE DATABASE ${DATABASE}`);
    service = await startBuiltService({
      DATABASE_URL: cluster.primary.url(DATABASE),
      DATABASE_REPLICA_URLS: cluster.replica.url(DATABASE),
      REPLICA_MAX_LAG_MS: String(MAX_LAG_MS),
      READ_CACHE_USERS: '0',
      WEB_CONCURRENCY: '2',
    });
  }, 120_000);

  afterAll(async () => {
    await cluster?.sql('replica', DATABASE, 'SELECT pg_wal_replay_resume()').catch(() => undefined);
    service?.kill();
    cluster?.destroy();
  });

  /** Each request on a new connection: the primary hands connections to the workers in turn. */
  const send = async (method: string, path: string, body?: object) =>
    rawRequest(service!.baseUrl, {
      method,
      path,
      headers: body ? { 'content-type': 'application/json' } : {},
      body: body ? JSON.stringify(body) : undefined,
    });
  const slugsOf = async (userId: number) =>
    ((await send('GET', `/api/v1/users/${userId}/segments`)).json as { segments: { slug: string }[] }).segments.map(
      (s) => s.slug,
    );

  it('shows each answered change set on the next read, on any worker, while the replica stands still', async () => {
    expect((await send('POST', '/api/v1/segments', { slug: 'LAGGED' })).status).toBe(201);
    await waitFor('the replica to have the segment', 30_000, async () => {
      const rows = await cluster!.sql('replica', DATABASE, `SELECT 1 FROM segments WHERE slug = 'LAGGED'`);
      return rows.length === 1;
    });
    // Past the fences that creating the segment set (every worker heard of it), so reads go to the replica again.
    await new Promise((resolve) => setTimeout(resolve, MAX_LAG_MS + 500));
    await cluster!.sql('replica', DATABASE, 'SELECT pg_wal_replay_pause()');
    let stale = 0;
    for (let userId = 1; userId <= 20; userId++) {
      expect((await send('PATCH', `/api/v1/users/${userId}/segments`, { add: ['LAGGED'] })).status).toBe(200);
      for (let i = 0; i < 2; i++) if ((await slugsOf(userId)).length !== 1) stale++;
    }
    expect(stale).toBe(0);

    // Not vacuous: what no worker wrote (straight on the primary) is not shown by either, so reads went to the replica.
    await cluster!.sql(
      'primary',
      DATABASE,
      `SELECT * FROM apply_change_set(999, ARRAY['LAGGED'], ARRAY[NULL]::timestamptz[], ARRAY[]::text[], 0)`,
    );
    expect([await slugsOf(999), await slugsOf(999)]).toEqual([[], []]);
  }, 120_000);
});
