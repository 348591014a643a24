import { Global, Module } from '@nestjs/common';
import { Clock } from '@app/application';
import { DatabaseModule } from './database.module';
import { StorageModule } from './storage/storage.module';
import { SystemClock } from './system-clock';

/** The adapters behind the application's ports: database, report storage, clock (AppConfig: `configured`). */
@Global()
@Module({
  imports: [DatabaseModule, StorageModule],
  providers: [{ provide: Clock, useClass: SystemClock }],
  exports: [Clock, DatabaseModule, StorageModule],
})
export class InfrastructureModule {}
