import { Injectable } from '@nestjs/common';
import { Membership } from '@app/domain';
import { Clock } from '../ports/clock';
import { MembershipRepository } from '../ports/membership-repository';

@Injectable()
export class GetUserSegments {
  constructor(
    private readonly memberships: MembershipRepository,
    private readonly clock: Clock,
  ) {}

  execute(userId: number): Promise<Membership[]> {
    return this.memberships.activeOf(userId, this.clock.now());
  }
}
