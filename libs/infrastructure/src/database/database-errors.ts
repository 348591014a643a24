const UNAVAILABLE_NODE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
]);
const UNAVAILABLE_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error',
  'Connection is not established',
  'Cannot use a pool after calling end',
  'the database system is',
  // pg's client-side deadline (query_timeout): the server did not answer at all.
  'Query read timeout',
];

/** SQLSTATEs of a statement stopped by its deadline: statement_timeout (57014), lock_timeout (55P03). */
const DEADLINE_CODES = new Set(['57014', '55P03']);

/** True when the error says the database cannot be reached, as opposed to a bad query. */
export function isDatabaseUnavailable(error: unknown): boolean {
  // Not `instanceof Error`: Node's own socket errors (ECONNREFUSED) come from another realm under a VM
  // sandbox such as jest's, and would not be recognised.
  if (typeof error !== 'object' || error === null || typeof (error as Error).message !== 'string') return false;
  if (['DatabaseBusyError', 'DatabaseHangsError'].includes((error as Error).name)) return true;
  const { code } = error as { code?: unknown };
  if (typeof code === 'string') {
    if (UNAVAILABLE_NODE_CODES.has(code) || DEADLINE_CODES.has(code)) return true;
    // SQLSTATE classes 08 (connection exception) and 57P (operator intervention: shutdown, crash).
    if (code.startsWith('08') || code.startsWith('57P') || code === '53300') return true;
  }
  const cause =
    (error as { driverError?: unknown; cause?: unknown }).driverError ?? (error as { cause?: unknown }).cause;
  if (cause && cause !== error && isDatabaseUnavailable(cause)) return true;
  return UNAVAILABLE_MESSAGES.some((text) => (error as Error).message.includes(text));
}

/**
 * True when a write failed for want of disk space: PostgreSQL's disk_full (53100, what embedded PGlite
 * reports for a full data directory) or the file system's ENOSPC, on the error or its cause.
 */
export function isDiskFull(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code } = error as { code?: unknown };
  if (code === '53100' || code === 'ENOSPC') return true;
  const cause =
    (error as { driverError?: unknown; cause?: unknown }).driverError ?? (error as { cause?: unknown }).cause;
  return cause !== undefined && cause !== error && isDiskFull(cause);
}

/** The service sheds this request instead of queueing it behind too many others for the database. */
export class DatabaseBusyError extends Error {
  override readonly name = 'DatabaseBusyError';
}
