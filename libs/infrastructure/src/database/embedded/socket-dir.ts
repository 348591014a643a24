import { lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HolderPlace, placeOfThisProcess, processState, samePlace, startTimeOf } from './process-place';

/** Not the test suites' `segments-pglite-XXXXXX` data directories: mkdtemp adds 6 characters to this. */
const PREFIX = 'segments-pglite-socket-';
const OWNER_FILE = 'owner.json';

interface SocketDirOwner {
  pid: number;
  started?: number;
  place?: HolderPlace;
}

function ownerOf(dir: string): SocketDirOwner | undefined {
  try {
    const owner = JSON.parse(readFileSync(join(dir, OWNER_FILE), 'utf8')) as SocketDirOwner;
    return Number.isInteger(owner.pid) && owner.pid > 0 ? owner : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether the process that made `dir` is gone. Only a process of this place can be judged (another PID
 * namespace sharing /tmp may run it), and this process's own pid is its own directory unless it started
 * at another time (a container restarted as the same pid). A directory naming nobody yet is being made.
 */
function isStale(dir: string): boolean {
  const owner = ownerOf(dir);
  if (!owner || !samePlace(owner.place ?? {}, placeOfThisProcess())) return false;
  if (owner.pid === process.pid) return owner.started !== undefined && owner.started !== startTimeOf(process.pid);
  return processState(owner.pid, owner.started) === 'gone';
}

/** Removes this user's socket directories whose service was killed (SIGKILL, a crash) before it could. */
function removeStaleSocketDirs(): void {
  const parent = tmpdir();
  let names: string[];
  try {
    names = readdirSync(parent).filter((name) => name.startsWith(PREFIX));
  } catch {
    return;
  }
  for (const name of names) {
    const dir = join(parent, name);
    try {
      const stat = lstatSync(dir);
      if (stat.isDirectory() && stat.uid === process.getuid?.() && isStale(dir)) {
        rmSync(dir, { recursive: true, force: true });
      }
    } catch {
      // gone meanwhile, or not ours to judge
    }
  }
}

/**
 * A new directory for embedded PGlite's Unix socket, of mode 0700 (mkdtemp), naming this process so that
 * a later start can remove it if this one is killed before it does. In the temporary directory, not in
 * DATA_DIR: a socket path has at most 107 bytes.
 */
export function makeSocketDir(): string {
  removeStaleSocketDirs();
  const dir = mkdtempSync(join(tmpdir(), PREFIX));
  const owner: SocketDirOwner = { pid: process.pid, started: startTimeOf(process.pid), place: placeOfThisProcess() };
  writeFileSync(join(dir, OWNER_FILE), JSON.stringify(owner));
  return dir;
}
