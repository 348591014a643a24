/** The ledger (membership_history): its clock and the user's history pages. */

/**
 * $1 the clock offset (ms). The time to stamp this transaction's history entries with: the database's clock
 * (one clock for every instance), shifted by the service clock's offset (0 in production).
 */
export const LEDGER_TIME = `SELECT ledger_time($1) AS at`;

/**
 * $1 user, $2 from (NULL: the beginning), $3 to (exclusive, NULL: no bound), $4 the id of the last entry of the
 * previous page (NULL: first page), $5 limit. A keyset page over (at, id), the ledger's order, on the
 * (user_id, at, id) index; the cursor's `at` is read back here, so no microseconds are lost in JavaScript.
 */
export const HISTORY_PAGE = `
  SELECT id, user_id, segment, operation, reason, at FROM membership_history
  WHERE user_id = $1 AND ($2::timestamptz IS NULL OR at >= $2) AND ($3::timestamptz IS NULL OR at < $3)
    AND ($4::bigint IS NULL OR (at, id) > (SELECT at, id FROM membership_history WHERE id = $4 AND user_id = $1))
  ORDER BY at, id
  LIMIT $5`;
