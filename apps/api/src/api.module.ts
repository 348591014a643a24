import { DynamicModule, Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import {
  ApplyUserSegmentChanges,
  BuildHistoryReport,
  CreateSegment,
  DeleteSegment,
  ExpireMemberships,
  GetSegment,
  GetUserHistory,
  GetUserSegments,
  ListSegmentMembers,
  ListSegments,
  OpenReportFile,
  RegisterUsers,
  ReportBuilds,
  UpdateSegment,
} from '@app/application';
import { AppConfig, PersistenceModule } from '@app/infrastructure';
import { HealthController } from './health/health.controller';
import { RateLimit } from './http/rate-limit';
import { ExpirySweepJob } from './jobs/expiry-sweep.job';
import { LoggingModule } from './logging/logging.module';
import { DatabasePoolMetrics } from './metrics/database-pool.metrics';
import { Metrics } from './metrics/metrics';
import { MetricsController } from './metrics/metrics.controller';
import { RateLimitMetrics } from './metrics/rate-limit.metrics';
import { ReadRoutingMetrics } from './metrics/read-routing.metrics';
import { ReportBuildsMetrics } from './metrics/report-builds.metrics';
import { ReportsController } from './reports/reports.controller';
import { SegmentsController } from './segments/segments.controller';
import { UsersController } from './users/users.controller';

/** The composition root: adapters, use cases, controllers and jobs. */
@Module({})
export class ApiModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: ApiModule,
      imports: [PersistenceModule.forRoot(config), ScheduleModule.forRoot(), LoggingModule.forRoot(config)],
      controllers: [SegmentsController, UsersController, ReportsController, HealthController, MetricsController],
      providers: [
        CreateSegment,
        GetSegment,
        ListSegments,
        UpdateSegment,
        DeleteSegment,
        ListSegmentMembers,
        ApplyUserSegmentChanges,
        GetUserSegments,
        GetUserHistory,
        RegisterUsers,
        ExpireMemberships,
        BuildHistoryReport,
        { provide: ReportBuilds, useFactory: () => new ReportBuilds(config.reportConcurrency, config.reportQueue) },
        OpenReportFile,
        ExpirySweepJob,
        Metrics,
        DatabasePoolMetrics,
        ReportBuildsMetrics,
        RateLimitMetrics,
        ReadRoutingMetrics,
        { provide: RateLimit, useFactory: () => new RateLimit(config.rateLimitPerMinute) },
      ],
    };
  }
}
