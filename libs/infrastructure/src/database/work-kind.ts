import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * How long a database statement may run depends on the work it serves: `hot` (reads and change sets,
 * the default) gets DATABASE_STATEMENT_TIMEOUT_MS, `bulk` (auto-assignment over all users, registering
 * thousands of ids, the cleaner, the CLI) gets DATABASE_BULK_TIMEOUT_MS. Reports have connections of
 * their own with the bulk deadline.
 */
export type WorkKind = 'hot' | 'bulk';

const current = new AsyncLocalStorage<WorkKind>();

/** Runs `work` with the bulk deadline for every statement it issues, however deep. */
export function asBulkWork<T>(work: () => T): T {
  return current.run('bulk', work);
}

export function currentWorkKind(): WorkKind {
  return current.getStore() ?? 'hot';
}
