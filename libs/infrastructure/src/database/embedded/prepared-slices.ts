/**
 * Embedded mode's bulk changes run as slices, each a transaction that is PREPAREd (two-phase commit), not
 * committed: its rows stay invisible, yet the one PGlite session is free for reads between slices. When all
 * are prepared, they are committed back to back on one connection (nothing else runs in between), so
 * readers see the whole change at once or none of it. Slice `k` of job `j` is named `bulk-slice:j:k`.
 *
 * Order makes a stop at any moment recoverable: slices are committed first to last and rolled back last to
 * first, so slice 1 is gone while others remain only if committing had begun. At the next start (before
 * anything else runs: a prepared transaction keeps its locks, and a statement waiting for one in PGlite's
 * single session waits forever) such a job is committed, any other rolled back.
 */

/** How many prepared slices PGlite can hold (max_prepared_transactions): 256 cost 5 MB more RSS. */
export const MAX_PREPARED_SLICES = 256;

const PREFIX = 'bulk-slice:';

export function sliceName(job: string, index: number): string {
  return `${PREFIX}${job}:${index}`;
}

type Query = (sql: string) => Promise<{ rows: Record<string, unknown>[] }>;

/** Commits the slices of each job whose commit had begun, rolls back the others; answers what it did. */
export async function settleUnfinishedSlices(query: Query): Promise<{ committed: number; rolledBack: number }> {
  const { rows } = await query(`SELECT gid FROM pg_prepared_xacts WHERE gid LIKE '${PREFIX}%'`);
  const jobs = new Map<string, number[]>();
  for (const { gid } of rows) {
    const [job, index] = String(gid).slice(PREFIX.length).split(':');
    jobs.set(job, [...(jobs.get(job) ?? []), Number(index)]);
  }
  const settled = { committed: 0, rolledBack: 0 };
  for (const [job, indexes] of jobs) {
    const committing = !indexes.includes(1);
    const ordered = indexes.sort((a, b) => (committing ? a - b : b - a));
    for (const index of ordered) {
      await query(`${committing ? 'COMMIT' : 'ROLLBACK'} PREPARED '${sliceName(job, index)}'`);
    }
    settled[committing ? 'committed' : 'rolledBack']++;
  }
  return settled;
}
