import { DynamicModule, Module } from '@nestjs/common';
import { ExpireMemberships, RegisterUsers } from '@app/application';
import { AppConfig, PersistenceModule } from '@app/infrastructure';

/** What the command-line tool needs: the database and the use cases it drives. */
@Module({})
export class CliModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: CliModule,
      imports: [PersistenceModule.forRoot(config)],
      providers: [RegisterUsers, ExpireMemberships],
    };
  }
}
