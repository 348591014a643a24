import { Pool } from 'pg';
import { AppConfig } from '../config/app-config';
import { DatabaseHangWatch } from '../database/hang-watch';
import { SqlExecutor } from '../database/sql-executor';

/** One streaming replica of the primary (DATABASE_REPLICA_URLS), with pools like the primary's. */
export interface Replica {
  /** host:port (no credentials): how health and metrics name it. */
  readonly name: string;
  /** Reads and lag checks: DATABASE_POOL_SIZE connections, the hot deadline. */
  readonly sql: SqlExecutor;
  /** Reports: REPORT_CONCURRENCY connections with the bulk deadline, as on the primary. */
  readonly reportPool: Pool;
  /** Cuts the replica's long work (reports) when it stops answering, as the primary's watch does. */
  readonly hangWatch: DatabaseHangWatch;
}

function replicaPool(url: string, max: number, statementTimeoutMs: number, config: AppConfig, purpose: string): Pool {
  const pool = new Pool({
    connectionString: url,
    max,
    connectionTimeoutMillis: config.databaseTimeoutMs,
    statement_timeout: statementTimeoutMs,
    idleTimeoutMillis: config.databaseIdleTimeoutMs,
    keepAlive: true,
    application_name: `segmentation-service-${purpose}`,
  });
  // An idle connection the server drops (a replica restarting) emits 'error': unheard, it would end the process.
  pool.on('error', () => undefined);
  return pool;
}

function names(urls: string[]): string[] {
  const hosts = urls.map((url) => new URL(url).host);
  return hosts.map((host, i) =>
    hosts.indexOf(host) === i && hosts.lastIndexOf(host) === i ? host : `${host}#${i + 1}`,
  );
}

/** The replicas' pools; opened lazily by pg (a replica that is down at start-up does not stop the service). */
export class ReplicaPools {
  readonly replicas: Replica[];
  private readonly pools: Pool[] = [];

  constructor(config: AppConfig) {
    const labels = names(config.databaseReplicaUrls);
    this.replicas = config.databaseReplicaUrls.map((url, i) => {
      const reads = replicaPool(url, config.databasePoolSize, config.databaseStatementTimeoutMs, config, 'replica');
      const reports = replicaPool(
        url,
        config.reportConcurrency,
        config.databaseBulkTimeoutMs,
        config,
        'replica-reports',
      );
      this.pools.push(reads, reports);
      const hangWatch = new DatabaseHangWatch(url, config.databaseStatementTimeoutMs);
      return { name: labels[i], sql: new SqlExecutor(reads, config, hangWatch), reportPool: reports, hangWatch };
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.pools.map((pool) => pool.end()));
  }
}
