import { linkSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Who holds a data directory: a process, and the URL of its API once it listens. */
export interface DataDirHolder {
  pid: number;
  url?: string;
  /** What holds it, e.g. `service` or `cli migrate`. */
  role: string;
}

/** The data directory is held by another live process; the message is the one line to print. */
export class DataDirInUseError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: DataDirHolder,
  ) {
    super(
      `DATA_DIR ${dataDir} is in use by ${holder.role}, pid ${holder.pid}` +
        `${holder.url ? ` at ${holder.url}` : ''}; stop it first or use another DATA_DIR`,
    );
  }
}

const LOCK_FILE = 'segments.lock';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readHolder(path: string): DataDirHolder | undefined {
  try {
    const holder = JSON.parse(readFileSync(path, 'utf8')) as DataDirHolder;
    return Number.isInteger(holder.pid) ? holder : undefined;
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
    return holder && isAlive(holder.pid) ? holder : undefined;
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
    mkdirSync(dataDir, { recursive: true });
    const path = join(dataDir, LOCK_FILE);
    const holder: DataDirHolder = { pid: process.pid, role };
    // Written whole to a file of our own, then linked into place: link fails if the lock exists, so
    // exactly one process wins, and nobody ever reads a half-written lock.
    const draft = `${path}.${process.pid}`;
    writeFileSync(draft, JSON.stringify(holder));
    try {
      for (let attempt = 0; ; attempt++) {
        try {
          linkSync(draft, path);
          return new DataDirLock(path, holder);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        }
        const current = readHolder(path);
        if (current && isAlive(current.pid)) throw new DataDirInUseError(dataDir, current);
        if (attempt >= 2) throw new Error(`cannot take the lock ${path}: it keeps reappearing`);
        unlinkSync(path);
      }
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
