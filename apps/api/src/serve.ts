import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppConfig, configured, ServiceDataSource } from '@app/infrastructure';
import { ApiModule } from './api.module';
import { configureApp, createHttpAdapter } from './app.setup';
import { databaseLine } from './database-line';

const SHUTDOWN_TIMEOUT_MS = 10_000;

/** SIGTERM/SIGINT: stop accepting, let in-flight requests finish, close the database, exit 0. */
function closeOnSignals(app: NestFastifyApplication, logger: Logger): void {
  let closing = false;
  const close = async (signal: string) => {
    if (closing) return;
    closing = true;
    logger.log(`${signal} received, shutting down`);
    setTimeout(() => {
      logger.error('shutdown took too long, exiting');
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS).unref();
    await app.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void close('SIGTERM'));
  process.on('SIGINT', () => void close('SIGINT'));
}

/** Where a process on this machine reaches the API (the CLI, through DATA_DIR's lock). */
function localUrl(app: NestFastifyApplication, host: string): string {
  const { port } = app.getHttpServer().address() as { port: number };
  const reachable = ['0.0.0.0', '::', ''].includes(host) ? '127.0.0.1' : host;
  return `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
}

/** Starts Nest on `config` and listens; a failure goes to `fail` (one line, exit 1). */
export async function serve(config: AppConfig, fail: (error: unknown) => never): Promise<void> {
  const logger = new Logger('Main');
  // Nest's start-up chatter is held back until listening, and a failure is rethrown to `fail`
  // instead of being logged with its stack trace: the buffer is then never printed.
  const app = await NestFactory.create<NestFastifyApplication>(
    configured(ApiModule, config),
    createHttpAdapter(config),
    {
      bufferLogs: true,
      autoFlushLogs: false,
      abortOnError: false,
    },
  ).catch(fail);
  configureApp(app);
  closeOnSignals(app, logger);
  await app.listen({ port: config.port, host: config.host }).catch(fail);
  app.flushLogs();
  const dataSource = app.get(ServiceDataSource);
  dataSource.announce(localUrl(app, config.host));
  const database = databaseLine(config, dataSource.migrationsApplied);
  logger.log(`listening on http://${config.host}:${config.port} (database: ${database}; docs at /docs)`);
}
