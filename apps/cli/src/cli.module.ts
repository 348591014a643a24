import { DynamicModule, Module } from '@nestjs/common';
import { ExpireMemberships, NO_COUNTERS, OutcomeCounters, RegisterUsers } from '@app/application';
import { AppConfig, InfrastructureModule } from '@app/infrastructure';

/** What the command-line tool needs: the database and the use cases it drives. */
@Module({})
export class CliModule {
  /** `owner`: what the embedded data directory's lock names as its holder while the command runs. */
  static forRoot(config: AppConfig, owner: string): DynamicModule {
    return {
      module: CliModule,
      imports: [InfrastructureModule.forRoot(config, owner)],
      // The CLI has no metrics endpoint: it counts nothing.
      providers: [RegisterUsers, ExpireMemberships, { provide: OutcomeCounters, useValue: NO_COUNTERS }],
    };
  }
}
