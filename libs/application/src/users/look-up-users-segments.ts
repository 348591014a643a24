import { Injectable } from '@nestjs/common';
import { Membership } from '@app/domain';
import { Clock } from '../ports/clock';
import { MembershipRepository } from '../ports/membership-repository';

export interface UserSegments {
  userId: number;
  memberships: Membership[];
}

/**
 * Many users' active segments at once, each exactly as GetUserSegments answers it at the same moment:
 * each distinct id once, in the order of its first appearance. A read: it registers nobody. The reads go
 * go to the repository at once: one statement for the users it does not hold in memory.
 */
@Injectable()
export class LookUpUsersSegments {
  constructor(
    private readonly memberships: MembershipRepository,
    private readonly clock: Clock,
  ) {}

  async execute(userIds: number[]): Promise<UserSegments[]> {
    const now = this.clock.now();
    const distinct = [...new Set(userIds)];
    const answers = await this.memberships.activeOfAll(distinct, now);
    return distinct.map((userId, i) => ({ userId, memberships: answers[i] }));
  }
}
