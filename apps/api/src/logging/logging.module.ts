import { DynamicModule, RequestMethod } from '@nestjs/common';
import { IncomingMessage, ServerResponse } from 'node:http';
import { LoggerModule } from 'nestjs-pino';
import pino from 'pino';
import { Options } from 'pino-http';
import { AppConfig } from '@app/infrastructure';
import { defaultLogDestination, LogDestination } from './log-destination';
import { REDACTED, secretMasker } from './secret-masking';

/** Probes and scrapes would drown the request log. */
const QUIET_PATHS = /^\/(health|metrics)(\/|\?|$)/;

const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
];

/** Middleware sees `url` relative to its mount point; `originalUrl` is the request's. */
const originalUrl = (request: IncomingMessage & { originalUrl?: string }) => request.originalUrl ?? request.url ?? '';

function httpLogOptions(config: AppConfig): Options {
  const mask = secretMasker(config.apiKeys);
  return {
    level: config.logLevel,
    // The request id is Fastify's (see requestIdOf); logs written while serving a request carry it as reqId.
    quietReqLogger: true,
    autoLogging: { ignore: (request) => QUIET_PATHS.test(originalUrl(request)) },
    customLogLevel: (_request: IncomingMessage, response: ServerResponse, error?: Error) =>
      error || response.statusCode >= 500 ? 'error' : response.statusCode >= 400 ? 'warn' : 'info',
    redact: { paths: REDACTED_PATHS, censor: REDACTED },
    serializers: {
      // The status is enough: response headers are the same on every answer.
      res: (response: { statusCode: number }) => ({ statusCode: response.statusCode }),
      err: (error: Error) => {
        const serialized = pino.stdSerializers.err(error);
        return { ...serialized, message: mask(serialized.message), stack: mask(serialized.stack) };
      },
    },
    formatters: { level: (label) => ({ level: label }) },
    timestamp: pino.stdTimeFunctions.isoTime,
    hooks: {
      logMethod(args, method) {
        const masked = args.map((arg: unknown) => (typeof arg === 'string' ? mask(arg) : arg));
        method.apply(this, masked as Parameters<typeof method>);
      },
    },
  };
}

/** Structured request and application logs (nestjs-pino) at LOG_LEVEL, without secrets. */
export function loggingModule(config: AppConfig): DynamicModule {
  return LoggerModule.forRootAsync({
    providers: [{ provide: LogDestination, useFactory: () => defaultLogDestination(config) }],
    inject: [LogDestination],
    useFactory: (destination: LogDestination) => ({
      pinoHttp: [httpLogOptions(config), destination],
      forRoutes: [{ path: '{*path}', method: RequestMethod.ALL }],
    }),
  });
}
