import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

/** The port number in the socket's file name (.s.PGSQL.5432); nothing listens on a TCP port. */
export const SOCKET_PORT = 5432;

/** What the service asks of the worker. */
export interface EmbeddedWorkerOptions {
  path: string;
  /** The Unix socket to serve on: in a directory only this user can enter. */
  socketPath: string;
  startParams: string[];
  maxConnections: number;
}

/** What the worker answers: where it listens, why it could not start, or that it has stopped. */
export type EmbeddedWorkerMessage = { url: string } | { error: { message: string; code?: string } } | { stopped: true };

/**
 * PGlite and its socket server, on a thread of their own: PGlite runs each statement synchronously, and
 * on the service's thread a long one (auto-assignment over 200,000 users: seconds) stopped everything
 * else, /health/live included. Here it only occupies this thread; the service talks to it over loopback.
 */
async function serve(port: NonNullable<typeof parentPort>, options: EmbeddedWorkerOptions): Promise<void> {
  const db = await PGlite.create({ dataDir: options.path, startParams: options.startParams });
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

if (parentPort) {
  const port = parentPort;
  serve(port, workerData as EmbeddedWorkerOptions).catch((error: unknown) => {
    const { message, code } = error as { message?: unknown; code?: unknown };
    port.postMessage({
      error: { message: String(message ?? error), ...(typeof code === 'string' ? { code } : {}) },
    } satisfies EmbeddedWorkerMessage);
  });
}
