import 'reflect-metadata';
import { AppConfig, checkDataDir, readConfig, startEmbeddedPostgresEarly } from '@app/infrastructure/preflight';
import { secretMasker } from './logging/secret-masking';
import { startFailureLine } from './start-failure';
import { serveWithWorkers } from './workers';

/** Any error that stops start-up: one line naming the cause and what to set, exit 1. */
function fail(error: unknown, config: Partial<AppConfig>): never {
  process.stderr.write(`${secretMasker([])(startFailureLine(error, config))}\n`);
  process.exit(1);
}

/**
 * Start-up checks the configuration and DATA_DIR first, and loads Nest's application and the database
 * driver only when they pass: a bad variable or a data directory another process holds is refused in
 * milliseconds.
 */
async function bootstrap(): Promise<void> {
  let config: AppConfig;
  try {
    config = readConfig();
    checkDataDir(config);
  } catch (error) {
    return fail(error, {});
  }
  // WEB_CONCURRENCY > 1: this process only forks and watches the workers, each running this file again.
  await serveWithWorkers(config, async () => {
    if (!config.databaseUrl) startEmbeddedPostgresEarly(config.dataDir, 'the service');
    const { serve } = await import('./serve');
    await serve(config, (error) => fail(error, config));
  });
}

bootstrap().catch((error: unknown) => fail(error, {}));
