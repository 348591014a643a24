import { Global, Module } from '@nestjs/common';
import pino from 'pino';
import { AppConfig } from '@app/infrastructure';
import { AccessLog } from './access-log';
import { defaultLogDestination, LogDestination } from './log-destination';
import { secretMasker } from './secret-masking';
import { ServiceLogger } from './service-logger';

/** What every line has: level as a word, ISO time, pid and hostname. */
function baseOptions(config: AppConfig): pino.LoggerOptions {
  return {
    level: config.logLevel,
    formatters: { level: (label) => ({ level: label }) },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
}

/** For application logs, whose messages and errors may carry secrets (a DATABASE_URL in an error, say). */
function applicationLogger(config: AppConfig, destination: LogDestination): pino.Logger {
  const mask = secretMasker(config.apiKeys);
  return pino(
    {
      ...baseOptions(config),
      serializers: {
        err: (error: Error) => {
          const serialized = pino.stdSerializers.err(error) as unknown;
          // Anything can be thrown: only an error-like object has a message and a stack to mask.
          if (typeof serialized !== 'object' || serialized === null) return serialized;
          const { message, stack } = serialized as { message?: unknown; stack?: unknown };
          return {
            ...serialized,
            message: typeof message === 'string' ? mask(message) : message,
            stack: typeof stack === 'string' ? mask(stack) : stack,
          };
        },
      },
      hooks: {
        logMethod(args, method) {
          const masked = args.map((arg: unknown) => (typeof arg === 'string' ? mask(arg) : arg));
          method.apply(this, masked as Parameters<typeof method>);
        },
      },
    },
    destination,
  );
}

/** Structured JSON logs (pino) at LOG_LEVEL, without secrets: Nest's logger and the access log. */
@Global()
@Module({
  providers: [
    { provide: LogDestination, useFactory: defaultLogDestination, inject: [AppConfig] },
    {
      provide: ServiceLogger,
      inject: [AppConfig, LogDestination],
      useFactory: (config: AppConfig, destination: LogDestination) =>
        new ServiceLogger(applicationLogger(config, destination)),
    },
    {
      provide: AccessLog,
      inject: [AppConfig, LogDestination],
      useFactory: (config: AppConfig, destination: LogDestination) =>
        new AccessLog(pino(baseOptions(config), destination)),
    },
  ],
  exports: [ServiceLogger, AccessLog],
})
export class LoggingModule {}
