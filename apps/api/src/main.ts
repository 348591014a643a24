import 'reflect-metadata';
import cluster from 'node:cluster';
import { AppConfig, checkDataDir, readConfig, startEmbeddedPostgresEarly } from '@app/infrastructure/preflight';
import { secretMasker } from './logging/secret-masking';
import { assertPortFree } from './port-check';
import { startFailureLine } from './start-failure';
import { serveWithWorkers } from './workers';

/** Any error that stops start-up: one line naming the cause and what to set, exit 1. */
function fail(error: unknown, config: Partial<AppConfig>): never {
  process.stderr.write(`${secretMasker([])(startFailureLine(error, config))}\n`);
  process.exit(1);
}

/**
 * Start-up checks the configuration, the port and DATA_DIR first, and loads Nest's application and the
 * database driver only when they pass: a bad variable, a port in use or a data directory another process
 * holds is refused in milliseconds, and before DATA_DIR is created.
 */
async function bootstrap(): Promise<void> {
  let config: AppConfig;
  try {
    config = readConfig();
  } catch (error) {
    return fail(error, {});
  }
  try {
    // A worker's listen goes through the primary, which has checked the port already.
    if (!cluster.isWorker) await assertPortFree(config);
    checkDataDir(config);
  } catch (error) {
    return fail(error, config);
  }
  // WEB_CONCURRENCY > 1: this process only forks and watches the workers, each running this file again.
  await serveWithWorkers(config, async () => {
    if (!config.databaseUrl) startEmbeddedPostgresEarly(config.dataDir, 'the service');
    const { serve } = await import('./serve');
    await serve(config, (error) => fail(error, config));
  });
}

bootstrap().catch((error: unknown) => fail(error, {}));
