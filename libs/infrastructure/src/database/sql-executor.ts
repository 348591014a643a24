import { Inject, Injectable } from '@nestjs/common';
import { Pool, PoolClient, QueryConfig } from 'pg';
import { AppConfig } from '../config/app-config';
import { DATABASE_POOL } from './database-pool.provider';
import { DatabaseBusyError } from './database-errors';
import { checkpointWhenWalGrown } from './embedded/embedded-wal';
import { DatabaseHangWatch } from './hang-watch';
import { currentWorkKind, WorkKind } from './work-kind';
import { BulkAnswer, BulkSlices, inOneTransaction, inPreparedSlices } from './bulk-slices';
import { SqlRunner, SqlText } from '../sql/sql-runner';
import { WriteGate } from './write-gate';

export { prepared, type PreparedStatement, type SqlRunner, type SqlText } from '../sql/sql-runner';

/**
 * The client's own deadline, a little after the server's statement_timeout: it ends the wait when the
 * server cannot answer at all (frozen, or the network is), and the pool then drops that connection.
 */
const CLIENT_DEADLINE_MARGIN_MS = 1_000;

/** pg honours query_timeout per query; its type declarations only know it per client. */
type TimedQueryConfig = QueryConfig & { query_timeout: number };

function queryConfig(sql: SqlText, values: unknown[], deadlineMs: number): TimedQueryConfig {
  const query_timeout = deadlineMs + CLIENT_DEADLINE_MARGIN_MS;
  return typeof sql === 'string'
    ? { text: sql, values, query_timeout }
    : { name: sql.name, text: sql.text, values, query_timeout };
}

const clientTimedOut = (error: unknown) => (error as Error | undefined)?.message === 'Query read timeout';

const RETRYABLE_CODES = new Set(['40P01', '40001']);
const MAX_ATTEMPTS = 4;

/**
 * Hand-written SQL over the pg pool that TypeORM opened (DATABASE_POOL). The hot paths skip TypeORM's query
 * runner: one pool checkout per statement or transaction, nothing else.
 *
 * Every statement has a deadline for its kind of work (work-kind.ts): connections start with the hot
 * one (statement_timeout, data-source.ts); bulk work raises it for its own transaction. A request finding
 * DATABASE_MAX_WAITING others already waiting for a connection is shed at once (DatabaseBusyError, a 503).
 */
@Injectable()
export class SqlExecutor implements SqlRunner {
  private readonly deadlines: Record<WorkKind, number>;
  private readonly maxWaiting: number;
  /** Embedded PGlite: one session, where a bulk change must leave it free for reads (bulk-slices.ts). */
  private readonly embedded: boolean;
  private readonly writes = new WriteGate();

  constructor(
    @Inject(DATABASE_POOL) private readonly pool: Pool,
    config: AppConfig,
    private readonly hangWatch: DatabaseHangWatch,
  ) {
    this.deadlines = { hot: config.databaseStatementTimeoutMs, bulk: config.databaseBulkTimeoutMs };
    this.maxWaiting = config.databaseMaxWaiting;
    this.embedded = config.databaseUrl === undefined;
  }

  /** How many connections the pool opens at most. */
  get maxConnections(): number {
    return this.pool.options.max ?? 10;
  }

  /** A read, or a write that commutes with every other (the change log's cleaner); bulk statements are writes. */
  async rows<T>(sql: SqlText, params: unknown[] = []): Promise<T[]> {
    if (currentWorkKind() === 'bulk') return this.writes.shared(() => this.unguardedRows(sql, params));
    return this.unguardedRows(sql, params);
  }

  private async unguardedRows<T>(sql: SqlText, params: unknown[]): Promise<T[]> {
    // A bulk statement needs its own transaction to raise statement_timeout for itself only.
    if (currentWorkKind() === 'bulk') return this.transactionOnce((tx) => tx.rows<T>(sql, params));
    this.admit();
    return (await this.pool.query(queryConfig(sql, params, this.deadlines.hot))).rows as T[];
  }

  /**
   * One statement that is its own transaction (no BEGIN/COMMIT round trips), retried on deadlock or
   * serialization failure like `transaction`.
   */
  statement<T>(sql: SqlText, params: unknown[] = []): Promise<T[]> {
    return this.writes.shared(() => this.retrying(() => this.unguardedRows<T>(sql, params)));
  }

  /** Runs `work` in one transaction, retrying it whole on deadlock or serialization failure. */
  transaction<T>(work: (tx: SqlRunner) => Promise<T>): Promise<T> {
    return this.writes.shared(() => this.retrying(() => this.transactionOnce(work)));
  }

  /**
   * A change over all users, all or nothing to readers. On PostgreSQL one transaction; in embedded mode
   * prepared slices, between which reads run, and no other write until it ends (a write meeting a slice's
   * locks would wait for ever in PGlite's one session).
   */
  inSlices<T>(work: (slices: BulkSlices) => Promise<BulkAnswer<T>>): Promise<T> {
    if (!this.embedded) return this.transaction(async (tx) => (await work(inOneTransaction(tx)))(tx));
    return this.writes.exclusive(() =>
      inPreparedSlices(
        {
          prepare: (name, part) => this.transactionOnce(part, `PREPARE TRANSACTION '${name}'`),
          alone: (part) => this.alone(part),
        },
        work,
      ),
    );
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

  private admit(): void {
    if (this.pool.waitingCount >= this.maxWaiting) {
      throw new DatabaseBusyError(`${this.pool.waitingCount} requests already wait for a database connection`);
    }
  }

  /** Runs `work`'s statements on one connection, each its own transaction (COMMIT PREPARED must be). */
  private async alone<T>(work: (run: SqlRunner) => Promise<T>): Promise<T> {
    const deadline = this.deadlines[currentWorkKind()];
    const client: PoolClient = await this.pool.connect();
    let broken: Error | undefined;
    const onConnectionError = (error: Error) => (broken = error);
    client.on('error', onConnectionError);
    try {
      return await work({
        rows: async <R>(sql: SqlText, params: unknown[] = []) =>
          (await client.query(queryConfig(sql, params, deadline))).rows as R[],
      });
    } catch (error) {
      if (clientTimedOut(error)) broken = error as Error;
      throw error;
    } finally {
      client.removeListener('error', onConnectionError);
      client.release(broken);
    }
  }

  private async transactionOnce<T>(work: (tx: SqlRunner) => Promise<T>, end = 'COMMIT'): Promise<T> {
    this.admit();
    const kind = currentWorkKind();
    const deadline = this.deadlines[kind];
    const client: PoolClient = await this.pool.connect();
    let broken: Error | undefined;
    // The pool stops listening to a client it lends out. If the server ends the connection between two
    // statements (a restart, a failover), the client emits 'error': unheard, that kills the process.
    const onConnectionError = (error: Error) => (broken = error);
    client.on('error', onConnectionError);
    const run = async <R>(sql: SqlText, params: unknown[] = []) =>
      (await client.query(queryConfig(sql, params, deadline))).rows as R[];
    const inTransaction = async () => {
      await run('BEGIN');
      if (kind !== 'hot') await run(`SET LOCAL statement_timeout = ${deadline}`);
      const result = await work({ rows: run });
      await run(end);
      return result;
    };
    try {
      // Hot work's own deadline is seconds; bulk work's is minutes, so a hanging server is watched for.
      if (kind === 'hot') return await inTransaction();
      const result = await this.hangWatch.during(client, inTransaction);
      if (this.embedded) {
        // Committed already: a checkpoint that fails only drops this connection; the next bulk work tries again.
        await checkpointWhenWalGrown(run, deadline).catch((error: Error) => (broken = error));
      }
      return result;
    } catch (error) {
      // A server that did not answer in time will not answer a ROLLBACK either: drop the connection.
      // So is one whose connection broke (or the hang watch cut).
      if (clientTimedOut(error)) broken = error as Error;
      else if (!broken) {
        try {
          await run('ROLLBACK');
        } catch (rollbackError) {
          broken = rollbackError as Error;
        }
      }
      throw error;
    } finally {
      client.removeListener('error', onConnectionError);
      client.release(broken);
    }
  }
}
