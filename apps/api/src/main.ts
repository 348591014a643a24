import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppConfig, ConfigError, loadConfig } from '@app/infrastructure';
import { ApiModule } from './api.module';
import { configureApp, createHttpAdapter } from './app.setup';

const SHUTDOWN_TIMEOUT_MS = 10_000;

function readConfig(): AppConfig {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`invalid configuration: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

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

async function bootstrap(): Promise<void> {
  const config = readConfig();
  const logger = new Logger('Main');
  const app = await NestFactory.create<NestFastifyApplication>(ApiModule.forRoot(config), createHttpAdapter(config), {
    bufferLogs: true,
  });
  configureApp(app);
  closeOnSignals(app, logger);
  await app.listen({ port: config.port, host: config.host });
  const database = config.databaseUrl ? 'PostgreSQL' : `embedded PGlite in ${config.dataDir}`;
  logger.log(`listening on http://${config.host}:${config.port} (database: ${database}; docs at /docs)`);
}

bootstrap().catch((error: Error) => {
  process.stderr.write(`start-up failed: ${error.message}\n`);
  process.exit(1);
});
