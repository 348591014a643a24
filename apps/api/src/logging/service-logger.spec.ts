import { Logger } from '@nestjs/common';
import pino from 'pino';
import { AccessLog } from './access-log';
import { ServiceLogger } from './service-logger';

function capture(level = 'trace'): { logger: pino.Logger; entries: () => Array<Record<string, any>> } {
  const lines: string[] = [];
  const logger = pino(
    { level, formatters: { level: (label) => ({ level: label }) } },
    { write: (line: string) => lines.push(line) },
  );
  return { logger, entries: () => lines.map((line) => JSON.parse(line)) };
}

describe('ServiceLogger', () => {
  it("turns Nest's (object, message, context) calls into one line with the object's fields", () => {
    const { logger, entries } = capture();
    const nest = new ServiceLogger(logger);
    nest.error({ reqId: 'r-1', code: 'INTERNAL' }, 'it broke', 'Errors');
    nest.log('listening', 'Main');
    nest.verbose('details', 'Sweep');
    nest.warn(new Error('disk full'), 'Storage');
    expect(entries()).toMatchObject([
      { level: 'error', reqId: 'r-1', code: 'INTERNAL', context: 'Errors', msg: 'it broke' },
      { level: 'info', context: 'Main', msg: 'listening' },
      { level: 'trace', context: 'Sweep', msg: 'details' },
      { level: 'warn', context: 'Storage', msg: 'disk full', err: { message: 'disk full' } },
    ]);
  });

  it("keeps the stack of Nest's own error(message, stack, context) and an Error's own message", () => {
    const { logger, entries } = capture();
    const nest = new ServiceLogger(logger);
    const failure = new Error('socket hang up');
    nest.error('Error during shutdown', failure.stack, 'NestApplicationContext');
    nest.error(failure, 'while closing the pool', 'Database');
    nest.error('no stack known', undefined, 'NestApplicationContext');
    expect(entries()).toMatchObject([
      {
        context: 'NestApplicationContext',
        msg: 'Error during shutdown',
        err: { message: 'Error during shutdown', stack: failure.stack },
      },
      { context: 'Database', msg: 'while closing the pool', err: { message: 'socket hang up' } },
      { context: 'NestApplicationContext', msg: 'no stack known' },
    ]);
  });

  it("writes Nest's own start-up lines (modules, routes) at debug, the service's own at info", () => {
    const { logger, entries } = capture('debug');
    const nest = new ServiceLogger(logger);
    nest.log('Mapped {/health/live, GET} route', 'RouterExplorer');
    nest.log('HealthController {/health}:', 'RoutesResolver');
    nest.log('LoggingModule dependencies initialized', 'InstanceLoader');
    nest.log('listening on http://127.0.0.1:8080', 'Main');
    expect(entries().map((entry) => [entry.level, entry.context])).toEqual([
      ['debug', 'RouterExplorer'],
      ['debug', 'RoutesResolver'],
      ['debug', 'InstanceLoader'],
      ['info', 'Main'],
    ]);
  });

  it('is what a Nest Logger writes through once installed', () => {
    const { logger, entries } = capture('info');
    Logger.overrideLogger(new ServiceLogger(logger));
    try {
      new Logger('Jobs').debug('below the level');
      new Logger('Jobs').log('swept 3');
    } finally {
      Logger.overrideLogger(true);
    }
    expect(entries()).toMatchObject([{ level: 'info', context: 'Jobs', msg: 'swept 3' }]);
  });
});

describe('AccessLog', () => {
  const answer = (statusCode: number) => ({ statusCode, elapsedTime: 1.23456 });
  const request = (url: string, headers: Record<string, string> = {}) => ({
    id: 'id-1',
    method: 'GET',
    url,
    ip: '127.0.0.1',
    headers,
  });

  it('writes one line per request and takes every secret header out', () => {
    // debug: a successful read is logged at debug.
    const { logger, entries } = capture('debug');
    const headers = {
      authorization: 'Bearer s3cret',
      'proxy-authorization': 'Basic s3cret',
      'x-api-key': 's3cret',
      cookie: 's=s3cret',
      accept: '*/*',
    };
    new AccessLog(logger).onResponse(request('/api/v1/segments', headers), answer(200), () => undefined);
    expect(entries()).toEqual([
      expect.objectContaining({
        level: 'debug',
        reqId: 'id-1',
        msg: 'request completed',
        req: {
          id: 'id-1',
          method: 'GET',
          url: '/api/v1/segments',
          remoteAddress: '127.0.0.1',
          headers: {
            authorization: '[redacted]',
            'proxy-authorization': '[redacted]',
            'x-api-key': '[redacted]',
            cookie: '[redacted]',
            accept: '*/*',
          },
        },
        res: { statusCode: 200 },
        responseTime: 1.23,
      }),
    ]);
    expect(headers.authorization).toBe('Bearer s3cret');
  });

  it('writes a warn line when the client gives up before the answer', () => {
    const { logger, entries } = capture('info');
    const log = new AccessLog(logger);
    log.onRequestAbort(request('/api/v1/users/1/segments', { 'x-api-key': 's3cret' }), () => undefined);
    log.onRequestAbort(request('/health/ready'), () => undefined);
    expect(entries()).toEqual([
      expect.objectContaining({
        level: 'warn',
        reqId: 'id-1',
        msg: 'request aborted',
        req: expect.objectContaining({ url: '/api/v1/users/1/segments', headers: { 'x-api-key': '[redacted]' } }),
      }),
    ]);
  });

  it('logs a successful read at debug and a successful change at info', () => {
    const { logger, entries } = capture('debug');
    const log = new AccessLog(logger);
    for (const method of ['GET', 'HEAD', 'POST', 'PATCH', 'DELETE']) {
      log.onResponse({ ...request(`/api/v1/${method}`), method }, answer(200), () => undefined);
    }
    expect(entries().map((entry) => [entry.level, entry.req.method])).toEqual([
      ['debug', 'GET'],
      ['debug', 'HEAD'],
      ['info', 'POST'],
      ['info', 'PATCH'],
      ['info', 'DELETE'],
    ]);
  });

  it('logs 4xx at warn and 5xx at error, and keeps probes out', () => {
    const { logger, entries } = capture('info');
    const log = new AccessLog(logger);
    for (const [url, status] of [
      ['/health/ready', 503],
      ['/metrics', 200],
      ['/api/v1/x', 404],
      ['/api/v1/y', 500],
    ] as const) {
      log.onResponse(request(url), answer(status), () => undefined);
    }
    expect(entries().map((entry) => [entry.level, entry.req.url])).toEqual([
      ['warn', '/api/v1/x'],
      ['error', '/api/v1/y'],
    ]);
  });
});
