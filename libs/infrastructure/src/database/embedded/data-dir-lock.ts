import { randomUUID } from 'node:crypto';
import { linkSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataDirUnusableError, prepareDataDir, shownPath } from './data-dir';
import { LockHeartbeat } from './lock-heartbeat';
import { CHECKED_FOR_MS } from './ownership-guard';
import { HolderPlace, placeOfThisProcess, processState, samePlace, startTimeOf } from './process-place';

/** Who holds a data directory: a process, and the URL of its API once it listens. */
export interface DataDirHolder {
  pid: number;
  url?: string;
  /** What holds it, e.g. `service` or `cli migrate`. */
  role: string;
  /** When the holder process started (Linux: clock ticks since boot), so a reused pid is not taken for it. */
  started?: number;
  /** Where its pid means something: the kernel's boot and PID namespace (two containers can both be pid 1). */
  place?: HolderPlace;
  /** This holding, whatever the pid: the heartbeat checks that the lock still names it. */
  token?: string;
}

/** The data directory is held by another live process; the message is the one line to print. */
export class DataDirInUseError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: DataDirHolder,
  ) {
    super(
      `DATA_DIR ${shownPath(dataDir)} is in use by ${holder.role}, pid ${holder.pid}` +
        `${holder.place && !samePlace(holder.place, placeOfThisProcess()) ? ' (in another container or PID namespace)' : ''}` +
        `${holder.url ? ` at ${holder.url}` : ''}; stop it first or use another DATA_DIR`,
    );
  }
}

const LOCK_FILE = 'segments.lock';

/**
 * A holder whose pid this process cannot check (another PID namespace or machine) is alive while it renews
 * the lock's mtime (every HEARTBEAT_MS); one that has not for LEASE_MS, watched on this process's monotonic
 * clock, is gone. So a second container refuses within about a heartbeat, and a crashed one is taken over
 * after LEASE_MS.
 */
export const HEARTBEAT_MS = 1_000;
export const LEASE_MS = 5_000;

/** A takeover whose process left no pid (killed between creating and writing it) is abandoned after this long. */
const ABANDONED_TAKEOVER_MS = 10_000;

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** What identifies one version of the lock file: a rename (announce) or a heartbeat changes it. */
function versionOf(path: string): string | undefined {
  try {
    const stat = statSync(path, { bigint: true });
    return `${stat.ino}:${stat.mtimeNs}`;
  } catch {
    return undefined;
  }
}

/**
 * Whether the holder of the lock at `path` (as read in `version`) still runs. Where its pid means what it
 * means here (same boot, same PID namespace) the pid answers at once; elsewhere, whether the lock's mtime
 * moves within LEASE_MS.
 */
function isAlive(holder: DataDirHolder, path: string, version: string | undefined): boolean {
  // A lock without a place was written before heartbeats: its pid is all there is to judge by.
  if (!holder.place || samePlace(holder.place, placeOfThisProcess())) {
    return processState(holder.pid, holder.started) === 'running';
  }
  const deadline = performance.now() + LEASE_MS;
  while (performance.now() < deadline) {
    if (versionOf(path) !== version) return true;
    sleep(100);
  }
  return false;
}

/** Whether `takeover` was left by a process that died in it. */
function abandoned(takeover: string, dataDir: string): boolean {
  const stat = statSync(takeover);
  if (!stat.isFile()) throw new DataDirUnusableError(dataDir, `${shownPath(takeover)} is not a file: remove it`);
  const holder = readHolder(takeover);
  const checkable = holder && (!holder.place || samePlace(holder.place, placeOfThisProcess()));
  if (checkable) return processState(holder.pid, holder.started) !== 'running';
  return Date.now() - stat.mtimeMs > ABANDONED_TAKEOVER_MS;
}

/**
 * Runs `work` while holding `path`.takeover (created exclusively, naming this process), so that of several
 * processes finding the same stale lock only one replaces it: replacing is read, unlink, link, and two
 * interleaved would each delete the other's new lock. Waits for another live process's takeover to finish.
 */
function exclusively<T>(path: string, dataDir: string, work: () => T): T {
  const takeover = `${path}.takeover`;
  const me = JSON.stringify({
    pid: process.pid,
    role: 'takeover',
    started: startTimeOf(process.pid),
    place: placeOfThisProcess(),
  });
  for (const started = performance.now(); ;) {
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
    if (performance.now() - started > 2 * ABANDONED_TAKEOVER_MS)
      throw new Error(`cannot take ${path}: ${takeover} stays`);
    sleep(5);
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

/** The live holder of the lock at `path`, if any; `version` is the lock file judged, for a takeover to check. */
function liveHolder(path: string): { holder?: DataDirHolder; version?: string } {
  const version = versionOf(path);
  const holder = readHolder(path);
  return { holder: holder && isAlive(holder, path, version) ? holder : undefined, version };
}

/**
 * An exclusive lock on a data directory: the file `segments.lock` in it, naming the holder (pid, the
 * kernel boot and PID namespace that pid belongs to, a token of this holding, its URL once it listens).
 * Embedded PGlite corrupts a directory that two processes open, so only the lock holder opens it.
 *
 * Ownership does not rest on pid identity alone: two containers on one volume can both be pid 1. The holder
 * renews the lock's mtime every HEARTBEAT_MS (LockHeartbeat), and a process that
 * cannot check the holder's pid waits for a renewal. A lock whose process is gone (killed, crashed) is
 * stale and taken over: at once where the pid can be checked, after LEASE_MS elsewhere. A holder that
 * finds the lock no longer names it (it was frozen longer than the lease and taken over) exits at once.
 */
export class DataDirLock {
  private released = false;
  private readonly releaseOnExit = () => this.release();
  private readonly heartbeat: LockHeartbeat;

  private constructor(
    readonly path: string,
    private holder: DataDirHolder,
  ) {
    process.once('exit', this.releaseOnExit);
    this.heartbeat = new LockHeartbeat(path, holder.token!, HEARTBEAT_MS);
  }

  /** What the lock file names as this holding, for a check that it still does (ownershipGuard). */
  get token(): string {
    return this.holder.token!;
  }

  /** The live process holding `dataDir`, if any (may watch the lock for up to LEASE_MS). */
  static holderOf(dataDir: string): DataDirHolder | undefined {
    return liveHolder(join(dataDir, LOCK_FILE)).holder;
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
    const holder: DataDirHolder = {
      pid: process.pid,
      role,
      started: startTimeOf(process.pid),
      place: placeOfThisProcess(),
      token: randomUUID(),
    };
    // Written whole to a file of our own, then linked into place: link fails if the lock exists, so
    // exactly one process wins, and nobody ever reads a half-written lock.
    const draft = `${path}.${holder.token}`;
    writeFileSync(draft, JSON.stringify(holder));
    const link = () => {
      try {
        linkSync(draft, path);
        return new DataDirLock(path, holder);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        return undefined;
      }
    };
    try {
      for (let attempt = 0; attempt < 5; attempt++) {
        const lock = link();
        if (lock) return lock;
        const stale = readHolder(path);
        const { holder: current, version } = liveHolder(path);
        if (current) throw new DataDirInUseError(dataDir, current);
        // A stale lock is replaced by one process at a time, and only if it is still the one judged stale.
        const taken = exclusively(path, dataDir, () => {
          if (versionOf(path) !== version) return undefined;
          try {
            unlinkSync(path);
          } catch (error) {
            if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
          }
          return link();
        });
        if (!taken) continue;
        // A holder judged gone by its lease may yet wake: its statements stop at its next ownership check
        // (ownershipGuard), at most CHECKED_FOR_MS after its last; the directory is opened only after that.
        if (stale?.place && !samePlace(stale.place, placeOfThisProcess())) sleep(2 * CHECKED_FOR_MS);
        return taken;
      }
      throw new Error(`cannot take the lock ${path}: it keeps changing`);
    } finally {
      unlinkSync(draft);
    }
  }

  /** Records the URL the holder's API listens on, for the CLI to find it. */
  announce(url: string): void {
    this.holder = { ...this.holder, url };
    const draft = `${this.path}.${this.holder.token}`;
    writeFileSync(draft, JSON.stringify(this.holder));
    // rename replaces the lock atomically: a reader sees the old holder or the new, never a partial file.
    renameSync(draft, this.path);
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    process.removeListener('exit', this.releaseOnExit);
    this.heartbeat.stop();
    if (readHolder(this.path)?.token === this.holder.token) unlinkSync(this.path);
  }
}
