import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/** The service's Prometheus registry: process metrics plus what the service itself counts. */
@Injectable()
export class Metrics {
  readonly registry = new Registry();

  readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  readonly membershipsExpired = new Counter({
    name: 'segments_memberships_expired_total',
    help: 'Memberships ended by the expiry cleaner',
    registers: [this.registry],
  });

  readonly usersAutoAssigned = new Counter({
    name: 'segments_users_auto_assigned_total',
    help: 'Auto memberships created, by what created them: registration, segment_created, segment_updated',
    labelNames: ['trigger'] as const,
    registers: [this.registry],
  });

  readonly reportsGenerated = new Counter({
    name: 'segments_reports_generated_total',
    help: 'History reports written to report storage',
    registers: [this.registry],
  });

  readonly reportStorageFailures = new Counter({
    name: 'segments_report_storage_failures_total',
    help: 'Report storage operations that failed (REPORT_STORAGE_FAILED answers)',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }
}
