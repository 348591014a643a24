import { DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import {
  ApplyUserSegmentChanges,
  CreateSegment,
  DeleteSegment,
  ExpireMemberships,
  GetSegment,
  GetUserHistory,
  GetUserSegments,
  ListSegmentMembers,
  ListSegments,
  RegisterUsers,
  UpdateSegment,
} from '@app/application';
import { AppConfig, PersistenceModule } from '@app/infrastructure';
import { HealthController } from './health/health.controller';
import { ApiKeyGuard } from './http/api-key.guard';
import { ExpirySweepJob } from './jobs/expiry-sweep.job';
import { Metrics } from './metrics/metrics';
import { MetricsController } from './metrics/metrics.controller';
import { SegmentsController } from './segments/segments.controller';
import { UsersController } from './users/users.controller';

/** The composition root: adapters, use cases, controllers and jobs. */
@Module({})
export class ApiModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: ApiModule,
      imports: [PersistenceModule.forRoot(config), ScheduleModule.forRoot()],
      controllers: [SegmentsController, UsersController, HealthController, MetricsController],
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
        ExpirySweepJob,
        Metrics,
        { provide: APP_GUARD, useClass: ApiKeyGuard },
      ],
    };
  }
}
