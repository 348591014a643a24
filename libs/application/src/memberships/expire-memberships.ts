import { Injectable } from '@nestjs/common';
import { MembershipRepository } from '../ports/membership-repository';

export const EXPIRY_BATCH_SIZE = 10_000;

@Injectable()
export class ExpireMemberships {
  constructor(private readonly memberships: MembershipRepository) {}

  /** Ends every membership due now, batch by batch, each batch its own short transaction. */
  async execute(batchSize = EXPIRY_BATCH_SIZE): Promise<number> {
    let expired = 0;
    for (;;) {
      const count = await this.memberships.expireDue(batchSize);
      expired += count;
      if (count < batchSize) return expired;
    }
  }
}
