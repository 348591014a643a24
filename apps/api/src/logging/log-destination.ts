import { AppConfig } from '@app/infrastructure';
import { stdoutLines } from './stdout-lines';

/** Where log lines go; tests swap it for a stream they read. */
export abstract class LogDestination {
  abstract write(line: string): void;
}

/** JSON lines on stdout, or pino-pretty (a dev dependency) when NODE_ENV=development. */
export function defaultLogDestination(config: AppConfig): LogDestination {
  if (config.logPretty) {
    // Loaded only here, so production installs without dev dependencies never need it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a dev dependency, loaded on demand
    const pretty = require('pino-pretty') as (options: object) => LogDestination;
    return pretty({ colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' });
  }
  return stdoutLines();
}
