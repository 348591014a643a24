import { readFileSync, readlinkSync } from 'node:fs';

/**
 * Where a pid means something: the kernel's boot and the PID namespace of the process (Linux). Two
 * containers on one volume can both be pid 1; a pid from another place says nothing about processes here.
 * Off Linux both are undefined, and every place is the same one.
 */
export interface HolderPlace {
  boot?: string;
  pidNamespace?: string;
}

function read(what: () => string): string | undefined {
  try {
    return what().trim();
  } catch {
    return undefined;
  }
}

let thisPlace: HolderPlace | undefined;

export function placeOfThisProcess(): HolderPlace {
  thisPlace ??= {
    boot: read(() => readFileSync('/proc/sys/kernel/random/boot_id', 'utf8')),
    pidNamespace: read(() => readlinkSync('/proc/self/ns/pid')),
  };
  return thisPlace;
}

export const samePlace = (a: HolderPlace, b: HolderPlace) => a.boot === b.boot && a.pidNamespace === b.pidNamespace;

/** When process `pid` started, in clock ticks since boot (field 22 of /proc/PID/stat); undefined off Linux. */
export function startTimeOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
  } catch {
    return undefined;
  }
}

/**
 * Whether process `pid` of this place, started at `started` (if known), runs. Not when the pid is this
 * process's own (a container restarted as pid 1 finds its previous self's lock), nor when a process with
 * that pid started at another time (a reused pid).
 */
export function processState(pid: number, started: number | undefined): 'running' | 'gone' {
  if (pid === process.pid) return 'gone';
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return 'gone';
  }
  const actual = startTimeOf(pid);
  return started === undefined || actual === undefined || actual === started ? 'running' : 'gone';
}
