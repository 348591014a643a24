import { Injectable } from '@nestjs/common';
import { AutoAssignmentTrigger, OutcomeCounters } from '@app/application';
import { Metrics } from './metrics';

/** What the use cases count, as Prometheus counters. */
@Injectable()
export class PrometheusOutcomeCounters extends OutcomeCounters {
  constructor(private readonly metrics: Metrics) {
    super();
  }

  autoAssigned(trigger: AutoAssignmentTrigger, memberships: number): void {
    this.metrics.usersAutoAssigned.inc({ trigger }, memberships);
  }

  reportBuilt(): void {
    this.metrics.reportsGenerated.inc();
  }

  reportStorageFailed(): void {
    this.metrics.reportStorageFailures.inc();
  }
}
