import { Readable } from 'node:stream';

export interface StoredReport {
  /** Where anyone with the link can download the file. */
  url: string;
}

export interface ReportFile {
  size: number;
  content: Readable;
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
}
