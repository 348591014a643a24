import { Injectable } from '@nestjs/common';
import { Clock, Registration, UserRegistry } from '@app/application';
import { WrittenSignal } from '../reads/written-signal';
import { ledgerTime } from './ledger-time';
import { SqlExecutor } from '../database/sql-executor';
import { JOIN_USERS_TO_AUTO_SEGMENTS, LOCK_AUTO_ASSIGNMENT_SHARED } from '../sql/auto-assignment.sql';
import { REGISTER_USERS } from '../sql/users.sql';

@Injectable()
export class SqlUserRegistry implements UserRegistry {
  constructor(
    private readonly sql: SqlExecutor,
    private readonly clock: Clock,
    private readonly signal: WrittenSignal,
  ) {}

  async register(userIds: number[], now: Date): Promise<Registration> {
    try {
      return await this.sql.transaction(async (tx) => {
        const created = await tx.rows<{ user_id: string }>(REGISTER_USERS, [userIds, now]);
        if (created.length === 0) return { registered: 0, autoAssigned: 0 };
        await tx.rows(LOCK_AUTO_ASSIGNMENT_SHARED);
        const [{ count }] = await tx.rows<{ count: number }>(JOIN_USERS_TO_AUTO_SEGMENTS, [
          created.map((row) => row.user_id),
          await ledgerTime(tx, this.clock),
        ]);
        return { registered: created.length, autoAssigned: count };
      });
    } finally {
      // New users joined auto segments (failed or not: it may have committed): later reads must see it.
      await this.signal.written('everyone');
    }
  }
}
