import cluster, { Worker } from 'node:cluster';
import { relayBetweenWorkers } from '@app/infrastructure/workers/worker-channel';
import { RATE_LIMIT_TOPIC, RateLimit } from './http/security/rate-limit';
import { stdoutLines } from './logging/stdout-lines';

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];

/**
 * The primary's log lines, in the service's JSON line shape (it has no Nest application, whose logger
 * would print coloured text), at LOG_LEVEL.
 */
function primaryLogger(logLevel: string) {
  const line = (level: string, msg: string) => {
    if (logLevel === 'silent' || LEVELS.indexOf(level) < LEVELS.indexOf(logLevel)) return;
    const entry = { level, time: new Date().toISOString(), pid: process.pid, context: 'Workers', msg };
    stdoutLines().write(`${JSON.stringify(entry)}\n`);
  };
  return { log: (msg: string) => line('info', msg), error: (msg: string) => line('error', msg) };
}

/**
 * WEB_CONCURRENCY > 1: this process forks that many workers sharing the port (node:cluster hands each
 * new connection to the next worker) and watches them. Each worker is the whole service, with its own
 * pool and read cache, but they act as one instance through this process (WorkerChannel): a write is
 * answered once every other worker has heard which users it changed (read-your-writes on any
 * connection), and this process keeps the instance's rate limit. What other instances change reaches
 * each worker through the database's change log, which each polls.
 *
 * The first worker starts alone (it applies the migrations), the others once it listens. SIGTERM or
 * SIGINT goes to every worker, each finishing its requests; the primary exits when all have, 0 if all
 * did. A worker that dies takes the others down and the primary exits 1: the supervisor restarts the
 * whole service, as it would a single process.
 */
export function serveWithWorkers(
  config: { webConcurrency: number; logLevel: string; rateLimitPerMinute: number },
  serve: () => Promise<void>,
): Promise<void> {
  const count = config.webConcurrency;
  if (count <= 1 || cluster.isWorker) return serve();
  const logger = primaryLogger(config.logLevel);
  const workers = new Set<Worker>();
  const rateLimit = new RateLimit(config.rateLimitPerMinute);
  const relay = relayBetweenWorkers(
    () => workers,
    (topic, body) => (topic === RATE_LIMIT_TOPIC ? rateLimit.count(String(body)) : undefined),
  );
  let stopping = false;
  let listening = false;
  let exitCode = 0;

  const stopAll = (signal: NodeJS.Signals) => {
    stopping = true;
    for (const worker of workers) worker.process.kill(signal);
  };
  const fork = (): Worker => {
    const worker = cluster.fork();
    workers.add(worker);
    worker.on('message', (message: unknown) => relay(worker, message));
    worker.on('exit', (code, signal) => {
      workers.delete(worker);
      // A worker still starting when the stop signal came ends by that signal: it stopped as asked.
      const stoppedAsAsked = stopping && (signal === 'SIGTERM' || signal === 'SIGINT');
      if (code !== 0 && !stoppedAsAsked) exitCode = 1;
      if (!stopping) {
        // A worker that fails to start has printed its one line: the primary adds none.
        if (listening)
          logger.error(`worker ${worker.process.pid} exited (${signal ?? `code ${code}`}): stopping the others`);
        exitCode = 1;
        stopAll('SIGTERM');
      }
      if (workers.size === 0) process.exit(exitCode);
    });
    return worker;
  };

  fork().once('listening', () => {
    listening = true;
    for (let i = 1; i < count && !stopping; i++) fork();
    logger.log(`${count} workers share the port`);
  });
  process.on('SIGTERM', () => stopAll('SIGTERM'));
  process.on('SIGINT', () => stopAll('SIGINT'));
  return Promise.resolve();
}
