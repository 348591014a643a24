import { Injectable } from '@nestjs/common';
import { HistoryPage, HistoryQuery, HistoryRepository } from '@app/application';
import { ReadRouter } from '../replicas/read-router';
import { HistoryRow, toHistoryEntry } from './rows';
import { SqlRunner } from './sql-executor';

/**
 * Keyset pages over (at, id), the ledger's order, on the (user_id, at, id) index. The cursor is the last
 * entry's id; its `at` is read back in SQL, so no microseconds are lost on the way through JavaScript.
 */
@Injectable()
export class SqlHistoryRepository implements HistoryRepository {
  constructor(private readonly router: ReadRouter) {}

  pageOfUser(query: HistoryQuery): Promise<HistoryPage> {
    return this.router.read(this.router.forUser(query.userId), (sql) => this.pageIn(sql, query));
  }

  private async pageIn(sql: SqlRunner, query: HistoryQuery): Promise<HistoryPage> {
    const rows = await sql.rows<HistoryRow & { id: string }>(
      `SELECT id, user_id, segment, operation, reason, at FROM membership_history
       WHERE user_id = $1 AND ($2::timestamptz IS NULL OR at >= $2) AND ($3::timestamptz IS NULL OR at < $3)
         AND ($4::bigint IS NULL OR (at, id) > (SELECT at, id FROM membership_history WHERE id = $4 AND user_id = $1))
       ORDER BY at, id
       LIMIT $5`,
      [query.userId, query.from ?? null, query.to ?? null, query.after ?? null, query.limit + 1],
    );
    const page = rows.slice(0, query.limit);
    return {
      items: page.map(toHistoryEntry),
      nextAfter: rows.length > query.limit ? Number(page[page.length - 1].id) : null,
    };
  }
}
