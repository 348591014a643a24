import { Injectable } from '@nestjs/common';
import { HistoryEntry } from '@app/domain';
import { HistoryRepository } from '@app/application';
import { HistoryRow, toHistoryEntry } from './rows';
import { SqlExecutor } from './sql-executor';

@Injectable()
export class SqlHistoryRepository implements HistoryRepository {
  constructor(private readonly sql: SqlExecutor) {}

  async ofUser(userId: number, from: Date | undefined, to: Date | undefined): Promise<HistoryEntry[]> {
    const rows = await this.sql.rows<HistoryRow>(
      `SELECT user_id, segment, operation, reason, at FROM membership_history
       WHERE user_id = $1 AND ($2::timestamptz IS NULL OR at >= $2) AND ($3::timestamptz IS NULL OR at < $3)
       ORDER BY at, id`,
      [userId, from ?? null, to ?? null],
    );
    return rows.map(toHistoryEntry);
  }
}
