import { Injectable } from '@nestjs/common';
import { Clock } from '../ports/clock';
import { Registration, UserRegistry } from '../ports/user-registry';

@Injectable()
export class RegisterUsers {
  constructor(
    private readonly registry: UserRegistry,
    private readonly clock: Clock,
  ) {}

  execute(userIds: number[]): Promise<Registration> {
    return this.registry.register([...new Set(userIds)], this.clock.now());
  }
}
