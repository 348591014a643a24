import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { DataDirLock } from './data-dir-lock';
import { seedFromTemplate } from './embedded-template';

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
 * PGlite served over the PostgreSQL wire protocol on a free loopback port, to one pool of max 1. The
 * directory is locked first, as `owner` (DataDirInUseError when another live process holds it).
 */
export async function startEmbeddedPostgres(dataDir: string, owner: string): Promise<EmbeddedPostgres> {
  const lock = DataDirLock.acquire(dataDir, owner);
  try {
    const path = join(dataDir, 'pglite');
    mkdirSync(path, { recursive: true });
    if (!seedFromTemplate(path)) {
      process.stderr.write('no embedded database template (npm run build makes it): creating the data directory, at more memory\n');
    }
    compileWebAssemblyOnce();
    const db = await PGlite.create({
      dataDir: path,
      startParams: [...PGlite.defaultStartParams, ...MEMORY_SETTINGS.flatMap((setting) => ['-c', setting])],
    });
    const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: SOCKET_CONNECTIONS });
    await server.start();
    return {
      url: `postgresql://postgres:postgres@${server.getServerConn()}/postgres`,
      announce: (apiUrl) => lock.announce(apiUrl),
      async stop() {
        await server.stop();
        await db.close();
        lock.release();
      },
    };
  } catch (error) {
    lock.release();
    throw error;
  }
}
