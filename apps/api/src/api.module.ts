import { Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { OutcomeCounters, ReportBuilds, USE_CASES } from '@app/application';
import { AppConfig, InfrastructureModule, WorkerChannel } from '@app/infrastructure';
import { HealthController } from './health/health.controller';
import { RateLimit } from './http/security/rate-limit';
import { ExpirySweepJob } from './jobs/expiry-sweep.job';
import { ReportRetentionJob } from './jobs/report-retention.job';
import { LoggingModule } from './logging/logging.module';
import { DatabasePoolMetrics } from './metrics/database-pool.metrics';
import { Metrics } from './metrics/metrics';
import { MetricsController } from './metrics/metrics.controller';
import { PrometheusOutcomeCounters } from './metrics/outcome-counters.metrics';
import { RateLimitMetrics } from './metrics/rate-limit.metrics';
import { ReadCacheMetrics } from './metrics/read-cache.metrics';
import { ReadRoutingMetrics } from './metrics/read-routing.metrics';
import { ReportBuildsMetrics } from './metrics/report-builds.metrics';
import { ReportsController } from './reports/reports.controller';
import { SegmentsController } from './segments/segments.controller';
import { UsersController } from './users/users.controller';

/** The composition root: adapters, use cases, controllers and jobs (AppConfig: `configured(ApiModule, config)`). */
@Module({
  imports: [InfrastructureModule, ScheduleModule.forRoot(), LoggingModule],
  controllers: [SegmentsController, UsersController, ReportsController, HealthController, MetricsController],
  providers: [
    ...USE_CASES,
    {
      provide: ReportBuilds,
      useFactory: (config: AppConfig) => new ReportBuilds(config.reportConcurrency, config.reportQueue),
      inject: [AppConfig],
    },
    ExpirySweepJob,
    ReportRetentionJob,
    Metrics,
    DatabasePoolMetrics,
    ReportBuildsMetrics,
    RateLimitMetrics,
    ReadCacheMetrics,
    { provide: OutcomeCounters, useClass: PrometheusOutcomeCounters },
    ReadRoutingMetrics,
    {
      provide: RateLimit,
      useFactory: (config: AppConfig, workers: WorkerChannel) => new RateLimit(config.rateLimitPerMinute, workers),
      inject: [AppConfig, WorkerChannel],
    },
  ],
})
export class ApiModule {}
