import { Injectable } from '@nestjs/common';
import { isHistoryReportName, ReportNotFoundError } from '@app/domain';
import { ReportFile, ReportStorage } from '../ports/report-storage';

/** A stored report by name; names that no report can have are unknown, never looked up. */
@Injectable()
export class OpenReportFile {
  constructor(private readonly storage: ReportStorage) {}

  async execute(name: string): Promise<ReportFile> {
    const file = isHistoryReportName(name) ? await this.storage.open(name) : undefined;
    if (!file) throw new ReportNotFoundError(name);
    return file;
  }
}
