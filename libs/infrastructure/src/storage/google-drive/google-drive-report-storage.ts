import { Readable } from 'node:stream';
import { drive, drive_v3 } from '@googleapis/drive';
import { PrunedReports, ReportFile, ReportStorage, StoredReport } from '@app/application';
import { ReportStorageError } from '@app/domain';
import { ChunkReader } from './chunk-reader';
import { createDriveAuth, DriveAuth } from './drive-auth';
import { driveQuote } from './drive-query';
import { DriveRetention, REPORT_APP_PROPERTIES } from './drive-retention';
import { DEFAULT_RETRY, RetryPolicy, withRetry } from './drive-retry';
import { ResumableUpload } from './resumable-upload';

const CSV_MIME = 'text/csv';
/** Drive wants resumable chunks in multiples of 256 KiB. */
export const DRIVE_CHUNK_UNIT = 256 * 1024;

export interface GoogleDriveSettings {
  keyFile: string;
  /** Reports go into this folder (shared with the service account); none: the account's own root. */
  folderId?: string;
  /** The Drive API's base URL, `https://www.googleapis.com` unless a test points elsewhere. */
  apiUrl: string;
  /** Resumable chunk size; a report larger than one chunk is uploaded resumably, a smaller one in one request. */
  chunkBytes?: number;
  retry?: RetryPolicy;
  /** Files this service uploaded and has not written for this long are deleted by `prune` (default 168 h). */
  retentionMs?: number;
}

/**
 * Reports as Google Drive files that anyone with the link can read. A report name maps to one file in the
 * folder, found again by name, so a new run replaces its content and its link stays the same.
 */
export class GoogleDriveReportStorage implements ReportStorage {
  private readonly auth: DriveAuth;
  private readonly files: drive_v3.Drive;
  private readonly chunkBytes: number;
  private readonly retry: RetryPolicy;
  /** The API's rootUrl must go with every call, or media uploads still go to Google. */
  private readonly callOptions: { rootUrl: string; retry: false };
  private readonly saving = new Map<string, Promise<unknown>>();
  private readonly retention: DriveRetention;

  constructor(private readonly settings: GoogleDriveSettings) {
    this.auth = createDriveAuth(settings.keyFile);
    this.files = drive({ version: 'v3', auth: this.auth });
    this.chunkBytes = settings.chunkBytes ?? 32 * DRIVE_CHUNK_UNIT;
    if (this.chunkBytes <= 0 || this.chunkBytes % DRIVE_CHUNK_UNIT !== 0) {
      throw new Error(`chunkBytes must be a positive multiple of ${DRIVE_CHUNK_UNIT}`);
    }
    this.retry = settings.retry ?? DEFAULT_RETRY;
    this.callOptions = { rootUrl: `${settings.apiUrl}/`, retry: false };
    this.retention = new DriveRetention({
      files: this.files,
      callOptions: this.callOptions,
      retry: this.retry,
      folderId: settings.folderId,
      retentionMs: settings.retentionMs ?? 168 * 3_600_000,
    });
  }

  save(name: string, csv: Readable): Promise<StoredReport> {
    // One save per name at a time in this process, so two requests cannot both create the file.
    const previous = this.saving.get(name) ?? Promise.resolve();
    const current = previous.catch(() => undefined).then(() => this.upload(name, csv));
    this.saving.set(name, current);
    const forget = () => {
      if (this.saving.get(name) === current) this.saving.delete(name);
    };
    current.then(forget, forget);
    return current;
  }

  /** Drive serves the files itself, through their links. */
  async open(): Promise<ReportFile | undefined> {
    return undefined;
  }

  /** Drive answers a deleted file's link itself. */
  wasDeleted(): boolean {
    return false;
  }

  prune(): Promise<PrunedReports> {
    return this.retention.prune();
  }

  private async upload(name: string, csv: Readable): Promise<StoredReport> {
    const chunks = new ChunkReader(csv, this.chunkBytes);
    const first = await chunks.next();
    const existingId = await this.findByName(name);
    let fileId: string;
    if (first.last) {
      fileId = await this.uploadWhole(name, existingId, first.data);
    } else {
      const base = `${this.settings.apiUrl}/upload/drive/v3/files`;
      fileId = await new ResumableUpload(this.auth, this.retry).upload(
        existingId
          ? { url: `${base}/${existingId}`, method: 'PATCH', metadata: this.updatedFileMetadata(), mimeType: CSV_MIME }
          : { url: base, method: 'POST', metadata: this.newFileMetadata(name), mimeType: CSV_MIME },
        first,
        chunks,
      );
    }
    await this.shareWithAnyone(fileId);
    return { url: await this.webViewLink(fileId) };
  }

  /** The oldest file of that name in the folder, if any: the one whose link was handed out first. */
  private async findByName(name: string): Promise<string | undefined> {
    const conditions = [`name = ${driveQuote(name)}`, 'trashed = false'];
    if (this.settings.folderId) conditions.push(`${driveQuote(this.settings.folderId)} in parents`);
    const { data } = await withRetry('files.list', this.retry, () =>
      this.files.files.list(
        {
          q: conditions.join(' and '),
          fields: 'files(id)',
          orderBy: 'createdTime',
          pageSize: 1,
          supportsAllDrives: true,
          includeItemsFromAllDrives: true,
        },
        this.callOptions,
      ),
    );
    return data.files?.[0]?.id ?? undefined;
  }

  /** A report that fits in one chunk goes up in one multipart request, retried whole from memory. */
  private async uploadWhole(name: string, existingId: string | undefined, content: Buffer): Promise<string> {
    const media = () => ({ mimeType: CSV_MIME, body: Readable.from([content]) });
    const { data } = existingId
      ? await withRetry('files.update', this.retry, () =>
          this.files.files.update(
            {
              fileId: existingId,
              requestBody: this.updatedFileMetadata(),
              media: media(),
              fields: 'id',
              supportsAllDrives: true,
            },
            this.callOptions,
          ),
        )
      : await withRetry('files.create', this.retry, () =>
          this.files.files.create(
            { requestBody: this.newFileMetadata(name), media: media(), fields: 'id', supportsAllDrives: true },
            this.callOptions,
          ),
        );
    if (!data.id) throw new ReportStorageError('Google Drive stored the report without a file id');
    return data.id;
  }

  private newFileMetadata(name: string): drive_v3.Schema$File {
    return {
      name,
      ...this.updatedFileMetadata(),
      ...(this.settings.folderId ? { parents: [this.settings.folderId] } : {}),
    };
  }

  /** The mark goes on with every write, so files uploaded before the retention existed get it too. */
  private updatedFileMetadata(): drive_v3.Schema$File {
    return { mimeType: CSV_MIME, appProperties: { ...REPORT_APP_PROPERTIES } };
  }

  /** Idempotent: Drive keeps one `anyone` permission per file. */
  private async shareWithAnyone(fileId: string): Promise<void> {
    await withRetry('permissions.create', this.retry, () =>
      this.files.permissions.create(
        { fileId, requestBody: { type: 'anyone', role: 'reader' }, supportsAllDrives: true, fields: 'id' },
        this.callOptions,
      ),
    );
  }

  private async webViewLink(fileId: string): Promise<string> {
    const { data } = await withRetry('files.get', this.retry, () =>
      this.files.files.get({ fileId, fields: 'webViewLink', supportsAllDrives: true }, this.callOptions),
    );
    if (!data.webViewLink) throw new ReportStorageError('Google Drive gave the report no link');
    return data.webViewLink;
  }
}
