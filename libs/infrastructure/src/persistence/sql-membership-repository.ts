import { Injectable } from '@nestjs/common';
import { ChangeSetPlan, InvalidInputError, Membership, SegmentNotFoundError } from '@app/domain';
import { Clock, MembershipRepository } from '@app/application';
import { SqlExecutor } from '../database/sql-executor';
import { MembershipReader } from '../reads/membership-reader';
import { WrittenSignal } from '../reads/written-signal';
import { MembershipRow, toMembership } from '../sql/rows';
import { APPLY_CHANGE_SET, EXPIRY_PASSED } from '../sql/change-set.sql';
import { EXPIRE_DUE_BATCH } from '../sql/memberships.sql';

type ChangeSetRow = MembershipRow & { kind: 'member' | 'missing' };

function membershipsAfter(rows: ChangeSetRow[]): Membership[] {
  const missing = rows.filter((row) => row.kind === 'missing').map((row) => row.slug);
  if (missing.length > 0) throw new SegmentNotFoundError([...new Set(missing)].sort());
  return rows.map(toMembership);
}

/** Changes go to the primary and fire the WrittenSignal; reads are the MembershipReader's. */
@Injectable()
export class SqlMembershipRepository implements MembershipRepository {
  constructor(
    private readonly sql: SqlExecutor,
    private readonly clock: Clock,
    private readonly reader: MembershipReader,
    private readonly signal: WrittenSignal,
  ) {}

  async applyChanges(userId: number, plan: ChangeSetPlan): Promise<Membership[]> {
    try {
      const rows = await this.sql.statement<ChangeSetRow>(APPLY_CHANGE_SET, [
        userId,
        plan.add.map((item) => item.slug),
        plan.add.map((item) => item.expiresAt),
        plan.remove,
        this.clock.offsetMs(),
      ]);
      return membershipsAfter(rows);
    } catch (error) {
      const { code, detail } = error as { code?: string; detail?: string };
      if (code !== EXPIRY_PASSED) throw error;
      // The plan keeps the order of `add` (a slug listed twice never gets here): its index is the item's.
      const slugs = plan.add.map((item) => item.slug);
      throw new InvalidInputError(
        detail!.split(',').map((slug) => ({
          field: `add[${slugs.indexOf(slug)}]`,
          messages: [`the expiry of ${slug} passed before the change could take effect`],
        })),
      );
    } finally {
      // Also after a failure: the change may have committed before the connection broke.
      await this.signal.written([userId]);
    }
  }

  activeOf(userId: number, now: Date): Promise<Membership[]> {
    return this.reader.activeOf(userId, now);
  }

  activeOfAll(userIds: number[], now: Date): Promise<Membership[][]> {
    return this.reader.activeOfAll(userIds, now);
  }

  async expireDue(batchSize: number): Promise<number> {
    const [{ count }] = await this.sql.rows<{ count: number }>(EXPIRE_DUE_BATCH, [this.clock.offsetMs(), batchSize]);
    // The sweep runs by the ledger's clock, which may be ahead of the read path's.
    if (count !== 0) await this.signal.written('everyone');
    return count;
  }
}
