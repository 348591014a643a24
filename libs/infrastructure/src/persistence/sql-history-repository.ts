import { Injectable } from '@nestjs/common';
import { HistoryPage, HistoryQuery, HistoryRepository } from '@app/application';
import { HistoryRow, toHistoryEntry } from './rows';
import { SqlExecutor } from './sql-executor';
import { HISTORY_PAGE } from './sql/ledger.sql';

/** Keyset pages over the ledger's order (sql/ledger.sql.ts); the cursor is the last entry's id. */
@Injectable()
export class SqlHistoryRepository implements HistoryRepository {
  constructor(private readonly sql: SqlExecutor) {}

  async pageOfUser(query: HistoryQuery): Promise<HistoryPage> {
    const rows = await this.sql.rows<HistoryRow & { id: string }>(HISTORY_PAGE, [
      query.userId,
      query.from ?? null,
      query.to ?? null,
      query.after ?? null,
      query.limit + 1,
    ]);
    const page = rows.slice(0, query.limit);
    return {
      items: page.map(toHistoryEntry),
      nextAfter: rows.length > query.limit ? Number(page[page.length - 1].id) : null,
    };
  }
}
