import { Provider } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { SqlExecutor } from '../database/sql-executor';
import { WorkerChannel } from '../workers/worker-channel';
import { ChangeLogCleaner } from './change-log-cleaner';
import { ChangeLogPoller } from './change-log-poller';
import { MembershipReader } from './membership-reader';
import { ReadCache } from './read-cache';
import { ReadRouter } from './read-router';
import { ReplicaLagWatcher } from './replica-lag-watcher';
import { ReplicaPools } from './replica-pools';
import { WriteFences } from './write-fences';
import { WrittenSignal } from './written-signal';

/** Embedded PGlite: this process is the only one on DATA_DIR, so its own writes are all there are. */
const standalone = (config: AppConfig) => !config.databaseUrl;

/**
 * The read room: the MembershipReader and the WrittenSignal, and what they need: the replicas' pools, their
 * lag watcher, this instance's write fences, the ReadRouter; with READ_CACHE_USERS > 0 a ReadCache and (on
 * PostgreSQL) its ChangeLogPoller, else both undefined. The change log's cleaner always runs.
 */
export const readProviders: Provider[] = [
  { provide: ReplicaPools, useFactory: (config: AppConfig) => new ReplicaPools(config), inject: [AppConfig] },
  {
    provide: WriteFences,
    useFactory: (config: AppConfig) => new WriteFences(config.replicaMaxLagMs),
    inject: [AppConfig],
  },
  {
    provide: ReplicaLagWatcher,
    useFactory: (primary: SqlExecutor, pools: ReplicaPools, config: AppConfig) =>
      new ReplicaLagWatcher(primary, pools.replicas, config.replicaMaxLagMs),
    inject: [SqlExecutor, ReplicaPools, AppConfig],
  },
  ReadRouter,
  { provide: ChangeLogCleaner, useFactory: (sql: SqlExecutor) => new ChangeLogCleaner(sql), inject: [SqlExecutor] },
  {
    provide: ReadCache,
    useFactory: (config: AppConfig) =>
      config.readCacheUsers === 0 ? undefined : new ReadCache(config.readCacheUsers, standalone(config)),
    inject: [AppConfig],
  },
  {
    provide: WrittenSignal,
    useFactory: (fences: WriteFences, workers: WorkerChannel, cache?: ReadCache) =>
      new WrittenSignal(fences, workers, cache),
    inject: [WriteFences, WorkerChannel, ReadCache],
  },
  {
    provide: ChangeLogPoller,
    useFactory: (config: AppConfig, signal: WrittenSignal, cache?: ReadCache) =>
      cache && !standalone(config) ? new ChangeLogPoller(config.databaseUrl!, cache, signal) : undefined,
    inject: [AppConfig, WrittenSignal, ReadCache],
  },
  {
    provide: MembershipReader,
    useFactory: (router: ReadRouter, config: AppConfig, cache?: ReadCache) =>
      new MembershipReader(router, config, cache),
    inject: [ReadRouter, AppConfig, ReadCache],
  },
];
