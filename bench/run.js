#!/usr/bin/env node
'use strict';
/**
 * `npm run bench`: the service under HTTP load against what PostgreSQL itself does with the same SQL.
 *
 *   npm run bench -- [--users 100000] [--seconds 10] [--connections 32] [--no-build] [--bulk] [--keep-db]
 *   npm run bench -- --embedded [...]   # embedded PGlite instead: start-up, memory, loads (bench/embedded.js)
 *
 * Needs only PostgreSQL (DATABASE_URL names the server, default the local one); creates and drops its
 * own database. Each load also runs against bare Fastify routes on the same repository (the ceiling
 * of the prescribed stack). Results: one table on stdout, the same as JSON under bench/results/.
 * docs/performance.md explains the figures.
 */
const { mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync } = require('node:fs');
const { cpus, tmpdir } = require('node:os');
const { join, resolve } = require('node:path');
const { createDatabase, dropDatabase, seed, SEGMENTS } = require('./lib/database');
const { ensureWrk, runWrk, runAutocannon } = require('./lib/http-load');
const { captureStatements, readScript, writeScript, runPgbench } = require('./lib/pgbench');
const { run, sampleRss, startService } = require('./lib/processes');
const { runBulk } = require('./lib/bulk');
const { printTable } = require('./lib/report-table');
const { parseOptions } = require('./lib/options');

const ROOT = resolve(__dirname, '..');
const TARGETS = { readRatio: 0.6, readP99Ms: 10, writeRatio: 0.4, rssMb: 250 };

function parseArgs(argv) {
  const options = parseOptions(
    argv,
    { users: 100_000, seconds: 10, connections: 32, warmup: 3, build: true, bulk: false, keepDb: false },
    { '--no-build': ['build', false], '--bulk': ['bulk', true], '--keep-db': ['keepDb', true] },
    __filename,
  );
  if (options.users < 10) throw new Error('--users must be at least 10');
  return options;
}

/**
 * The same read and write loads against bench/lib/ceiling-server.js: bare Fastify routes on the built
 * repository, with none of the service's per-request work. The service stays up but idle meanwhile.
 */
async function measureCeiling({ serviceEnv, logFile, load, loadOptions, seconds, warmup }) {
  log(`ceiling (bare Fastify routes on the same repository): read and write, ${seconds} s each`);
  const server = await startService({ root: ROOT, env: serviceEnv, logFile, args: [join(__dirname, 'lib/ceiling-server.js')] });
  try {
    const options = { ...loadOptions, baseUrl: server.baseUrl };
    if (warmup > 0) await load({ ...options, kind: 'read', seconds: warmup });
    const read = await load({ ...options, kind: 'read', seconds });
    if (warmup > 0) await load({ ...options, kind: 'write', seconds: Math.max(1, Math.round(warmup / 2)) });
    const write = await load({ ...options, kind: 'write', seconds });
    return { read, write };
  } finally {
    await server.stop();
  }
}

const log = (message) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const serverUrl = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
  const resultsDir = join(ROOT, 'bench/results');
  mkdirSync(resultsDir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const workDir = mkdtempSync(join(tmpdir(), 'segments-bench-'));
  // The service logs every request: its output stays in the work directory, which goes at the end.
  const logFile = join(workDir, 'service.log');
  const threads = Math.max(1, Math.min(2, cpus().length));

  if (options.build) {
    log('npm run build');
    await run('npm', ['run', 'build'], { cwd: ROOT, inherit: true });
  }
  if (!existsSync(join(ROOT, 'dist/apps/api/src/main.js'))) throw new Error('dist/ is missing: run without --no-build');

  const database = await createDatabase(serverUrl);
  log(`database ${database.name}`);
  const serviceEnv = { DATABASE_URL: database.url, EXPIRY_SWEEP_SECONDS: '86400' };
  let service;
  const stopAll = async () => {
    await service?.stop();
    if (!options.keepDb) await dropDatabase(serverUrl, database.name).catch(() => undefined);
  };
  process.once('SIGINT', () => void stopAll().finally(() => process.exit(130)));

  const result = {
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, cpu: cpus()[0]?.model, node: process.version },
    options: { ...options, pool_size: process.env.DATABASE_POOL_SIZE ?? 'default', web_concurrency: process.env.WEB_CONCURRENCY ?? 'unset' },
    targets: TARGETS,
  };
  try {
    log('migrations: starting the service once on the new database');
    service = await startService({ root: ROOT, env: serviceEnv, logFile });
    await service.stop();

    let started = Date.now();
    result.seed = await seed(database.url, options.users);
    result.seed.seconds = (Date.now() - started) / 1000;
    log(`seeded ${result.seed.users} users, ${result.seed.memberships} memberships in ${result.seed.seconds} s`);

    const captured = await captureStatements(ROOT, database.url, {
      userId: Math.ceil(options.users / 2) + 1,
      addSegment: 2,
      removeSegment: 7,
    });

    service = await startService({ root: ROOT, env: serviceEnv, logFile });
    log(`service pid ${service.pid} at ${service.baseUrl}`);
    const useWrk = await ensureWrk();
    const load = useWrk ? runWrk : runAutocannon;
    if (!useWrk) log('wrk is not available: using autocannon');
    const loadOptions = { baseUrl: service.baseUrl, users: options.users, segments: SEGMENTS, connections: options.connections, threads, workDir };
    const pgOptions = { databaseUrl: database.url, workDir, connections: options.connections, threads, seconds: options.seconds };

    const rss = sampleRss(service.pid);
    if (options.warmup > 0) {
      log(`warm-up ${options.warmup} s`);
      await load({ ...loadOptions, kind: 'read', seconds: options.warmup });
      await load({ ...loadOptions, kind: 'write', seconds: Math.max(1, Math.round(options.warmup / 2)) });
    }
    log(`read: ${options.seconds} s at ${options.connections} connections`);
    const read = await load({ ...loadOptions, kind: 'read', seconds: options.seconds });
    const readRss = rss.stop();
    log('read: pgbench');
    const pgRead = await runPgbench({ ...pgOptions, name: 'read', script: readScript(captured, options.users) });

    const writeRssSampler = sampleRss(service.pid);
    log(`write: ${options.seconds} s at ${options.connections} connections`);
    const write = await load({ ...loadOptions, kind: 'write', seconds: options.seconds });
    const writeRss = writeRssSampler.stop();
    log('write: pgbench');
    const pgWrite = await runPgbench({ ...pgOptions, name: 'write', script: writeScript(captured, options.users, SEGMENTS) });
    const ceiling = await measureCeiling({ serviceEnv, logFile, load, loadOptions, seconds: options.seconds, warmup: options.warmup });

    const ratio = (service, limit) => Math.round((service.rate / limit.rate) * 100) / 100;
    result.read = { service: read, pgbench: pgRead, ratio: ratio(read, pgRead) };
    result.read_ceiling = { service: ceiling.read, pgbench: pgRead, ratio: ratio(ceiling.read, pgRead) };
    result.write_ceiling = { service: ceiling.write, pgbench: pgWrite, ratio: ratio(ceiling.write, pgWrite) };
    result.write = { service: write, pgbench: pgWrite, ratio: ratio(write, pgWrite) };
    result.peak_rss_mb = Math.max(readRss, writeRss);

    if (options.bulk) {
      result.bulk = await runBulk({ root: ROOT, service, database, serviceEnv, workDir, log });
    } else {
      result.bulk = { skipped: 'bulk figures run with --bulk' };
    }
    await service.stop();
  } finally {
    await stopAll();
    rmSync(workDir, { recursive: true, force: true });
  }

  const file = join(resultsDir, `${stamp}.json`);
  writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
  printTable(result);
  console.log(`\nresults: ${file}`);
}

const entry = process.argv.includes('--embedded') ? require('./embedded').main : main;
entry().catch((error) => {
  console.error(`bench failed: ${error.stack ?? error}`);
  process.exit(1);
});
