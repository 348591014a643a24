import { Module } from '@nestjs/common';
import { ReportStorage } from '@app/application';
import { AppConfig } from '../config/app-config';
import { WorkerChannel } from '../workers/worker-channel';
import { createReportStorage } from './report-storage.factory';

/** Where report files go: the local directory or Google Drive (REPORT_STORAGE). */
@Module({
  providers: [{ provide: ReportStorage, useFactory: createReportStorage, inject: [AppConfig, WorkerChannel] }],
  exports: [ReportStorage],
})
export class StorageModule {}
