import { Module } from '@nestjs/common';
import { ExpireMemberships, NO_COUNTERS, OutcomeCounters, RegisterUsers } from '@app/application';
import { InfrastructureModule } from '@app/infrastructure';

/** What the command-line tool needs: the database and the use cases it drives. */
@Module({
  imports: [InfrastructureModule],
  // The CLI has no metrics endpoint: it counts nothing.
  providers: [RegisterUsers, ExpireMemberships, { provide: OutcomeCounters, useValue: NO_COUNTERS }],
})
export class CliModule {}
