/** The CSV history report (contract: `user_id;segment;operation;YYYY-MM-DD HH:MM:SS` in UTC). */
import { escapeLiteral } from 'pg';
import { HistoryReportFilter } from '@app/application';

/**
 * One CSV line per entry, built by PostgreSQL, in the ledger's order. COPY cannot take bind parameters,
 * so values are inlined: dates as ISO text, the user id as a checked integer, labels escaped. No part can
 * hold a tab, a backslash or a line break (slugs cannot), so COPY's text format writes the line unchanged.
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
