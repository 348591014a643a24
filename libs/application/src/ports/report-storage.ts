import { Readable } from 'node:stream';

export interface StoredReport {
  /** Where anyone with the link can download the file. */
  url: string;
}

export interface ReportFile {
  size: number;
  content: Readable;
}

/** What one pass of the retention did. */
export interface PrunedReports {
  deleted: number;
  /** Files it could not delete (they stay for the next pass). */
  failed: number;
}

export abstract class ReportStorage {
  /**
   * Stores the CSV under `name`, replacing an earlier file of that name whole (its link stays the same):
   * a reader sees the old content or the new, never part of it. Reads `csv` to its end; an error from
   * `csv` is passed on as it is, a failure of the storage itself is a ReportStorageError.
   */
  abstract save(name: string, csv: Readable): Promise<StoredReport>;
  /** The stored file, when this storage serves files itself; undefined when there is no such file. */
  abstract open(name: string): Promise<ReportFile | undefined>;
  /**
   * True when this storage deleted the file of that name to stay bounded (retention or file count), as far
   * as it remembers: a link to it is expired rather than unknown.
   */
  abstract wasDeleted(name: string): boolean;
  /**
   * Deletes the files the retention no longer keeps (REPORT_RETENTION_HOURS, REPORT_MAX_FILES); run now and
   * then, never per request. A failure to delete one file is counted, not thrown.
   */
  abstract prune(): Promise<PrunedReports>;
}
