import { Worker } from 'node:worker_threads';

/**
 * The thread's code: every `everyMs`, if the lock still names this holding, set its mtime to now; if it
 * names another (this process was frozen past the lease and another took the directory over), stop
 * touching it, say so and end this process at once, before it writes to a directory another process now
 * owns: SIGKILL, and, since a PID namespace's init (a container's pid 1) ignores signals it sends itself,
 * a message on which the main thread exits. `stopped` is set before the holder removes the lock, so a lock
 * removed on release is not taken for a lost one.
 */
const BEAT = `
const { readFileSync, utimesSync, writeSync } = require('node:fs');
const { parentPort, workerData: { path, token, everyMs, stopped } } = require('node:worker_threads');
const flag = new Int32Array(stopped);
function beat() {
  if (Atomics.load(flag, 0)) return;
  let current;
  try { current = JSON.parse(readFileSync(path, 'utf8')).token; } catch { current = undefined; }
  if (Atomics.load(flag, 0)) return;
  if (current !== token) {
    clearInterval(timer);
    writeSync(2, 'the lock ' + path + ' no longer names this process (it was taken over while this process stood still): exiting at once\\n');
    process.kill(process.pid, 'SIGKILL');
    parentPort.postMessage('lost');
    return;
  }
  const now = new Date();
  try { utimesSync(path, now, now); } catch {}
}
const timer = setInterval(beat, everyMs);
`;

/** Renews a DataDirLock's lease from a thread of its own, so that a busy event loop does not stop it. */
export class LockHeartbeat {
  private readonly stopped = new SharedArrayBuffer(4);
  private readonly worker: Worker;

  constructor(path: string, token: string, everyMs: number) {
    this.worker = new Worker(BEAT, {
      eval: true,
      workerData: { path, token, everyMs, stopped: this.stopped },
      resourceLimits: { maxOldGenerationSizeMb: 8, maxYoungGenerationSizeMb: 1 },
      stdout: false,
      stderr: false,
    });
    this.worker.on('message', (message) => message === 'lost' && process.exit(1));
    this.worker.unref();
  }

  stop(): void {
    Atomics.store(new Int32Array(this.stopped), 0, 1);
    void this.worker.terminate();
  }
}
