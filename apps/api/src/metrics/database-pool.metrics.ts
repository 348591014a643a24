import { Injectable } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { DataSource } from 'typeorm';
import { lookupsWaiting } from '@app/infrastructure';
import { Metrics } from './metrics';

/** The counters of a `pg` Pool. */
interface PoolCounts {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
}

/** Connection pool gauges, read from the pg Pool under TypeORM at each scrape. */
@Injectable()
export class DatabasePoolMetrics {
  constructor(metrics: Metrics, dataSource: DataSource) {
    // TypeORM keeps its pg Pool as the driver's `master`; it has no public accessor.
    const pool = () => (dataSource.driver as unknown as { master?: PoolCounts }).master;
    new Gauge({
      name: 'segments_db_pool_connections_in_use',
      help: 'Database connections checked out of the pool',
      registers: [metrics.registry],
      collect() {
        const counts = pool();
        this.set(counts ? counts.totalCount - counts.idleCount : 0);
      },
    });
    new Gauge({
      name: 'segments_db_pool_waiting_requests',
      help: 'Queries waiting for a free database connection',
      registers: [metrics.registry],
      collect() {
        this.set(pool()?.waitingCount ?? 0);
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
