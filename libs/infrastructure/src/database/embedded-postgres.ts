import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { DataDirLock } from './data-dir-lock';

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
 * PGlite served over the PostgreSQL wire protocol on a free loopback port, to one pool of max 1.
 * `dataDir` undefined keeps the database in memory (tests); a directory is locked first, as `owner`
 * (DataDirInUseError when another live process holds it).
 */
export async function startEmbeddedPostgres(dataDir: string | undefined, owner: string): Promise<EmbeddedPostgres> {
  const lock = dataDir ? DataDirLock.acquire(dataDir, owner) : undefined;
  try {
    let path: string | undefined;
    if (dataDir) {
      path = join(dataDir, 'pglite');
      mkdirSync(path, { recursive: true });
    }
    const db = await PGlite.create(path ? { dataDir: path } : {});
    const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: SOCKET_CONNECTIONS });
    await server.start();
    return {
      url: `postgresql://postgres:postgres@${server.getServerConn()}/postgres`,
      announce: (apiUrl) => lock?.announce(apiUrl),
      async stop() {
        await server.stop();
        await db.close();
        lock?.release();
      },
    };
  } catch (error) {
    lock?.release();
    throw error;
  }
}
