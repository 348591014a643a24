import { Injectable } from '@nestjs/common';
import { PrunedReports, ReportStorage } from '../ports/report-storage';

/** Deletes the report files that storage no longer keeps (REPORT_RETENTION_HOURS, REPORT_MAX_FILES). */
@Injectable()
export class PruneReports {
  constructor(private readonly storage: ReportStorage) {}

  execute(): Promise<PrunedReports> {
    return this.storage.prune();
  }
}
