import { Injectable } from '@nestjs/common';
import { ChangeSetInput, Membership, planChangeSet } from '@app/domain';
import { Clock } from '../ports/clock';
import { MembershipRepository } from '../ports/membership-repository';

@Injectable()
export class ApplyUserSegmentChanges {
  constructor(
    private readonly memberships: MembershipRepository,
    private readonly clock: Clock,
  ) {}

  async execute(userId: number, changeSet: ChangeSetInput): Promise<Membership[]> {
    return this.memberships.applyChanges(userId, planChangeSet(changeSet, this.clock.now()));
  }
}
