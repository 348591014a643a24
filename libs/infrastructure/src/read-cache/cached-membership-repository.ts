import { ChangeSetPlan, Membership } from '@app/domain';
import { MembershipRepository } from '@app/application';
import { ReadCache } from './read-cache';

/**
 * The membership port with reads answered from this instance's ReadCache when it can. Writes go to
 * the database and invalidate here at once (before the caller hears back); other instances hear of
 * them through the database's change log (ChangeLogPoller).
 */
export class CachedMembershipRepository extends MembershipRepository {
  constructor(
    private readonly database: MembershipRepository,
    private readonly cache: ReadCache,
  ) {
    super();
  }

  async activeOf(userId: number, now: Date): Promise<Membership[]> {
    const cached = this.cache.get(userId, now);
    if (cached) return cached;
    const fill = this.cache.startFill(userId);
    try {
      const memberships = await this.database.activeOf(userId, now);
      this.cache.keep(fill, memberships, now);
      return memberships;
    } catch (error) {
      this.cache.abandon(fill);
      throw error;
    }
  }

  /** The users the cache holds from it; the others in one read, each kept as activeOf keeps it. */
  async activeOfAll(userIds: number[], now: Date): Promise<Membership[][]> {
    const answers = userIds.map((userId) => this.cache.get(userId, now));
    const missing = userIds.filter((_, i) => answers[i] === undefined);
    if (missing.length === 0) return answers as Membership[][];
    const fills = missing.map((userId) => this.cache.startFill(userId));
    try {
      const read = await this.database.activeOfAll(missing, now);
      fills.forEach((fill, i) => this.cache.keep(fill, read[i], now));
      let next = 0;
      return answers.map((answer) => answer ?? read[next++]);
    } catch (error) {
      fills.forEach((fill) => this.cache.abandon(fill));
      throw error;
    }
  }

  async applyChanges(userId: number, plan: ChangeSetPlan): Promise<Membership[]> {
    try {
      return await this.database.applyChanges(userId, plan);
    } finally {
      // Also after a failure: the change may have committed before the connection broke.
      this.cache.invalidate([userId]);
    }
  }

  async expireDue(batchSize: number): Promise<number> {
    let ended = 0;
    try {
      ended = await this.database.expireDue(batchSize);
      return ended;
    } finally {
      // The sweep runs by the ledger's clock, which may be ahead of the read path's.
      if (ended !== 0) this.cache.invalidateAll();
    }
  }
}
