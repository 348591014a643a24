import { Injectable, Optional } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { ReadCache } from '@app/infrastructure';
import { Metrics } from './metrics';

/** The read cache's size, hits and misses, and whether it answers (absent with READ_CACHE_USERS=0). */
@Injectable()
export class ReadCacheMetrics {
  constructor(metrics: Metrics, @Optional() cache?: ReadCache) {
    if (!cache) return;
    const registers = [metrics.registry];
    new Gauge({
      name: 'segments_read_cache_users',
      help: 'Users whose segments this process holds in its read cache',
      registers,
      collect() {
        this.set(cache.size);
      },
    });
    new Gauge({
      name: 'segments_read_cache_serving',
      help: '1 while the read cache answers; 0 while its change-log connection is down (reads go to the database)',
      registers,
      collect() {
        this.set(cache.serving ? 1 : 0);
      },
    });
    for (const [outcome, count] of [
      ['hits', () => cache.hits],
      ['misses', () => cache.misses],
    ] as const) {
      new Counter({
        name: `segments_read_cache_${outcome}_total`,
        help: `Reads of users' segments the read cache answered (hits) or sent to the database (misses)`,
        registers,
        collect() {
          this.reset();
          this.inc(count());
        },
      });
    }
  }
}
