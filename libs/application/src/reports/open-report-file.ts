import { Injectable } from '@nestjs/common';
import { isHistoryReportName, ReportExpiredError, ReportNotFoundError } from '@app/domain';
import { OutcomeCounters } from '../ports/outcome-counters';
import { ReportFile, ReportStorage } from '../ports/report-storage';
import { countingStorageFailures } from './counting-storage-failures';

/**
 * A stored report by name; names that no report can have are unknown, never looked up. A file the storage
 * deleted to stay bounded is expired: either way the answer says to run the report again.
 */
@Injectable()
export class OpenReportFile {
  constructor(
    private readonly storage: ReportStorage,
    private readonly counters: OutcomeCounters,
  ) {}

  async execute(name: string): Promise<ReportFile> {
    const file = isHistoryReportName(name)
      ? await countingStorageFailures(this.counters, () => this.storage.open(name))
      : undefined;
    if (!file) throw this.storage.wasDeleted(name) ? new ReportExpiredError(name) : new ReportNotFoundError(name);
    return file;
  }
}
