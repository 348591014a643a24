import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { PGlite } from '@electric-sql/pglite';
import { Worker } from 'node:worker_threads';
import { ConfigError } from '../../config/app-config';
import { shownPath } from './data-dir';
import { DataDirInUseError, DataDirLock } from './data-dir-lock';
import { MAX_PREPARED_SLICES } from './prepared-slices';
import { SOCKET_PORT, type EmbeddedWorkerMessage, type EmbeddedWorkerOptions } from './embedded-postgres.worker';
import { EMBEDDED_WAL_SETTINGS } from './embedded-wal';
import { projectRoot, seedFromTemplate } from './embedded-template';
import { makeSocketDir } from './socket-dir';

export interface EmbeddedPostgres {
  url: string;
  /** Records where the service's API listens, in the data directory's lock (for the CLI). */
  announce(apiUrl: string): void;
  stop(): Promise<void>;
}

/**
 * The pool in front of PGlite has max 1 (PGlite is only correct with one connection in use), but it
 * opens the next connection as soon as it drops one (after any failed query, for one), before the
 * server has seen the old socket close. The server accepts that one, or the next query fails with
 * "Connection terminated unexpectedly".
 */
const SOCKET_CONNECTIONS = 3;

/**
 * PGlite's WebAssembly memory grows to hold what PostgreSQL allocates and never shrinks, so these
 * bound the process: shared_buffers is 128MB by default (RSS 282 MB on opening a directory, 160 MB
 * with 16MB; docs/performance.md).
 */
const MEMORY_SETTINGS = ['shared_buffers=16MB', 'temp_buffers=2MB', 'maintenance_work_mem=16MB'];

/**
 * V8 compiles PGlite's WebAssembly twice by default (a quick baseline, then optimised code for hot
 * functions) and keeps both: baseline code only is about 35 MB less RSS, starts sooner, and ran
 * PGlite's inserts and point reads no slower here (docs/performance.md). Read when a module compiles.
 */
function compileWebAssemblyOnce(): void {
  setFlagsFromString('--liftoff-only');
}

/**
 * The worker script: the compiled file beside this one, or under dist/ when this runs from the
 * TypeScript sources (jest; its global setup builds dist/ first).
 */
const WORKER_FILE = __filename.endsWith('.js')
  ? join(__dirname, 'embedded-postgres.worker.js')
  : join(projectRoot(), 'dist/libs/infrastructure/src/database/embedded/embedded-postgres.worker.js');

function fromWorker(error: { message: string; code?: string }): Error {
  return Object.assign(new Error(error.message), error.code ? { code: error.code } : {});
}

/** Starts PGlite on its own thread; resolves with the URL its socket server listens on. */
function startWorker(options: EmbeddedWorkerOptions): Promise<{ worker: Worker; url: string }> {
  const worker = new Worker(WORKER_FILE, { workerData: options });
  return new Promise((resolve, reject) => {
    const failed = (error: Error) => {
      void worker.terminate();
      reject(error);
    };
    worker.once('message', (message: EmbeddedWorkerMessage) => {
      worker.removeAllListeners('error').removeAllListeners('exit');
      if ('url' in message) resolve({ worker, url: message.url });
      else if ('error' in message) failed(fromWorker(message.error));
    });
    worker.once('error', failed);
    worker.once('exit', (code) => failed(new Error(`the embedded database stopped while starting (exit ${code})`)));
  });
}

/** Asks the worker to close PGlite (it writes its data directory out) and waits until it has. */
async function stopWorker(worker: Worker): Promise<void> {
  const stopped = new Promise<void>((resolve) => {
    worker.on('message', (message: EmbeddedWorkerMessage) => 'stopped' in message && resolve());
    worker.once('exit', () => resolve());
  });
  worker.postMessage('stop');
  await stopped;
  await worker.terminate();
}

/**
 * PGlite served over the PostgreSQL wire protocol to one pool of max 1, from a worker thread
 * (embedded-postgres.worker.ts), on a Unix socket in a new directory only this user can enter: PGlite
 * takes any user and password as its superuser, so on a loopback TCP port any local user could read,
 * change or block the data. The data directory is locked first, as `owner` (DataDirInUseError when
 * another live process holds it).
 */
export function startEmbeddedPostgres(dataDir: string, owner: string): Promise<EmbeddedPostgres> {
  const early = startedEarly.get(dataDir);
  startedEarly.delete(dataDir);
  return early ?? startOn(dataDir, owner).catch((error: unknown) => Promise.reject(openFailure(dataDir, error)));
}

const startedEarly = new Map<string, Promise<EmbeddedPostgres>>();

/**
 * Starts PGlite for `dataDir` now, for the next startEmbeddedPostgres of it to take: the service's
 * start-up begins it before loading its application (~0.7 s), which then overlaps PGlite's own (~1 s).
 */
export function startEmbeddedPostgresEarly(dataDir: string, owner: string): void {
  const starting = startEmbeddedPostgres(dataDir, owner);
  // Its failure is reported where it is taken; until then it must not count as unhandled.
  starting.catch(() => undefined);
  startedEarly.set(dataDir, starting);
}

/** A failure to open DATA_DIR as one line naming it (a lock file that is a directory, a corrupt database). */
function openFailure(dataDir: string, error: unknown): unknown {
  if (error instanceof DataDirInUseError || error instanceof ConfigError) return error;
  const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0];
  return new Error(
    `the embedded database in DATA_DIR ${shownPath(dataDir)} cannot be opened (${reason}): ` +
      'repair or move that directory, or set DATA_DIR to another one',
  );
}

async function startOn(dataDir: string, owner: string): Promise<EmbeddedPostgres> {
  const lock = DataDirLock.acquire(dataDir, owner);
  const socketDir = makeSocketDir();
  const removeSocketDir = () => rmSync(socketDir, { recursive: true, force: true });
  try {
    const path = join(dataDir, 'pglite');
    mkdirSync(path, { recursive: true });
    if (!seedFromTemplate(path)) {
      process.stderr.write(
        'no embedded database template (npm run build makes it): creating the data directory, at more memory\n',
      );
    }
    compileWebAssemblyOnce();
    const settings = [...MEMORY_SETTINGS, ...EMBEDDED_WAL_SETTINGS, `max_prepared_transactions=${MAX_PREPARED_SLICES}`];
    const startParams = [...PGlite.defaultStartParams, ...settings.flatMap((setting) => ['-c', setting])];
    const socketPath = join(socketDir, `.s.PGSQL.${SOCKET_PORT}`);
    const { worker, url } = await startWorker({
      path,
      socketPath,
      startParams,
      maxConnections: SOCKET_CONNECTIONS,
      lockPath: lock.path,
      lockToken: lock.token,
    });
    let stopping = false;
    // PGlite aborting (a corrupt page, out of memory) ends its thread: without it the service can only fail.
    worker.once('exit', (code) => {
      if (stopping) return;
      process.stderr.write(`the embedded database stopped unexpectedly (exit ${code}): the service exits\n`);
      process.exit(1);
    });
    worker.on('error', (error) => process.stderr.write(`the embedded database failed: ${error.message}\n`));
    return {
      url,
      announce: (apiUrl) => lock.announce(apiUrl),
      async stop() {
        stopping = true;
        await stopWorker(worker);
        removeSocketDir();
        lock.release();
      },
    };
  } catch (error) {
    removeSocketDir();
    lock.release();
    throw error;
  }
}
