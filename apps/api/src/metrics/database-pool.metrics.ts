import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { Gauge } from 'prom-client';
import { DATABASE_POOL, lookupsWaiting } from '@app/infrastructure';
import { Metrics } from './metrics';

/** Connection pool gauges, read from the pg Pool under TypeORM at each scrape. */
@Injectable()
export class DatabasePoolMetrics {
  constructor(metrics: Metrics, @Inject(DATABASE_POOL) pool: Pool) {
    new Gauge({
      name: 'segments_db_pool_connections_in_use',
      help: 'Database connections checked out of the pool',
      registers: [metrics.registry],
      collect() {
        this.set(pool.totalCount - pool.idleCount);
      },
    });
    new Gauge({
      name: 'segments_db_pool_waiting_requests',
      help: 'Queries waiting for a free database connection',
      registers: [metrics.registry],
      collect() {
        this.set(pool.waitingCount);
      },
    });
    new Gauge({
      name: 'segments_db_read_batch_waiting',
      help: "Reads of users' segments waiting for their turn in a batched statement",
      registers: [metrics.registry],
      collect() {
        this.set(lookupsWaiting());
      },
    });
  }
}
