import { Readable } from 'node:stream';
import { Injectable } from '@nestjs/common';
import { escapeLiteral, Pool } from 'pg';
import { HistoryReportFilter, HistoryReportSource, StreamedReport } from '@app/application';
import { Database } from '../database/database';
import { pgCopyOut } from './pg-copy-out';
import { pgCursorOut } from './pg-cursor-out';

/**
 * One CSV line per entry, built by PostgreSQL. COPY cannot take bind parameters, so values are inlined:
 * dates as ISO text, the user id as a checked integer, labels escaped. No part can hold a tab, a backslash
 * or a line break (slugs cannot), so COPY's text format writes the line unchanged.
 */
export function historyReportSelect(filter: HistoryReportFilter): string {
  if (filter.userId !== null && !Number.isSafeInteger(filter.userId)) throw new Error(`bad user id ${filter.userId}`);
  return `SELECT concat_ws(';', user_id, segment,
      CASE operation WHEN 'added' THEN ${escapeLiteral(filter.labels.added)} ELSE ${escapeLiteral(filter.labels.removed)} END,
      to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'))
    FROM membership_history
    WHERE at >= ${escapeLiteral(filter.from.toISOString())}::timestamptz
      AND at < ${escapeLiteral(filter.to.toISOString())}::timestamptz
      ${filter.userId === null ? '' : `AND user_id = ${filter.userId}`}
    ORDER BY at, user_id, segment, id`;
}

@Injectable()
export class SqlHistoryReportSource implements HistoryReportSource {
  private readonly pool: Pool;

  constructor(private readonly database: Database) {
    this.pool = (database.dataSource.driver as unknown as { master: Pool }).master;
  }

  streamCsv<T>(filter: HistoryReportFilter, consume: (csv: Readable) => Promise<T>): Promise<StreamedReport<T>> {
    const stream = this.database.embedded ? pgCursorOut : pgCopyOut;
    return stream(this.pool, historyReportSelect(filter), consume);
  }
}
