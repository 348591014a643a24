import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export interface EmbeddedPostgres {
  url: string;
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
 * `dataDir` undefined keeps the database in memory (tests).
 */
export async function startEmbeddedPostgres(dataDir: string | undefined): Promise<EmbeddedPostgres> {
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
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}
