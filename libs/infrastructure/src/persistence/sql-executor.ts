import { Injectable } from '@nestjs/common';
import { Pool, PoolClient, QueryConfig } from 'pg';
import { DataSource } from 'typeorm';

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

function queryConfig(sql: SqlText, values: unknown[]): QueryConfig {
  return typeof sql === 'string' ? { text: sql, values } : { name: sql.name, text: sql.text, values };
}

const RETRYABLE_CODES = new Set(['40P01', '40001']);
const MAX_ATTEMPTS = 4;

/**
 * Hand-written SQL over the pg pool that TypeORM opened. The hot paths skip TypeORM's query
 * runner: one pool checkout per statement or transaction, nothing else.
 */
@Injectable()
export class SqlExecutor implements SqlRunner {
  private readonly pool: Pool;

  constructor(dataSource: DataSource) {
    this.pool = (dataSource.driver as unknown as { master: Pool }).master;
  }

  /** How many connections the pool opens at most. */
  get maxConnections(): number {
    return this.pool.options.max ?? 10;
  }

  async rows<T>(sql: SqlText, params: unknown[] = []): Promise<T[]> {
    return (await this.pool.query(queryConfig(sql, params))).rows as T[];
  }

  /**
   * One statement that is its own transaction (no BEGIN/COMMIT round trips), retried on deadlock or
   * serialization failure like `transaction`.
   */
  statement<T>(sql: SqlText, params: unknown[] = []): Promise<T[]> {
    return this.retrying(() => this.rows<T>(sql, params));
  }

  /** Runs `work` in one transaction, retrying it whole on deadlock or serialization failure. */
  transaction<T>(work: (tx: SqlRunner) => Promise<T>): Promise<T> {
    return this.retrying(() => this.transactionOnce(work));
  }

  private async retrying<T>(attemptOnce: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await attemptOnce();
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (attempt >= MAX_ATTEMPTS || !code || !RETRYABLE_CODES.has(code)) throw error;
      }
    }
  }

  private async transactionOnce<T>(work: (tx: SqlRunner) => Promise<T>): Promise<T> {
    const client: PoolClient = await this.pool.connect();
    let broken: Error | undefined;
    // The pool stops listening to a client it lends out. If the server ends the connection between two
    // statements (a restart, a failover), the client emits 'error': unheard, that kills the process.
    const onConnectionError = (error: Error) => (broken = error);
    client.on('error', onConnectionError);
    try {
      await client.query('BEGIN');
      const result = await work({
        rows: async <R>(sql: SqlText, params: unknown[] = []) => (await client.query(queryConfig(sql, params))).rows as R[],
      });
      await client.query('COMMIT');
      return result;
    } catch (error) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackError) {
        broken = rollbackError as Error;
      }
      throw error;
    } finally {
      client.removeListener('error', onConnectionError);
      client.release(broken);
    }
  }
}
