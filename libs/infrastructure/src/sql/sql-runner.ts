/** What runs a statement: the executor, or one transaction of it. */

/**
 * A statement that each pooled connection parses and plans once, then only binds and executes (a
 * PostgreSQL named prepared statement). For the hot paths, whose text is fixed: about 2.5x the rate
 * of an unnamed statement for the user's segments lookup (docs/performance.md).
 */
export interface PreparedStatement {
  readonly name: string;
  readonly text: string;
}

const preparedNames = new Set<string>();

/** Declares a prepared statement; its name must be unique in the process (connections key them by name). */
export function prepared(name: string, text: string): PreparedStatement {
  if (preparedNames.has(name)) throw new Error(`prepared statement ${name} is declared twice`);
  preparedNames.add(name);
  return { name, text };
}

export type SqlText = string | PreparedStatement;

export interface SqlRunner {
  rows<T>(sql: SqlText, params?: unknown[]): Promise<T[]>;
}
