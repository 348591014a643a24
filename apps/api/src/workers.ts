import cluster, { Worker } from 'node:cluster';
import { Logger } from '@nestjs/common';

/**
 * WEB_CONCURRENCY > 1: this process forks that many workers sharing the port (node:cluster hands each
 * new connection to the next worker) and only watches them. Each worker is the whole service, with its
 * own pool and read cache, kept right by the database's notifications like any other instance.
 *
 * The first worker starts alone (it applies the migrations), the others once it listens. SIGTERM or
 * SIGINT goes to every worker, each finishing its requests; the primary exits when all have, 0 if all
 * did. A worker that dies takes the others down and the primary exits 1: the supervisor restarts the
 * whole service, as it would a single process.
 */
export function serveWithWorkers(count: number, serve: () => Promise<void>): Promise<void> {
  if (count <= 1 || cluster.isWorker) return serve();
  const logger = new Logger('Workers');
  const workers = new Set<Worker>();
  let stopping = false;
  let exitCode = 0;

  const stopAll = (signal: NodeJS.Signals) => {
    stopping = true;
    for (const worker of workers) worker.process.kill(signal);
  };
  const fork = (): Worker => {
    const worker = cluster.fork();
    workers.add(worker);
    worker.on('exit', (code, signal) => {
      workers.delete(worker);
      if (code !== 0) exitCode = 1;
      if (!stopping) {
        logger.error(`worker ${worker.process.pid} exited (${signal ?? `code ${code}`}): stopping the others`);
        exitCode = 1;
        stopAll('SIGTERM');
      }
      if (workers.size === 0) process.exit(exitCode);
    });
    return worker;
  };

  fork().once('listening', () => {
    for (let i = 1; i < count && !stopping; i++) fork();
    logger.log(`${count} workers share the port`);
  });
  process.on('SIGTERM', () => stopAll('SIGTERM'));
  process.on('SIGINT', () => stopAll('SIGINT'));
  return Promise.resolve();
}
