import { DynamicModule, Module } from '@nestjs/common';
import { Clock } from '@app/application';
import { AppConfig } from './config/app-config';
import { DatabaseModule } from './database/database.module';
import { StorageModule } from './storage/storage.module';
import { SystemClock } from './system-clock';

/** The adapters behind the application's ports: configuration, database, report storage, clock. */
@Module({})
export class InfrastructureModule {
  /** `owner`: what the embedded data directory's lock names as its holder. */
  static forRoot(config: AppConfig, owner = 'the service'): DynamicModule {
    const providers = [
      { provide: AppConfig, useValue: config },
      { provide: Clock, useClass: SystemClock },
    ];
    const database = DatabaseModule.forRoot(config, owner);
    return {
      module: InfrastructureModule,
      global: true,
      imports: [database, StorageModule],
      providers,
      exports: [AppConfig, Clock, database, StorageModule],
    };
  }
}
