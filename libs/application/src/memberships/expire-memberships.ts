import { Injectable } from '@nestjs/common';
import { Clock } from '../ports/clock';
import { MembershipRepository } from '../ports/membership-repository';

export const EXPIRY_BATCH_SIZE = 10_000;

@Injectable()
export class ExpireMemberships {
  constructor(
    private readonly memberships: MembershipRepository,
    private readonly clock: Clock,
  ) {}

  /** Ends every membership due now, batch by batch, each batch its own short transaction. */
  async execute(batchSize = EXPIRY_BATCH_SIZE): Promise<number> {
    const now = this.clock.now();
    let expired = 0;
    for (;;) {
      const count = await this.memberships.expireDue(now, batchSize);
      expired += count;
      if (count < batchSize) return expired;
    }
  }
}
