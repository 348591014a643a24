import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { ExpireMemberships } from '@app/application';
import { AppConfig, asBulkWork } from '@app/infrastructure';
import { Metrics } from '../metrics/metrics';

const JOB_NAME = 'expiry-sweep';

/** Runs the expiry cleaner every EXPIRY_SWEEP_SECONDS; a run still going skips the next tick. */
@Injectable()
export class ExpirySweepJob implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ExpirySweep');
  private running: Promise<void> | undefined;

  constructor(
    private readonly expireMemberships: ExpireMemberships,
    private readonly scheduler: SchedulerRegistry,
    private readonly config: AppConfig,
    private readonly metrics: Metrics,
  ) {}

  onApplicationBootstrap(): void {
    this.scheduler.addInterval(
      JOB_NAME,
      setInterval(() => void this.tick(), this.config.expirySweepSeconds * 1000),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.scheduler.doesExist('interval', JOB_NAME)) this.scheduler.deleteInterval(JOB_NAME);
    await this.running;
  }

  tick(): Promise<void> {
    this.running ??= this.sweep().finally(() => (this.running = undefined));
    return this.running;
  }

  private async sweep(): Promise<void> {
    try {
      const expired = await asBulkWork(() => this.expireMemberships.execute());
      this.metrics.membershipsExpired.inc(expired);
      if (expired > 0) this.logger.log(`ended ${expired} expired memberships`);
    } catch (error) {
      this.logger.warn(`expiry sweep failed: ${(error as Error).message}`);
    }
  }
}
