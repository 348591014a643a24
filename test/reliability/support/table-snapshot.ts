import { TestApp } from '../../support/test-app';

const TABLES = ['segments', 'users', 'memberships', 'membership_history'] as const;

/** Row count and an md5 of every row (sorted) of each table: equal snapshots mean equal data. */
export async function snapshotTables(t: Pick<TestApp, 'sql'>): Promise<Record<string, string>> {
  const snapshot: Record<string, string> = {};
  for (const table of TABLES) {
    const [row] = await t.sql<{ count: number; checksum: string | null }>(
      `SELECT count(*)::int AS count, md5(coalesce(string_agg(r::text, '|' ORDER BY r::text), '')) AS checksum
       FROM ${table} r`,
    );
    snapshot[table] = `${row.count} rows, md5 ${row.checksum}`;
  }
  return snapshot;
}
