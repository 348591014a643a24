import { Client } from 'pg';
import { OwnCluster, ownClusterUnavailable, startOwnCluster } from '../reliability/support/own-postgres-cluster';
import { isPostgres } from './test-database';

/** A private primary and its streaming replica (pg_basebackup -R), each on its own port and data directory. */
export interface ReplicatedCluster {
  primary: OwnCluster;
  replica: OwnCluster;
  /** How the service names the replica (host:port). */
  replicaName: string;
  /** Runs one statement on the primary's or the replica's database `database`. */
  sql<T = Record<string, unknown>>(
    on: 'primary' | 'replica',
    database: string,
    text: string,
    params?: unknown[],
  ): Promise<T[]>;
  /** Stops both servers (pg_ctl -m immediate signals each one's postmaster pid) and removes their directories. */
  destroy(): void;
}

/**
 * `describe` for suites that need a replica: they run once, in the PostgreSQL project, and fail saying
 * why where the server binaries (initdb, pg_basebackup) are missing.
 */
export function describeWithReplica(suite: string): jest.Describe {
  if (!isPostgres()) {
    process.stderr.write(`${suite}: runs its own PostgreSQL primary and replica, once, in the PostgreSQL project\n`);
    return describe.skip;
  }
  const missing = ownClusterUnavailable();
  if (!missing) return describe;
  // Never a silent skip: these suites are the only ones that catch a broken lag guard.
  throw new Error(
    `${suite}: no PostgreSQL primary and replica can be made here (${missing}); scripts/ensure-test-tools.sh installs them`,
  );
}

export async function startReplicatedCluster(): Promise<ReplicatedCluster> {
  const primary = await startOwnCluster();
  let replica: OwnCluster;
  try {
    replica = await startOwnCluster({ replicaOf: primary });
  } catch (error) {
    primary.destroy();
    throw error;
  }
  return {
    primary,
    replica,
    replicaName: `127.0.0.1:${replica.port}`,
    async sql<T>(on: 'primary' | 'replica', database: string, text: string, params: unknown[] = []) {
      const client = new Client({ connectionString: (on === 'primary' ? primary : replica).url(database) });
      await client.connect();
      try {
        return (await client.query(text, params)).rows as T[];
      } finally {
        await client.end();
      }
    },
    destroy() {
      replica.destroy();
      primary.destroy();
    },
  };
}
