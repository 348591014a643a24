import { Injectable } from '@nestjs/common';
import { Clock } from '../ports/clock';
import { OutcomeCounters } from '../ports/outcome-counters';
import { Registration, UserRegistry } from '../ports/user-registry';

@Injectable()
export class RegisterUsers {
  constructor(
    private readonly registry: UserRegistry,
    private readonly clock: Clock,
    private readonly counters: OutcomeCounters,
  ) {}

  async execute(userIds: number[]): Promise<Registration> {
    const registration = await this.registry.register([...new Set(userIds)], this.clock.now());
    this.counters.autoAssigned('registration', registration.autoAssigned);
    return registration;
  }
}
