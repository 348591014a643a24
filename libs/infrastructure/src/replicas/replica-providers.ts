import { Provider } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { SqlExecutor } from '../persistence/sql-executor';
import { ReadRouter } from './read-router';
import { ReplicaLagWatcher } from './replica-lag-watcher';
import { ReplicaPools } from './replica-pools';
import { WriteFences } from './write-fences';
import { WorkerChannel } from '../workers/worker-channel';

/** The read router and what it needs: the replicas' pools, their lag watcher, this instance's write fences. */
export const replicaProviders: Provider[] = [
  { provide: WorkerChannel, useFactory: () => new WorkerChannel() },
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
];
