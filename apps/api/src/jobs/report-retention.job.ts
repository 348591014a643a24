import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { PruneReports } from '@app/application';

const JOB_NAME = 'report-retention';
/** Local writes check the bounds themselves; this pass catches age, other processes' files and Drive. */
const EVERY_MS = 60 * 60 * 1000;
/** The first pass, a while after start: a folder left over its bounds shrinks without waiting an hour. */
const FIRST_AFTER_MS = 10 * 60 * 1000;

/** Deletes report files beyond REPORT_RETENTION_HOURS / REPORT_MAX_FILES; failures are logged, never fatal. */
@Injectable()
export class ReportRetentionJob implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ReportRetention');
  private running: Promise<void> | undefined;

  constructor(
    private readonly pruneReports: PruneReports,
    private readonly scheduler: SchedulerRegistry,
  ) {}

  onApplicationBootstrap(): void {
    // unref: the timers never keep a stopping process alive.
    this.scheduler.addTimeout(JOB_NAME, setTimeout(() => void this.tick(), FIRST_AFTER_MS).unref());
    this.scheduler.addInterval(JOB_NAME, setInterval(() => void this.tick(), EVERY_MS).unref());
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.scheduler.doesExist('timeout', JOB_NAME)) this.scheduler.deleteTimeout(JOB_NAME);
    if (this.scheduler.doesExist('interval', JOB_NAME)) this.scheduler.deleteInterval(JOB_NAME);
    await this.running;
  }

  tick(): Promise<void> {
    this.running ??= this.prune().finally(() => (this.running = undefined));
    return this.running;
  }

  private async prune(): Promise<void> {
    try {
      const { deleted, failed } = await this.pruneReports.execute();
      if (deleted > 0) this.logger.log(`deleted ${deleted} report files past their retention`);
      if (failed > 0) this.logger.warn(`could not delete ${failed} report files; the next pass tries again`);
    } catch (error) {
      this.logger.warn(`report retention failed: ${(error as Error).message}`);
    }
  }
}
