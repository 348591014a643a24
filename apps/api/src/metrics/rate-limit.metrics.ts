import { Injectable } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { RateLimit } from '../http/security/rate-limit';
import { Metrics } from './metrics';

/** How many callers the rate limiter tracks this minute (bounded, whatever clients send). */
@Injectable()
export class RateLimitMetrics {
  constructor(metrics: Metrics, rateLimit: RateLimit) {
    new Gauge({
      name: 'segments_rate_limit_callers',
      help: 'Callers (API keys or client addresses) the rate limiter counts in the current minute',
      registers: [metrics.registry],
      collect() {
        this.set(rateLimit.tracked);
      },
    });
  }
}
