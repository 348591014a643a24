#!/usr/bin/env node
'use strict';
/**
 * `npm run bench:layers`: what each per-request layer of the service costs on the hot route (GET
 * /api/v1/users/{id}/segments, uniform reads, read cache off): the built service with every layer, the
 * same with one layer left out at a time (bench/lib/layers-server.js), and the bare-Fastify ceiling
 * (bench/lib/ceiling-server.js), loaded in interleaved rounds on one seeded database. A layer's cost is
 * the service's CPU per read with it minus without it. docs/performance.md, "The hot read, layer by layer".
 *
 *   npm run bench:layers -- [--users 100000] [--seconds 15] [--rounds 5] [--connections 32] [--no-build] [--keep-db]
 */
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join, resolve } = require('node:path');
const { createDatabase, dropDatabase, seed, SEGMENTS } = require('./lib/database');
const { ensureWrk, runWrk, runAutocannon } = require('./lib/http-load');
const { run, startService } = require('./lib/processes');
const { startCostMeter, perRequest } = require('./lib/cpu-cost');
const { parseOptions } = require('./lib/options');

const ROOT = resolve(__dirname, '..');
const log = (message) => console.log(`[layers ${new Date().toISOString().slice(11, 19)}] ${message}`);

async function main() {
  const options = parseOptions(
    process.argv.slice(2),
    { users: 100_000, seconds: 15, rounds: 5, connections: 32, warmup: 2, build: true, keepDb: false },
    { '--no-build': ['build', false], '--keep-db': ['keepDb', true] },
    __filename,
  );
  if (options.build) await run('npm', ['run', 'build'], { cwd: ROOT, inherit: true });
  const { REQUEST_LAYERS } = require(join(ROOT, 'dist/apps/api/src/app.setup.js'));
  const serverUrl = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
  const workDir = mkdtempSync(join(tmpdir(), 'segments-layers-'));
  const logFile = join(workDir, 'service.log');
  const database = await createDatabase(serverUrl);
  const env = {
    DATABASE_URL: database.url,
    EXPIRY_SWEEP_SECONDS: '86400',
    READ_CACHE_USERS: '0',
    WEB_CONCURRENCY: '1',
  };
  const layersServer = [join(__dirname, 'lib/layers-server.js')];
  const variants = [
    { name: 'service, every layer', env: {}, args: layersServer },
    ...REQUEST_LAYERS.map((layer) => ({ name: `without ${layer}`, env: { BENCH_WITHOUT: layer }, args: layersServer })),
    { name: 'without all of them', env: { BENCH_WITHOUT: REQUEST_LAYERS.join(',') }, args: layersServer },
    { name: 'bare Fastify (ceiling)', env: {}, args: [join(__dirname, 'lib/ceiling-server.js')] },
  ];
  const running = [];
  try {
    log(`database ${database.name}: migrations, then ${options.users} users`);
    (await startService({ root: ROOT, env, logFile })).stop().catch(() => undefined);
    await new Promise((done) => setTimeout(done, 3_000));
    await seed(database.url, options.users);
    const load = (await ensureWrk()) ? runWrk : runAutocannon;
    for (const variant of variants) {
      running.push(await startService({ root: ROOT, env: { ...env, ...variant.env }, logFile, args: variant.args }));
    }
    const loadOptions = {
      users: options.users,
      segments: SEGMENTS,
      connections: options.connections,
      threads: 2,
      workDir,
    };
    const meter = { monitorUrl: serverUrl, database: database.name };
    for (const service of running)
      await load({ ...loadOptions, baseUrl: service.baseUrl, kind: 'read', seconds: options.warmup });
    const seconds = Math.max(2, Math.round(options.seconds / options.rounds));
    const totals = variants.map(() => ({ requests: 0, seconds: 0, cpu: 0, non2xx: 0 }));
    for (let round = 0; round < options.rounds; round++) {
      log(`round ${round + 1} of ${options.rounds}: ${variants.length} variants x ${seconds} s`);
      for (const [i, service] of running.entries()) {
        const cost = await startCostMeter({ ...meter, servicePid: service.pid });
        const figure = await load({ ...loadOptions, baseUrl: service.baseUrl, kind: 'read', seconds });
        const { service_cpu_us } = await cost.stop();
        totals[i].requests += figure.requests;
        totals[i].seconds += figure.requests / figure.rate;
        totals[i].cpu += service_cpu_us;
        totals[i].non2xx += figure.non2xx + figure.socket_errors;
      }
    }
    const us = totals.map((total) => perRequest(total.cpu, total.requests));
    const [full] = us;
    const ceiling = us.at(-1);
    console.log("\n| variant | req/s | service µs/read | layer's cost (µs/read) | / ceiling's µs | errors |");
    console.log('|---|---|---|---|---|---|');
    variants.forEach((variant, i) => {
      const rate = Math.round(totals[i].requests / totals[i].seconds).toLocaleString('en');
      const cost = i === 0 || i === variants.length - 1 ? '' : (full - us[i]).toFixed(1);
      console.log(
        `| ${variant.name} | ${rate} | ${us[i]} | ${cost} | ${(us[i] / ceiling).toFixed(2)} | ${totals[i].non2xx} |`,
      );
    });
  } finally {
    await Promise.all(running.map((service) => service.stop()));
    if (!options.keepDb) await dropDatabase(serverUrl, database.name).catch(() => undefined);
    rmSync(workDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
