'use strict';
/**
 * The built service as `npm run start:prod` serves it (one process), but with the per-request layers
 * named in BENCH_WITHOUT (comma-separated, from REQUEST_LAYERS in apps/api/src/app.setup.ts) left out,
 * for bench/layers.js. The service itself reads no such variable: only this script can leave a layer out.
 *
 *   DATABASE_URL=... PORT=... BENCH_WITHOUT=access-log,metrics node bench/lib/layers-server.js
 */
const { join } = require('node:path');

require('reflect-metadata');
const dist = join(__dirname, '../../dist');
const { NestFactory } = require('@nestjs/core');
const { loadConfig } = require(join(dist, 'libs/infrastructure/src/config/app-config.js'));
const { ApiModule } = require(join(dist, 'apps/api/src/api.module.js'));
const { configureApp, createHttpAdapter, REQUEST_LAYERS } = require(join(dist, 'apps/api/src/app.setup.js'));

async function main() {
  const without = new Set((process.env.BENCH_WITHOUT ?? '').split(',').filter(Boolean));
  for (const layer of without) {
    if (!REQUEST_LAYERS.includes(layer)) throw new Error(`unknown layer ${layer}: one of ${REQUEST_LAYERS.join(', ')}`);
  }
  const config = loadConfig(process.env);
  const app = await NestFactory.create(ApiModule.forRoot(config), createHttpAdapter(config), { logger: ['error'] });
  configureApp(app, without);
  process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
  await app.listen({ port: config.port, host: config.host });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
