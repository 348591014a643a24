import { LoggerService } from '@nestjs/common';
import pino from 'pino';

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/** A stack trace's frame lines, as Error.stack has them. */
const STACK_TRACE = /\n\s+at /;

/**
 * Nest's own start-up lines (a line per module, controller and route, about 35) would drown the one that
 * matters at `info`, the listening line: they are written at `debug`.
 */
const NEST_START_UP_CONTEXTS = new Set([
  'NestFactory',
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestApplication',
]);

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
    const context = rest[rest.length - 1];
    this.write(typeof context === 'string' && NEST_START_UP_CONTEXTS.has(context) ? 'debug' : 'info', message, rest);
  }

  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }

  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('trace', message, rest);
  }

  /**
   * Nest appends the logger's context as the last argument, and its own error logs pass a stack
   * before it: `error(message, stack, context)`.
   */
  private write(level: Level, message: unknown, rest: unknown[]): void {
    if (!this.pino.isLevelEnabled(level)) return;
    const context = rest.length > 0 && typeof rest[rest.length - 1] === 'string' ? (rest.pop() as string) : undefined;
    const [first, ...args] = rest;
    if (message instanceof Error) {
      this.pino[level]({ context, err: message }, typeof first === 'string' ? first : message.message, ...args);
    } else if (typeof message === 'object' && message !== null) {
      this.pino[level]({ context, ...message }, first === undefined ? undefined : String(first), ...args);
    } else if (typeof first === 'string' && STACK_TRACE.test(first) && args.length === 0) {
      this.pino[level]({ context, err: { message: String(message), stack: first } }, String(message));
    } else {
      this.pino[level]({ context }, String(message), ...rest.filter((arg) => arg !== undefined));
    }
  }
}
