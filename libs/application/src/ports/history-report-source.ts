import { Readable } from 'node:stream';
import { HistoryOperation } from '@app/domain';

export interface HistoryReportFilter {
  /** Entries with from <= at < to. */
  from: Date;
  to: Date;
  /** Null: every user. */
  userId: number | null;
  labels: Record<HistoryOperation, string>;
}

export interface StreamedReport<T> {
  rows: number;
  result: T;
}

export abstract class HistoryReportSource {
  /**
   * Streams the matching history entries as CSV lines (`user_id;segment;operation;YYYY-MM-DD HH:MM:SS`, UTC,
   * `\n` after each, ordered by time, user_id, segment) into `consume`, which must read the stream to its
   * end. Memory stays flat whatever the row count. Resolves with the number of lines and what `consume` gave.
   */
  abstract streamCsv<T>(
    filter: HistoryReportFilter,
    consume: (csv: Readable) => Promise<T>,
  ): Promise<StreamedReport<T>>;
}
