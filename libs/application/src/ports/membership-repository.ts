import { ChangeSetPlan, Membership } from '@app/domain';

export abstract class MembershipRepository {
  /**
   * Applies the whole plan in one transaction, making the user known first, and returns the user's
   * active memberships after it. Throws SegmentNotFoundError, changing nothing, when a slug names no
   * segment (checked under the same locks that apply the change).
   */
  abstract applyChanges(userId: number, plan: ChangeSetPlan, now: Date): Promise<Membership[]>;
  /** The user's memberships that have not expired at `now`, ordered by slug. */
  abstract activeOf(userId: number, now: Date): Promise<Membership[]>;
  /** Ends up to `batchSize` memberships expired at `now`, recording each at its expiry. Returns how many. */
  abstract expireDue(now: Date, batchSize: number): Promise<number>;
}
