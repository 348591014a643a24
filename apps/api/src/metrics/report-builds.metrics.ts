import { Injectable } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { ReportBuilds } from '@app/application';
import { Metrics } from './metrics';

/** Report builds running and waiting for a slot, read at each scrape. */
@Injectable()
export class ReportBuildsMetrics {
  constructor(metrics: Metrics, builds: ReportBuilds) {
    new Gauge({
      name: 'segments_report_builds',
      help: 'Report builds of this instance, running or queued for a slot',
      labelNames: ['state'],
      registers: [metrics.registry],
      collect() {
        const { running, queued } = builds.counts;
        this.set({ state: 'running' }, running);
        this.set({ state: 'queued' }, queued);
      },
    });
  }
}
