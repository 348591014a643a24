import { Provider } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { SqlExecutor } from '../persistence/sql-executor';
import { ReadRouter } from './read-router';
import { ReplicaLagWatcher } from './replica-lag-watcher';
import { ReplicaPools } from './replica-pools';
import { WriteFences } from './write-fences';
import { WorkerChannel } from '../workers/worker-channel';

/** The read router and what it needs: the replicas' pools, their lag watcher, this instance's write fences. */
export function replicaProviders(config: AppConfig): Provider[] {
  return [
    { provide: WorkerChannel, useFactory: () => new WorkerChannel() },
    { provide: ReplicaPools, useFactory: () => new ReplicaPools(config) },
    { provide: WriteFences, useFactory: () => new WriteFences(config.replicaMaxLagMs) },
    {
      provide: ReplicaLagWatcher,
      useFactory: (primary: SqlExecutor, pools: ReplicaPools) =>
        new ReplicaLagWatcher(primary, pools.replicas, config.replicaMaxLagMs),
      inject: [SqlExecutor, ReplicaPools],
    },
    ReadRouter,
  ];
}
