#!/usr/bin/env node
'use strict';
/**
 * `npm run bench`: the service under HTTP load against what PostgreSQL itself does with the same SQL.
 *
 *   npm run bench -- [--users 100000] [--seconds 10] [--connections 32] [--no-build] [--bulk] [--keep-db]
 *   npm run bench -- --embedded [...]   # embedded PGlite instead: start-up, memory, loads (bench/embedded.js)
 *   npm run bench -- --bulk-reads [...] # embedded: reads during a bulk auto_percent change (bench/bulk-reads.js)
 *
 * Needs only PostgreSQL (DATABASE_URL names the server, default the local one); creates and drops its
 * own database. Uniform reads, Zipf (s = 1.0) reads and writes run against the service three ways in
 * one run (read cache off and on side by side, their loads interleaved in rounds; then on with
 * WEB_CONCURRENCY=2), then pgbench runs the read statement, the
 * floor statement and the change set, and bare Fastify routes on the same repository give the ceiling
 * of the prescribed stack. Results: tables on stdout, the same as JSON under bench/results/.
 * docs/performance.md explains the figures.
 */
const { mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync } = require('node:fs');
const { cpus, tmpdir } = require('node:os');
const { join, resolve } = require('node:path');
const { createDatabase, dropDatabase, seed, SEGMENTS } = require('./lib/database');
const { ensureWrk, runWrk, runAutocannon } = require('./lib/http-load');
const { captureStatements, readScript, floorScript, writeScript, runPgbench } = require('./lib/pgbench');
const { processTree, run, sampleRss, sleep, startService } = require('./lib/processes');
const { runBulk } = require('./lib/bulk');
const { printTable } = require('./lib/report-table');
const { parseOptions } = require('./lib/options');

const ROOT = resolve(__dirname, '..');
const TARGETS = {
  readRatio: 0.8,
  readP99Ms: 10,
  writeRatio: 0.5,
  rssMb: 300,
  cacheUniform: 2,
  cacheZipf: 1.5,
  statementVsFloor: 0.9,
};

/**
 * The service three ways: the cache off and on (the default) run side by side, their loads interleaved in
 * ROUNDS rounds so that the machine's drift (30 % between runs minutes apart here) falls on both alike;
 * then the cache on with two worker processes.
 */
const PAIRED = [
  { name: 'cache off', env: { READ_CACHE_USERS: '0', WEB_CONCURRENCY: '1' } },
  { name: 'cache on', env: { WEB_CONCURRENCY: '1' } },
];
const WORKERS = { name: 'cache on, 2 workers', env: { WEB_CONCURRENCY: '2' }, workers: 2 };
const ROUNDS = 3;

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
  const server = await startService({
    root: ROOT,
    env: serviceEnv,
    logFile,
    args: [join(__dirname, 'lib/ceiling-server.js')],
  });
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

/** A cluster's primary answers once its first worker listens: wait for the others too. */
async function waitForWorkers(pid, workers) {
  const deadline = Date.now() + 30_000;
  while (processTree(pid).length < workers + 1 && Date.now() < deadline) await sleep(200);
  await sleep(2_000); // the last one's start-up
}

/** One load's figures from several rounds: rates and counts summed, p50 the median round's, p99 the worst. */
function combine(rounds) {
  const requests = rounds.reduce((sum, round) => sum + round.requests, 0);
  const seconds = rounds.reduce((sum, round) => sum + round.requests / round.rate, 0);
  const sorted = rounds.map((round) => round.p50_ms).sort((a, b) => a - b);
  return {
    ...rounds[0],
    rate: Math.round((requests / seconds) * 10) / 10,
    requests,
    non2xx: rounds.reduce((sum, round) => sum + round.non2xx, 0),
    socket_errors: rounds.reduce((sum, round) => sum + round.socket_errors, 0),
    p50_ms: sorted[Math.floor(sorted.length / 2)],
    p99_ms: Math.max(...rounds.map((round) => round.p99_ms)),
    max_ms: Math.max(...rounds.map((round) => round.max_ms)),
    rounds: rounds.length,
  };
}

/**
 * Uniform reads, Zipf reads and writes (each after a warm-up) against every service in `services`, in
 * `rounds` rounds that visit the services in turn; with the largest process's RSS of each.
 */
async function measureServices({ load, loadOptions, options, services, rounds }) {
  const rss = services.map((service) => sampleRss(service.pid));
  const figures = services.map(() => ({ read: [], zipf: [], write: [] }));
  const seconds = Math.max(2, Math.round(options.seconds / rounds));
  for (const [kind, warmup, label] of [
    ['read', options.warmup, 'uniform reads'],
    ['zipf', Math.max(1, Math.round(options.warmup / 2)), 'zipf reads'],
    ['write', Math.max(1, Math.round(options.warmup / 2)), 'writes'],
  ]) {
    if (kind === 'write') rss.forEach((sampler) => sampler.stop());
    for (const service of services) {
      if (warmup > 0) await load({ ...loadOptions, baseUrl: service.baseUrl, kind, seconds: warmup });
    }
    log(`  ${label}: ${rounds} x ${seconds} s each at ${options.connections} connections`);
    for (let round = 0; round < rounds; round++) {
      for (const [i, service] of services.entries()) {
        figures[i][kind].push(await load({ ...loadOptions, baseUrl: service.baseUrl, kind, seconds }));
      }
    }
  }
  return figures.map((figure, i) => ({
    read: combine(figure.read),
    zipf: combine(figure.zipf),
    write: combine(figure.write),
    largest_process_rss_mb: rss[i].largestMb(),
  }));
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
    options: {
      ...options,
      pool_size: process.env.DATABASE_POOL_SIZE ?? 'default',
      web_concurrency: process.env.WEB_CONCURRENCY ?? 'unset',
    },
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

    const useWrk = await ensureWrk();
    const load = useWrk ? runWrk : runAutocannon;
    if (!useWrk) log('wrk is not available: using autocannon');
    const loadOptions = {
      users: options.users,
      segments: SEGMENTS,
      connections: options.connections,
      threads,
      workDir,
    };
    const pgOptions = {
      databaseUrl: database.url,
      workDir,
      connections: options.connections,
      threads,
      seconds: options.seconds,
    };

    // Every variant in this one run, so that their ratios share the machine's load at the time.
    result.variants = [];
    const paired = [];
    service = { stop: () => Promise.all(paired.map((started) => started.stop())) };
    for (const variant of PAIRED) {
      paired.push(await startService({ root: ROOT, env: { ...serviceEnv, ...variant.env }, logFile }));
      log(`${variant.name}: service pid ${paired.at(-1).pid} at ${paired.at(-1).baseUrl}`);
    }
    const pairedFigures = await measureServices({ load, loadOptions, options, services: paired, rounds: ROUNDS });
    PAIRED.forEach((variant, i) => result.variants.push({ name: variant.name, env: variant.env, ...pairedFigures[i] }));
    await service.stop();
    service = await startService({ root: ROOT, env: { ...serviceEnv, ...WORKERS.env }, logFile });
    await waitForWorkers(service.pid, WORKERS.workers);
    log(`${WORKERS.name}: service pid ${service.pid} at ${service.baseUrl}`);
    const [workerFigures] = await measureServices({ load, loadOptions, options, services: [service], rounds: 1 });
    result.variants.push({ name: WORKERS.name, env: WORKERS.env, ...workerFigures });
    await service.stop();
    service = undefined;

    log('pgbench: the read statement, the floor statement, the change set');
    const pgRead = await runPgbench({ ...pgOptions, name: 'read', script: readScript(captured, options.users) });
    const pgFloor = await runPgbench({ ...pgOptions, name: 'floor', script: floorScript(options.users) });
    const pgWrite = await runPgbench({
      ...pgOptions,
      name: 'write',
      script: writeScript(captured, options.users, SEGMENTS),
    });
    const ceiling = await measureCeiling({
      serviceEnv,
      logFile,
      load,
      loadOptions,
      seconds: options.seconds,
      warmup: options.warmup,
    });

    const ratio = (service, limit) => Math.round((service.rate / limit.rate) * 100) / 100;
    const [off, on, workers] = result.variants;
    result.read = { service: on.read, pgbench: pgRead, ratio: ratio(on.read, pgRead) };
    result.read_floor = { pgbench: pgFloor, statement_ratio: ratio(pgRead, pgFloor) };
    result.read_ceiling = { service: ceiling.read, pgbench: pgRead, ratio: ratio(ceiling.read, pgRead) };
    result.write_ceiling = { service: ceiling.write, pgbench: pgWrite, ratio: ratio(ceiling.write, pgWrite) };
    result.write = { service: on.write, pgbench: pgWrite, ratio: ratio(on.write, pgWrite) };
    result.cache = {
      uniform_on_vs_off: ratio(on.read, off.read),
      zipf_on_vs_off: ratio(on.zipf, off.zipf),
    };
    result.workers = {
      uniform_2_vs_1: ratio(workers.read, on.read),
      zipf_2_vs_1: ratio(workers.zipf, on.zipf),
      write_2_vs_1: ratio(workers.write, on.write),
    };
    result.peak_rss_mb = Math.max(...result.variants.map((variant) => variant.largest_process_rss_mb));

    if (options.bulk) {
      service = await startService({ root: ROOT, env: serviceEnv, logFile });
      result.bulk = await runBulk({ root: ROOT, service, database, serviceEnv, workDir, log });
    } else {
      result.bulk = { skipped: 'bulk figures run with --bulk' };
    }
    await service?.stop();
  } finally {
    await stopAll();
    rmSync(workDir, { recursive: true, force: true });
  }

  const file = join(resultsDir, `${stamp}.json`);
  writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
  printTable(result);
  console.log(`\nresults: ${file}`);
}

const entry = process.argv.includes('--embedded')
  ? require('./embedded').main
  : process.argv.includes('--bulk-reads')
    ? require('./bulk-reads').main
    : main;
entry().catch((error) => {
  console.error(`bench failed: ${error.stack ?? error}`);
  process.exit(1);
});
