import { join } from 'node:path';
import { ReportStorage } from '@app/application';
import { AppConfig } from '../config/app-config';
import { GoogleDriveReportStorage } from './google-drive/google-drive-report-storage';
import { LocalReportStorage } from './local-report-storage';
import { WorkerChannel } from '../workers/worker-channel';

/** Where the API serves local report files (ReportsController). */
export const LOCAL_REPORT_FILES_PATH = '/api/v1/reports/files';

const HOUR_MS = 3_600_000;

/** REPORT_STORAGE picks the adapter: files under DATA_DIR/reports (default) or Google Drive. */
export function createReportStorage(config: AppConfig, workers?: WorkerChannel): ReportStorage {
  if (config.reportStorage === 'gdrive') {
    return new GoogleDriveReportStorage({
      keyFile: config.googleCredentialsFile!,
      folderId: config.gdriveFolderId,
      apiUrl: config.gdriveApiUrl,
      retentionMs: config.reportRetentionHours * HOUR_MS,
    });
  }
  return new LocalReportStorage(
    join(config.dataDir, 'reports'),
    `${config.publicBaseUrl}${LOCAL_REPORT_FILES_PATH}`,
    { maxAgeMs: config.reportRetentionHours * HOUR_MS, maxFiles: config.reportMaxFiles },
    workers,
  );
}
