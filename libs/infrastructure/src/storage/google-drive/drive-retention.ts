import { drive_v3 } from '@googleapis/drive';
import { PrunedReports } from '@app/application';
import { isHistoryReportName } from '@app/domain';
import { driveFailure, RetryPolicy, withRetry } from './drive-retry';
import { driveQuote } from './drive-query';

/**
 * Marks the files this service uploads (appProperties are private to the uploading Google Cloud project):
 * the retention deletes those and nothing else in the folder.
 */
export const REPORT_APP_PROPERTIES = { segmentsReport: 'history' } as const;
/** Files deleted at most per pass; the next pass takes the rest. */
const MAX_PER_PASS = 1_000;
const PAGE_SIZE = 100;

export interface DriveRetentionSettings {
  files: drive_v3.Drive;
  /** The API's rootUrl, which must go with every call. */
  callOptions: { rootUrl: string; retry: false };
  retry: RetryPolicy;
  folderId?: string;
  /** A file not written for longer than this is deleted. */
  retentionMs: number;
  now?: () => number;
}

/** Deletes the report files this service uploaded to Drive and has not written for the retention time. */
export class DriveRetention {
  constructor(private readonly settings: DriveRetentionSettings) {}

  /** A failed listing throws (ReportStorageError); a file that cannot be deleted is counted. */
  async prune(): Promise<PrunedReports> {
    const pruned = { deleted: 0, failed: 0 };
    for (const fileId of await this.expiredFiles()) {
      if (await this.delete(fileId)) pruned.deleted++;
      else pruned.failed++;
    }
    return pruned;
  }

  /** Listed whole before any is deleted: deleting while paging could skip files. */
  private async expiredFiles(): Promise<string[]> {
    const { files, callOptions, retry, folderId } = this.settings;
    const cutoff = new Date((this.settings.now ?? Date.now)() - this.settings.retentionMs).toISOString();
    const [[key, value]] = Object.entries(REPORT_APP_PROPERTIES);
    const conditions = [
      `appProperties has { key=${driveQuote(key)} and value=${driveQuote(value)} }`,
      `modifiedTime < ${driveQuote(cutoff)}`,
      'trashed = false',
    ];
    if (folderId) conditions.push(`${driveQuote(folderId)} in parents`);
    const ids: string[] = [];
    let pageToken: string | undefined;
    do {
      const { data } = await withRetry('files.list', retry, () =>
        files.files.list(
          {
            q: conditions.join(' and '),
            fields: 'nextPageToken, files(id, name)',
            pageSize: PAGE_SIZE,
            pageToken,
            supportsAllDrives: true,
            includeItemsFromAllDrives: true,
          },
          callOptions,
        ),
      );
      for (const file of data.files ?? []) if (file.id && isHistoryReportName(file.name ?? '')) ids.push(file.id);
      pageToken = data.nextPageToken ?? undefined;
    } while (pageToken && ids.length < MAX_PER_PASS);
    return ids.slice(0, MAX_PER_PASS);
  }

  /** True when the file is gone, 404 included (another instance deleted it first). */
  private async delete(fileId: string): Promise<boolean> {
    const { files, callOptions, retry } = this.settings;
    try {
      await withRetry('files.delete', retry, () =>
        files.files.delete({ fileId, supportsAllDrives: true }, callOptions),
      );
      return true;
    } catch (error) {
      return driveFailure('files.delete', error).details?.status === 404;
    }
  }
}
