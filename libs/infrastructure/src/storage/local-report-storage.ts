import { randomUUID } from 'node:crypto';
import { constants, createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { PrunedReports, ReportFile, ReportStorage, StoredReport } from '@app/application';
import { DiskFullError, isHistoryReportName, ReportStorageError } from '@app/domain';
import { LocalReportRetention, RetentionLimits } from './local-report-retention';
import { WorkerChannel } from '../workers/worker-channel';

// File system codes only: messages carry paths, which answers must not show.
/** What a worker tells the others once it has written a report file. */
const REPORT_WRITTEN = 'report-written';

const errorCode = (error: unknown) => (error as NodeJS.ErrnoException).code ?? 'unknown error';

/** The error for a failed step: a full disk says so (503 DISK_FULL), anything else is a storage failure. */
const storageFailure = (what: string, error: unknown) =>
  errorCode(error) === 'ENOSPC'
    ? new DiskFullError('the report folder')
    : new ReportStorageError(`cannot ${what} (${errorCode(error)})`);

/**
 * Reports as files under `directory`, linked as `filesUrl/<name>` (served by the reports controller), kept
 * within `limits` (LocalReportRetention): checked after each write and by the periodic prune.
 */
export class LocalReportStorage implements ReportStorage {
  private readonly retention: LocalReportRetention;

  /**
   * `workers`: the other worker processes of this instance (WEB_CONCURRENCY) write to the same folder; each
   * hears of the others' writes, so that every worker counts the instance's files against the bounds.
   */
  constructor(
    private readonly directory: string,
    private readonly filesUrl: string,
    limits: RetentionLimits,
    private readonly workers?: WorkerChannel,
  ) {
    this.retention = new LocalReportRetention(directory, limits);
    workers?.hear<string>(REPORT_WRITTEN, (name) => this.retention.heard(name));
  }

  async save(name: string, csv: Readable): Promise<StoredReport> {
    if (!isHistoryReportName(name)) throw new Error(`not a report name: ${name}`);
    // A hidden temporary name that no report name matches, renamed over the report once complete.
    const temporary = join(this.directory, `.${name}.${randomUUID()}.tmp`);
    await this.storageStep('create the reports directory', () => mkdir(this.directory, { recursive: true }));
    const file = createWriteStream(temporary, { flags: 'wx', flush: true });
    let fileError: Error | undefined;
    let sourceError: Error | undefined;
    file.on('error', (error) => (fileError = error));
    // pipeline destroys the file with the source's error too: that one is not a storage failure.
    csv.on('error', (error) => (sourceError = error));
    try {
      await pipeline(csv, file);
      await this.storageStep('replace the report', () => rename(temporary, join(this.directory, name)));
    } catch (error) {
      await rm(temporary, { force: true });
      if (error === fileError && error !== sourceError) throw storageFailure('write the report', fileError);
      throw error;
    }
    // The report is written whatever happens to the others; a file that cannot be deleted waits for the next pass.
    await this.retention.written(name).catch(() => undefined);
    await this.workers?.tell(REPORT_WRITTEN, name);
    return { url: `${this.filesUrl}/${name}` };
  }

  wasDeleted(name: string): boolean {
    return this.retention.wasDeleted(name);
  }

  prune(): Promise<PrunedReports> {
    return this.retention.prune();
  }

  async open(name: string): Promise<ReportFile | undefined> {
    if (!isHistoryReportName(name)) return undefined;
    // O_NOFOLLOW: a symlink in the folder is never followed (ELOOP), whatever it points at.
    const flags = constants.O_RDONLY | constants.O_NOFOLLOW;
    const handle = await open(join(this.directory, name), flags).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'ELOOP') return undefined;
      throw new ReportStorageError(`cannot read the report (${errorCode(error)})`);
    });
    if (!handle) return undefined;
    try {
      const stats = await handle.stat();
      if (!stats.isFile()) {
        await handle.close();
        return undefined;
      }
      return { size: stats.size, content: handle.createReadStream() };
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  private async storageStep<T>(what: string, step: () => Promise<T>): Promise<T> {
    try {
      return await step();
    } catch (error) {
      throw storageFailure(what, error);
    }
  }
}
