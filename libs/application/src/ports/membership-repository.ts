import { ChangeSetPlan, Membership } from '@app/domain';

export abstract class MembershipRepository {
  /**
   * Applies the whole plan in one transaction, making the user known first, and returns the user's
   * active memberships after it. Every history entry is stamped when the change takes effect, once the
   * transaction holds the rows it changes. Throws, changing nothing, SegmentNotFoundError when a slug
   * names no segment, InvalidInputError when an expiry of the plan passed before the change took effect.
   */
  abstract applyChanges(userId: number, plan: ChangeSetPlan): Promise<Membership[]>;
  /** The user's memberships that have not expired at `now`, ordered by slug. */
  abstract activeOf(userId: number, now: Date): Promise<Membership[]>;
  /** activeOf for each of `userIds` (distinct), in their order, in as few database round trips as it can. */
  abstract activeOfAll(userIds: number[], now: Date): Promise<Membership[][]>;
  /** Ends up to `batchSize` memberships expired by now, recording each at its expiry. Returns how many. */
  abstract expireDue(batchSize: number): Promise<number>;
}
