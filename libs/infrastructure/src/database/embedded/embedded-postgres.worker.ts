import { writeSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { ownershipGuard } from './ownership-guard';
import { settleUnfinishedSlices } from './prepared-slices';

/** The port number in the socket's file name (.s.PGSQL.5432); nothing listens on a TCP port. */
export const SOCKET_PORT = 5432;

/** What the service asks of the worker. */
export interface EmbeddedWorkerOptions {
  path: string;
  /** The Unix socket to serve on: in a directory only this user can enter. */
  socketPath: string;
  startParams: string[];
  maxConnections: number;
  /** DATA_DIR's lock and this holding's token in it (DataDirLock): checked before each statement runs. */
  lockPath: string;
  lockToken: string;
}

/** What the worker answers: where it listens, why it could not start, or that it has stopped. */
export type EmbeddedWorkerMessage = { url: string } | { error: { message: string; code?: string } } | { stopped: true };

/**
 * PGlite and its socket server, on a thread of their own: PGlite runs each statement synchronously, and
 * on the service's thread a long one (auto-assignment over 200,000 users: seconds) stopped everything
 * else, /health/live included. Here it only occupies this thread; the service talks to it over a Unix socket.
 */
async function serve(port: NonNullable<typeof parentPort>, options: EmbeddedWorkerOptions): Promise<void> {
  const db = await PGlite.create({ dataDir: options.path, startParams: options.startParams });
  refuseOnceDirectoryLost(db, ownershipGuard(options.lockPath, options.lockToken));
  // A bulk change the previous run left half-way: finished or undone before anyone reads or writes.
  await settleUnfinishedSlices((sql) => db.query(sql));
  const server = new PGLiteSocketServer({ db, path: options.socketPath, maxConnections: options.maxConnections });
  await server.start();
  port.on('message', (message: unknown) => {
    if (message !== 'stop') return;
    void (async () => {
      await server.stop();
      await db.close();
      port.postMessage({ stopped: true } satisfies EmbeddedWorkerMessage);
      port.close();
    })();
  });
  // libpq's convention: the socket `.s.PGSQL.<port>` in the directory named by `host`.
  const socketDir = options.socketPath.slice(0, options.socketPath.lastIndexOf('/'));
  const url = `postgresql://postgres:postgres@localhost/postgres?host=${encodeURIComponent(socketDir)}&port=${SOCKET_PORT}`;
  port.postMessage({ url } satisfies EmbeddedWorkerMessage);
}

/**
 * Every statement the socket server runs goes through execProtocolRawStream: wrapped, it first checks that
 * this process still owns DATA_DIR. If not, the statement is refused and this thread ends without another
 * write (the service, seeing its database stop, exits).
 */
function refuseOnceDirectoryLost(db: PGlite, assertOwned: () => void): void {
  const execute = db.execProtocolRawStream.bind(db);
  db.execProtocolRawStream = (...args: Parameters<PGlite['execProtocolRawStream']>) => {
    try {
      assertOwned();
    } catch (error) {
      writeSync(2, `${(error as Error).message}: exiting at once\n`);
      process.exit(1); // in a worker thread: ends this thread, and PGlite with it
      throw error;
    }
    return execute(...args);
  };
}

if (parentPort) {
  const port = parentPort;
  serve(port, workerData as EmbeddedWorkerOptions).catch((error: unknown) => {
    const { message, code } = error as { message?: unknown; code?: unknown };
    port.postMessage({
      error: { message: String(message ?? error), ...(typeof code === 'string' ? { code } : {}) },
    } satisfies EmbeddedWorkerMessage);
  });
}
