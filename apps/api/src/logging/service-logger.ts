import { LoggerService } from '@nestjs/common';
import pino from 'pino';

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/**
 * Nest's logger on top of the service's pino logger. `new Logger('Ctx').error({ err, code }, 'msg')`
 * becomes one JSON line `{ context: 'Ctx', err, code, msg }`.
 */
export class ServiceLogger implements LoggerService {
  constructor(private readonly pino: pino.Logger) {}

  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }

  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }

  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }

  log(message: unknown, ...rest: unknown[]): void {
    this.write('info', message, rest);
  }

  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }

  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('trace', message, rest);
  }

  /** Nest appends the logger's context as the last argument. */
  private write(level: Level, message: unknown, rest: unknown[]): void {
    if (!this.pino.isLevelEnabled(level)) return;
    const context = rest.length > 0 && typeof rest[rest.length - 1] === 'string' ? (rest.pop() as string) : undefined;
    if (message instanceof Error) {
      this.pino[level]({ context, err: message }, message.message);
    } else if (typeof message === 'object' && message !== null) {
      const [text, ...args] = rest;
      this.pino[level]({ context, ...message }, text === undefined ? undefined : String(text), ...args);
    } else {
      this.pino[level]({ context }, String(message), ...rest);
    }
  }
}
