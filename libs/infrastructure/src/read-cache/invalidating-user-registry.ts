import { Registration, UserRegistry } from '@app/application';
import { ReadCache } from './read-cache';

/** The registry, invalidating the registered users in this instance's ReadCache (they may join auto segments). */
export class InvalidatingUserRegistry extends UserRegistry {
  constructor(
    private readonly database: UserRegistry,
    private readonly cache: ReadCache,
  ) {
    super();
  }

  async register(userIds: number[], now: Date): Promise<Registration> {
    try {
      return await this.database.register(userIds, now);
    } finally {
      this.cache.invalidate(userIds);
    }
  }
}
