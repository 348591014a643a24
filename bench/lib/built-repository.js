'use strict';
/**
 * The built membership repository wired as the service wires it without replicas (every read on the
 * primary), for the pgbench statement capture and the ceiling server.
 */
const { join } = require('node:path');

function builtModules(root) {
  const dist = join(root, 'dist/libs');
  const load = (path) => require(join(dist, path));
  return {
    ...load('infrastructure/src/persistence/sql-membership-repository.js'),
    ...load('infrastructure/src/database/sql-executor.js'),
    ...load('infrastructure/src/system-clock.js'),
    ...load('infrastructure/src/config/app-config.js'),
    ...load('infrastructure/src/reads/read-router.js'),
    ...load('infrastructure/src/reads/replica-pools.js'),
    ...load('infrastructure/src/reads/replica-lag-watcher.js'),
    ...load('infrastructure/src/reads/write-fences.js'),
    ...load('infrastructure/src/reads/membership-reader.js'),
    ...load('infrastructure/src/reads/written-signal.js'),
    ...load('infrastructure/src/workers/worker-channel.js'),
    planChangeSet: load('domain/src').planChangeSet,
  };
}

/** `{ repository, planChangeSet }` on `pool`, configured from `env` (DATABASE_URL among it). */
function builtRepository(root, pool, env) {
  const m = builtModules(root);
  const config = m.loadConfig({ ...env, DATABASE_REPLICA_URLS: '' });
  const sql = new m.SqlExecutor(pool, config);
  const replicas = new m.ReplicaPools(config);
  const fences = new m.WriteFences(config.replicaMaxLagMs);
  const router = new m.ReadRouter(
    sql,
    replicas,
    new m.ReplicaLagWatcher(sql, replicas.replicas, config.replicaMaxLagMs),
    fences,
  );
  const reader = new m.MembershipReader(router, config, undefined);
  const signal = new m.WrittenSignal(fences, new m.WorkerChannel(), undefined);
  return {
    repository: new m.SqlMembershipRepository(sql, new m.SystemClock(), reader, signal),
    planChangeSet: m.planChangeSet,
  };
}

module.exports = { builtRepository };
