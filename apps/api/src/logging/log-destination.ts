import pino from 'pino';
import { AppConfig } from '@app/infrastructure';

/** Where log lines go; tests swap it for a stream they read. */
export abstract class LogDestination {
  abstract write(line: string): void;
}

/** Log lines held while stdout does not take them, at most (about 10,000 request lines). */
export const MAX_UNWRITTEN_LOG_BYTES = 4 * 1024 * 1024;

/** JSON lines on stdout, or pino-pretty (a dev dependency) when NODE_ENV=development. */
export function defaultLogDestination(config: AppConfig): LogDestination {
  if (config.logPretty) {
    // Loaded only here, so production installs without dev dependencies never need it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a dev dependency, loaded on demand
    const pretty = require('pino-pretty') as (options: object) => LogDestination;
    return pretty({ colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' });
  }
  // Asynchronous: a line costs no system call of its own (lines logged while one write is under way go out
  // together in the next; a write per line was a fifth of a cached read's CPU), and a stdout nobody reads
  // does not stall the service: past MAX_UNWRITTEN_LOG_BYTES lines are dropped. pino writes what is left
  // synchronously when the process exits.
  return pino.destination({ dest: 1, sync: false, maxLength: MAX_UNWRITTEN_LOG_BYTES });
}
