import { linkSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataDirUnusableError, prepareDataDir, shownPath } from './data-dir';

/** Who holds a data directory: a process, and the URL of its API once it listens. */
export interface DataDirHolder {
  pid: number;
  url?: string;
  /** What holds it, e.g. `service` or `cli migrate`. */
  role: string;
  /** When the holder process started (Linux: clock ticks since boot), so a reused pid is not taken for it. */
  started?: number;
}

/** The data directory is held by another live process; the message is the one line to print. */
export class DataDirInUseError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: DataDirHolder,
  ) {
    super(
      `DATA_DIR ${shownPath(dataDir)} is in use by ${holder.role}, pid ${holder.pid}` +
        `${holder.url ? ` at ${holder.url}` : ''}; stop it first or use another DATA_DIR`,
    );
  }
}

const LOCK_FILE = 'segments.lock';

/** When process `pid` started, in clock ticks since boot (field 22 of /proc/PID/stat); undefined off Linux. */
function startTimeOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
  } catch {
    return undefined;
  }
}

/**
 * Whether the holder still runs. Not when the pid is this process's own (a container restarted as pid 1
 * finds its previous self's lock), nor when a process with that pid started at another time (a reused pid).
 */
function isAlive(holder: DataDirHolder): boolean {
  if (holder.pid === process.pid) return false;
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const started = startTimeOf(holder.pid);
  return holder.started === undefined || started === undefined || started === holder.started;
}

/** A takeover whose process left no pid (killed between creating and writing it) is abandoned after this long. */
const ABANDONED_TAKEOVER_MS = 10_000;

/** Whether `takeover` was left by a process that died in it: its pid is gone, or it has none and is old. */
function abandoned(takeover: string, dataDir: string): boolean {
  const stat = statSync(takeover);
  if (!stat.isFile()) throw new DataDirUnusableError(dataDir, `${shownPath(takeover)} is not a file: remove it`);
  const holder = readHolder(takeover);
  return holder ? !isAlive(holder) : Date.now() - stat.mtimeMs > ABANDONED_TAKEOVER_MS;
}

/**
 * Runs `work` while holding `path`.takeover (created exclusively, naming this process), so that of several
 * processes finding the same stale lock only one replaces it: replacing is read, unlink, link, and two
 * interleaved would each delete the other's new lock. Waits for another live process's takeover to finish.
 */
function exclusively<T>(path: string, dataDir: string, work: () => T): T {
  const takeover = `${path}.takeover`;
  const me = JSON.stringify({ pid: process.pid, role: 'takeover', started: startTimeOf(process.pid) });
  for (const started = Date.now(); ;) {
    try {
      writeFileSync(takeover, me, { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    try {
      if (abandoned(takeover, dataDir)) unlinkSync(takeover);
    } catch (error) {
      if (error instanceof DataDirUnusableError) throw error;
      // gone meanwhile: try again
    }
    if (Date.now() - started > 2 * ABANDONED_TAKEOVER_MS) throw new Error(`cannot take ${path}: ${takeover} stays`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
  }
  try {
    return work();
  } finally {
    unlinkSync(takeover);
  }
}

function readHolder(path: string): DataDirHolder | undefined {
  try {
    const holder = JSON.parse(readFileSync(path, 'utf8')) as DataDirHolder;
    // pid 0 and -1 would name process groups: kill(0 or -1, 0) succeeds, and the lock would never go stale.
    return Number.isInteger(holder.pid) && holder.pid > 0 && typeof holder.role === 'string' ? holder : undefined;
  } catch {
    return undefined;
  }
}

/**
 * An exclusive lock on a data directory: the file `segments.lock` in it, naming the holder's pid (and
 * URL, once it listens). Embedded PGlite corrupts a directory that two processes open, so only the lock
 * holder opens it. A lock whose process is gone (killed, crashed) is stale and taken over.
 */
export class DataDirLock {
  private released = false;
  private readonly releaseOnExit = () => this.release();

  private constructor(
    private readonly path: string,
    private holder: DataDirHolder,
  ) {
    process.once('exit', this.releaseOnExit);
  }

  /** The live process holding `dataDir`, if any. */
  static holderOf(dataDir: string): DataDirHolder | undefined {
    const holder = readHolder(join(dataDir, LOCK_FILE));
    return holder && isAlive(holder) ? holder : undefined;
  }

  /**
   * Throws DataDirInUseError when a live process holds `dataDir`: a check before start-up, so that the
   * refusal is one line (acquire still decides a race).
   */
  static assertFree(dataDir: string): void {
    const holder = DataDirLock.holderOf(dataDir);
    if (holder) throw new DataDirInUseError(dataDir, holder);
  }

  /** Takes the lock, or throws DataDirInUseError naming the live holder. */
  static acquire(dataDir: string, role: string): DataDirLock {
    prepareDataDir(dataDir);
    const path = join(dataDir, LOCK_FILE);
    const holder: DataDirHolder = { pid: process.pid, role, started: startTimeOf(process.pid) };
    // Written whole to a file of our own, then linked into place: link fails if the lock exists, so
    // exactly one process wins, and nobody ever reads a half-written lock.
    const draft = `${path}.${process.pid}`;
    writeFileSync(draft, JSON.stringify(holder));
    const linkOrRefuse = () => {
      try {
        linkSync(draft, path);
        return new DataDirLock(path, holder);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const current = readHolder(path);
        if (current && isAlive(current)) throw new DataDirInUseError(dataDir, current);
        return undefined;
      }
    };
    try {
      // A stale lock (its process gone) is replaced by one process at a time.
      return (
        linkOrRefuse() ??
        exclusively(path, dataDir, () => {
          const current = readHolder(path);
          if (current && isAlive(current)) throw new DataDirInUseError(dataDir, current);
          try {
            unlinkSync(path);
          } catch (error) {
            if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
          }
          const lock = linkOrRefuse();
          if (!lock) throw new Error(`cannot take the lock ${path}: it keeps reappearing`);
          return lock;
        })
      );
    } finally {
      unlinkSync(draft);
    }
  }

  /** Records the URL the holder's API listens on, for the CLI to find it. */
  announce(url: string): void {
    this.holder = { ...this.holder, url };
    const draft = `${this.path}.${process.pid}`;
    writeFileSync(draft, JSON.stringify(this.holder));
    // rename replaces the lock atomically: a reader sees the old holder or the new, never a partial file.
    renameSync(draft, this.path);
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    process.removeListener('exit', this.releaseOnExit);
    if (readHolder(this.path)?.pid === process.pid) unlinkSync(this.path);
  }
}
