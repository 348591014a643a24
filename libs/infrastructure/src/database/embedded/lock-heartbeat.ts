import { utimesSync, writeSync } from 'node:fs';
import { tokenIn } from './ownership-guard';

/**
 * Renews a DataDirLock's lease: every `everyMs`, if the lock still names this holding, its mtime is set to
 * now. If it names another (this process stood still past the lease and another took the directory over),
 * it stops touching the file, says so and exits at once, before it writes to a directory another process
 * now owns (PGlite's thread checks the same before each statement: ownershipGuard).
 *
 * On the main thread, not a thread of its own (which cost 10 MB of the embedded memory budget): an event
 * loop that stalls for the whole lease (5 s) is a service that answered nobody meanwhile, and a takeover
 * then is a clean handover (this process exits at its next statement or beat).
 */
export class LockHeartbeat {
  private readonly timer: NodeJS.Timeout;

  constructor(path: string, token: string, everyMs: number) {
    this.timer = setInterval(() => {
      if (tokenIn(path) !== token) {
        this.stop();
        writeSync(2, `the lock ${path} no longer names this process (it was taken over): exiting at once\n`);
        process.exit(1);
      }
      const now = new Date();
      try {
        utimesSync(path, now, now);
      } catch {
        // gone between the read and now: the next beat says so
      }
    }, everyMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
