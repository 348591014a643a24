import { Injectable } from '@nestjs/common';
import { HistoryPage, HistoryQuery, HistoryRepository } from '@app/application';
import { ReadRouter } from '../reads/read-router';
import { HistoryRow, toHistoryEntry } from '../sql/rows';
import { SqlRunner } from '../database/sql-executor';
import { HISTORY_PAGE } from '../sql/ledger.sql';

/** Keyset pages over the ledger's order (sql/ledger.sql.ts); the cursor is the last entry's id. */
@Injectable()
export class SqlHistoryRepository implements HistoryRepository {
  constructor(private readonly router: ReadRouter) {}

  pageOfUser(query: HistoryQuery): Promise<HistoryPage> {
    return this.router.read(this.router.forUser(query.userId), (sql) => this.pageIn(sql, query));
  }

  private async pageIn(sql: SqlRunner, query: HistoryQuery): Promise<HistoryPage> {
    const rows = await sql.rows<HistoryRow & { id: string }>(HISTORY_PAGE, [
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
