import { parsePrometheus, sampleValue } from './support/prometheus';
import { describeWithReplica, ReplicatedCluster, startReplicatedCluster } from './support/replicated-cluster';
import { CACHE_ON, startTestApp, TestApp } from './support/test-app';
import { startFreezingProxy } from './reliability/support/freezing-proxy';
import { waitFor } from './reliability/support/wait-for';

/**
 * Reads on a real streaming replica (a private primary + replica of this test's own): they go to the
 * replica while it keeps up; one paused (pg_wal_replay_pause) past REPLICA_MAX_LAG_MS, or down, is skipped
 * and the primary answers; this instance's own writes are never hidden; reports are complete; and the
 * replica serves again once it recovers. All on one running service.
 */
const DATABASE = 'segments_replicas';
/** Wide, so that "the replica answered, stale" cannot turn into "the bound passed" on a slow machine. */
const MAX_LAG_MS = 2_000;
const SLUG = 'REPLICA_SEG';

describeWithReplica('read replicas')('reads on a streaming replica', () => {
  let cluster: ReplicatedCluster | undefined;
  let t: TestApp | undefined;

  beforeAll(async () => {
    cluster = await startReplicatedCluster();
    await cluster.sql('primary', 'postgres', `CREATE DATABASE ${DATABASE}`);
    const url = cluster.primary.url(DATABASE);
    t = await startTestApp({
      database: {
        kind: 'postgres',
        url,
        env: { DATABASE_URL: url, DATABASE_REPLICA_URLS: cluster.replica.url(DATABASE) },
        drop: async () => undefined,
      },
      // The router is what this file tests: reads the read cache answers reach no database at all.
      env: { REPLICA_MAX_LAG_MS: String(MAX_LAG_MS), DATABASE_TIMEOUT_MS: '1000', READ_CACHE_USERS: '0' },
    });
    await t.http.post('/api/v1/segments').send({ slug: SLUG }).expect(201);
  });

  // A failed test must not leave replay paused for the next one.
  afterEach(() => cluster?.sql('replica', DATABASE, 'SELECT pg_wal_replay_resume()').catch(() => undefined));

  afterAll(async () => {
    await t?.close();
    cluster?.destroy();
  });

  const app = () => t!;
  const db = () => cluster!;
  const metric = async (name: string, labels: Record<string, string>, on = app()) =>
    sampleValue(parsePrometheus((await on.http.get('/metrics').expect(200)).text), name, labels) ?? 0;
  const replicaReads = (on = app(), replica = db().replicaName) =>
    metric('segments_db_reads_total', { database: replica }, on);
  const slugsOf = async (userId: number, on = app()) =>
    ((await on.http.get(`/api/v1/users/${userId}/segments`).expect(200)).body.segments as { slug: string }[]).map(
      (s) => s.slug,
    );
  const readiness = async (on = app()) => (await on.http.get('/health/ready').expect(200)).body;
  const replicaState = async (on = app(), replica = db().replicaName) =>
    (await readiness(on)).databases.find((d: { name: string }) => d.name === replica)?.state;
  /** A change set made by "another instance": straight on the primary, unknown to this service. */
  const changeElsewhere = (userId: number) =>
    db().sql(
      'primary',
      DATABASE,
      `SELECT * FROM apply_change_set($1, ARRAY[$2], ARRAY[NULL]::timestamptz[], ARRAY[]::text[], $3)`,
      [userId, SLUG, app().clock.offsetMs()],
    );
  const servedByReplica = async (read: () => Promise<unknown>, on = app(), replica = db().replicaName) => {
    const before = await replicaReads(on, replica);
    await read();
    return (await replicaReads(on, replica)) > before;
  };

  it('reads go to the replica; paused past the bound it is skipped; own writes and reports always see everything', async () => {
    await waitFor(
      'the replica to serve reads',
      10_000,
      async () => (await replicaState()) === 'up' && (await servedByReplica(() => slugsOf(1))),
    );
    expect((await readiness()).databases).toEqual([
      { name: 'primary', role: 'primary', state: 'up', lag_ms: 0 },
      { name: db().replicaName, role: 'replica', state: 'up', lag_ms: expect.any(Number) },
    ]);
    expect(await metric('segments_db_replica_serving', { replica: db().replicaName })).toBe(1);

    await db().sql('replica', DATABASE, 'SELECT pg_wal_replay_pause()');
    await changeElsewhere(2);
    // Within the bound, another instance's change may not show yet: the replica answered, stale.
    expect(await slugsOf(2)).toEqual([]);
    // A report has every change made before it was asked for, wherever it was made.
    const report = await app().http.get('/api/v1/reports/history').query({ period: '2030-01' }).expect(200);
    expect(report.body.rows).toBe(1);
    // This instance's own change always shows, in the segments and in the history.
    const ownChange = await app()
      .http.patch('/api/v1/users/3/segments')
      .send({ add: [SLUG] })
      .expect(200);
    expect(await slugsOf(3)).toEqual([SLUG]);
    expect((await app().http.get('/api/v1/users/3/history').expect(200)).body.items).toHaveLength(1);
    expect((await app().http.get('/api/v1/users/3/segments').expect(200)).body).toEqual(ownChange.body);
    // So does every read across users after it (the primary answers them: it has the other change too).
    const members = (await app().http.get(`/api/v1/segments/${SLUG}/members`).expect(200)).body.items as {
      user_id: number;
    }[];
    expect(members.map((member) => member.user_id)).toEqual([2, 3]);

    await waitFor(
      'reads to leave the paused replica once it is behind by more than the bound',
      MAX_LAG_MS * 3,
      async () => (await slugsOf(2)).includes(SLUG),
    );
    expect(await replicaState()).toBe('behind');
    expect(await metric('segments_db_replica_serving', { replica: db().replicaName })).toBe(0);
    expect(await servedByReplica(() => slugsOf(4))).toBe(false);

    await db().sql('replica', DATABASE, 'SELECT pg_wal_replay_resume()');
    await waitFor('the replica to serve again once it has caught up', 10_000, async () =>
      servedByReplica(() => slugsOf(2)),
    );
    expect(await slugsOf(2)).toEqual([SLUG]);

    // A write that may change any user (an auto segment joins every known user) shows at once in every read here.
    await db().sql('replica', DATABASE, 'SELECT pg_wal_replay_pause()');
    await app().http.post('/api/v1/segments').send({ slug: 'REPLICA_AUTO', auto_percent: 100 }).expect(201);
    expect((await app().http.get('/api/v1/segments/REPLICA_AUTO').expect(200)).body.members).toBe(2);
    expect(await slugsOf(2)).toEqual(['REPLICA_AUTO', SLUG]);
    await db().sql('replica', DATABASE, 'SELECT pg_wal_replay_resume()');
  });

  it('a replica that goes down is skipped at once and serves again when it is back, without a restart', async () => {
    await waitFor('the replica to serve reads', 10_000, async () => servedByReplica(() => slugsOf(2)));
    await db().replica.stop();
    // Every read answers, from the primary, from the first one on.
    for (let i = 0; i < 5; i++) expect(await slugsOf(2)).toEqual(['REPLICA_AUTO', SLUG]);
    expect((await app().http.get(`/api/v1/segments/${SLUG}`).expect(200)).body.members).toBe(2);
    await waitFor('readiness to report the replica down', 5_000, async () => (await replicaState()) === 'down');
    expect(await servedByReplica(() => slugsOf(2))).toBe(false);

    await db().replica.start();
    await waitFor('the replica to serve again', 10_000, async () => servedByReplica(() => slugsOf(2)));
    expect(await replicaState()).toBe('up');
  });

  it('a hung replica is skipped within the bound, and does not stop the replica next to it serving', async () => {
    // Two replica URLs: the replica itself, and the same replica through a proxy that can hang.
    const proxy = await startFreezingProxy('127.0.0.1', db().replica.port);
    const direct = db().replica.url(DATABASE);
    const hung = `127.0.0.1:${proxy.port}`;
    const url = db().primary.url(DATABASE);
    const second = await startTestApp({
      database: {
        kind: 'postgres',
        url,
        env: { DATABASE_URL: url, DATABASE_REPLICA_URLS: `${proxy.through(direct)},${direct}` },
        drop: async () => undefined,
      },
      env: {
        REPLICA_MAX_LAG_MS: '500',
        DATABASE_STATEMENT_TIMEOUT_MS: '1000',
        DATABASE_TIMEOUT_MS: '1000',
        READ_CACHE_USERS: '0',
      },
    });
    try {
      const states = async () => [await replicaState(second, hung), await replicaState(second)];
      await waitFor('both replicas to be up', 10_000, async () => (await states()).every((state) => state === 'up'));
      proxy.freeze();
      await waitFor(
        'readiness to report the hung replica down',
        5_000,
        async () => (await replicaState(second, hung)) === 'down',
      );
      for (let i = 0; i < 5; i++) {
        expect(await states()).toEqual(['down', 'up']);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      await waitFor('the other replica to serve', 5_000, () => servedByReplica(() => slugsOf(1, second), second));
      expect(await slugsOf(2, second)).toEqual(['REPLICA_AUTO', SLUG]);
    } finally {
      proxy.thaw();
      await second.close();
      await proxy.close();
    }
  });

  it("with the read cache on, another instance's change shows within 1 s although the replica lags behind it", async () => {
    const url = db().primary.url(DATABASE);
    const cached = await startTestApp({
      database: {
        kind: 'postgres',
        url,
        env: { DATABASE_URL: url, DATABASE_REPLICA_URLS: db().replica.url(DATABASE) },
        drop: async () => undefined,
      },
      env: { ...CACHE_ON, REPLICA_MAX_LAG_MS: String(MAX_LAG_MS) },
    });
    try {
      await waitFor('the replica to be up', 10_000, async () => (await replicaState(cached)) === 'up');
      expect(await slugsOf(5, cached)).toEqual([]);
      await db().sql('replica', DATABASE, 'SELECT pg_wal_replay_pause()');
      await changeElsewhere(5);
      // The change log empties the cache entry; the refill must not come from the replica, which is within
      // its lag bound and still has the past (that refill stayed in the cache: stale with no end).
      await waitFor('the change to show on the cached instance', 1_000, async () =>
        (await slugsOf(5, cached)).includes(SLUG),
      );
      const shown = await slugsOf(5, cached);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await slugsOf(5, cached)).toEqual(shown);
    } finally {
      await cached.close();
    }
  });
});
