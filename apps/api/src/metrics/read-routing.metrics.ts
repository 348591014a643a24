import { Injectable } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { ReadRouter } from '@app/infrastructure';
import { Metrics } from './metrics';

/** Where reads went (the primary or which replica) and each replica's lag, read from the router at each scrape. */
@Injectable()
export class ReadRoutingMetrics {
  constructor(metrics: Metrics, router: ReadRouter) {
    new Counter({
      name: 'segments_db_reads_total',
      help: "Reads answered, by database (primary or a replica): a batched users' segments statement counts once, a report once",
      labelNames: ['database'] as const,
      registers: [metrics.registry],
      collect() {
        this.reset();
        for (const [database, count] of router.readsServed()) this.inc({ database }, count);
      },
    });
    new Gauge({
      name: 'segments_db_replica_lag_seconds',
      help: 'How far each replica may be behind the primary (-1 while down or unknown)',
      labelNames: ['replica'] as const,
      registers: [metrics.registry],
      collect() {
        for (const { name, lagMs } of router.replicaStatus())
          this.set({ replica: name }, lagMs === null ? -1 : lagMs / 1000);
      },
    });
    new Gauge({
      name: 'segments_db_replica_serving',
      help: '1 while a replica may serve reads (answers, within REPLICA_MAX_LAG_MS), else 0',
      labelNames: ['replica'] as const,
      registers: [metrics.registry],
      collect() {
        for (const { name, state } of router.replicaStatus()) this.set({ replica: name }, state === 'up' ? 1 : 0);
      },
    });
  }
}
