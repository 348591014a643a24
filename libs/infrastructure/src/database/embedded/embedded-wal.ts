/**
 * Embedded PGlite runs PostgreSQL single-user: it has no checkpointer, so WAL is never recycled while
 * it runs, whatever max_wal_size says: 200,000 users registered left 177 MB of pg_wal beside 95 MB of
 * data (docs/performance.md). Bulk work therefore ends with a CHECKPOINT once enough WAL has been
 * written since the last one; these settings then keep only two segments for reuse.
 */
export const EMBEDDED_WAL_SETTINGS = ['min_wal_size=32MB', 'max_wal_size=32MB'];

/** One WAL segment: more written since the last checkpoint is worth a checkpoint. */
const CHECKPOINT_AFTER_BYTES = 16 * 1024 * 1024;

/**
 * Checkpoints when WAL written since the last checkpoint exceeds CHECKPOINT_AFTER_BYTES. In a transaction
 * of its own, so that it gets the bulk deadline (`deadlineMs`) and not the connection's.
 */
export async function checkpointWhenWalGrown(
  run: (sql: string) => Promise<Array<{ behind: string }>>,
  deadlineMs: number,
): Promise<void> {
  const [{ behind }] = await run(
    'SELECT (pg_current_wal_insert_lsn() - (pg_control_checkpoint()).redo_lsn)::text AS behind',
  );
  if (Number(behind) <= CHECKPOINT_AFTER_BYTES) return;
  await run('BEGIN');
  await run(`SET LOCAL statement_timeout = ${deadlineMs}`);
  await run('CHECKPOINT');
  await run('COMMIT');
}
