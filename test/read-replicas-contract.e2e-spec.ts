import { describeWithReplica, ReplicatedCluster, startReplicatedCluster } from './support/replicated-cluster';

/**
 * The contract suites of a user's segments, segments and history, run as written against a service with a
 * streaming replica configured (each test database is created on a private primary and read on its
 * replica too): routing to replicas must change no answer.
 */
describeWithReplica('contract with a replica')('the contract with a streaming replica configured', () => {
  let cluster: ReplicatedCluster | undefined;
  const saved = { server: process.env.TEST_DATABASE_URL, replicas: process.env.TEST_REPLICA_SERVER_URLS };

  beforeAll(async () => {
    cluster = await startReplicatedCluster();
    process.env.TEST_DATABASE_URL = cluster.primary.url('postgres');
    process.env.TEST_REPLICA_SERVER_URLS = cluster.replica.url('postgres');
  });

  afterAll(() => {
    process.env.TEST_DATABASE_URL = saved.server;
    process.env.TEST_REPLICA_SERVER_URLS = saved.replicas;
    if (saved.server === undefined) delete process.env.TEST_DATABASE_URL;
    if (saved.replicas === undefined) delete process.env.TEST_REPLICA_SERVER_URLS;
    cluster?.destroy();
  });

  it('runs on a private primary with its replica', async () => {
    const [{ recovering }] = await cluster!.sql<{ recovering: boolean }>(
      'replica',
      'postgres',
      'SELECT pg_is_in_recovery() AS recovering',
    );
    expect(recovering).toBe(true);
  });

  /* eslint-disable @typescript-eslint/no-require-imports */
  require('./user-segments.e2e-spec');
  require('./segments.e2e-spec');
  require('./history-pages.e2e-spec');
});
