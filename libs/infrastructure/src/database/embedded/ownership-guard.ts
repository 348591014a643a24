import { readFileSync } from 'node:fs';

/** How long a check of the lock holds: far below the lease another process waits out before it takes over. */
export const CHECKED_FOR_MS = 100;

/**
 * A check that the lock file at `lockPath` still names this holding (`token`), run before PGlite executes
 * a statement: a process frozen past the lease (SIGSTOP, a paused VM) whose directory another process
 * took over must not write to it on waking, before its heartbeat has noticed. Reads the lock file at most
 * every CHECKED_FOR_MS of the monotonic clock, which runs on while the process is stopped; throws when the
 * lock names another holding or is gone.
 */
/** The holding a lock file names (its `token`), or undefined when it cannot be read. */
export function tokenIn(lockPath: string): unknown {
  try {
    return (JSON.parse(readFileSync(lockPath, 'utf8')) as { token?: unknown }).token;
  } catch {
    return undefined;
  }
}

export function ownershipGuard(lockPath: string, token: string): () => void {
  let checkedAt = -Infinity;
  return () => {
    const now = performance.now();
    if (now - checkedAt < CHECKED_FOR_MS) return;
    if (tokenIn(lockPath) !== token) {
      throw new Error(`the lock ${lockPath} no longer names this process: another process owns the data directory`);
    }
    checkedAt = now;
  };
}
