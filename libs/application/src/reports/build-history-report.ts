import { Injectable } from '@nestjs/common';
import { historyReportName, OPERATION_LABELS, parsePeriod, ReportLanguage } from '@app/domain';
import { countingStorageFailures } from './counting-storage-failures';
import { Clock } from '../ports/clock';
import { HistoryReportSource } from '../ports/history-report-source';
import { OutcomeCounters } from '../ports/outcome-counters';
import { ReportStorage } from '../ports/report-storage';
import { ReportBuilds } from './report-builds';

export interface HistoryReportRequest {
  /** `YYYY-MM`, a month in UTC that has begun. */
  period: string;
  userId: number | null;
  language: ReportLanguage;
}

export interface HistoryReport {
  period: string;
  userId: number | null;
  rows: number;
  url: string;
}

/**
 * Writes a month of history as CSV, streamed from the database straight into report storage, in turn
 * with the instance's other report builds (ReportBuilds).
 */
@Injectable()
export class BuildHistoryReport {
  constructor(
    private readonly source: HistoryReportSource,
    private readonly storage: ReportStorage,
    private readonly clock: Clock,
    private readonly builds: ReportBuilds,
    private readonly counters: OutcomeCounters,
  ) {}

  async execute(request: HistoryReportRequest): Promise<HistoryReport> {
    const period = parsePeriod(request.period, this.clock.now());
    const name = historyReportName(period, request.userId, request.language);
    const { rows, result } = await countingStorageFailures(this.counters, () =>
      this.builds.run(name, () =>
        this.source.streamCsv(
          { from: period.start, to: period.end, userId: request.userId, labels: OPERATION_LABELS[request.language] },
          (csv) => this.storage.save(name, csv),
        ),
      ),
    );
    this.counters.reportBuilt();
    return { period: period.text, userId: request.userId, rows, url: result.url };
  }
}
