#!/usr/bin/env node
'use strict';
/**
 * `npm run bench`: the service under HTTP load against what PostgreSQL itself does with the same SQL.
 *
 *   npm run bench -- [--users 100000] [--seconds 10] [--connections 32] [--no-build] [--bulk] [--keep-db]
 *   npm run bench -- --change-set [...] # instead of the loads: the change set's cost against its floor, part by part
 *   npm run bench -- --embedded [...]   # embedded PGlite instead: start-up, memory, loads (bench/embedded.js)
 *   npm run bench -- --client [...]     # libs/client's coalesced reads against single GETs (bench/client.js)
 *   npm run bench -- --bulk-reads [...] # embedded: reads during a bulk auto_percent change (bench/bulk-reads.js)
 *
 * Needs only PostgreSQL (DATABASE_URL names the server, default the local one); creates and drops its
 * own database. Uniform reads, Zipf (s = 1.0) reads and writes run against the service (read cache off
 * and on) and against bare Fastify routes on the same repository (the ceiling of the prescribed stack),
 * their loads interleaved in rounds; then against the service with WEB_CONCURRENCY=2; then pgbench runs
 * the read statement, the floor statement and the change set. Each load's cost is measured too: CPU per
 * answered request of the service and of PostgreSQL's backends, peak RSS. Results: tables on stdout, the
 * same as JSON under bench/results/. docs/performance.md explains the figures.
 */
const { mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync } = require('node:fs');
const { cpus, tmpdir } = require('node:os');
const { join, resolve } = require('node:path');
const { createDatabase, dropDatabase, seed, SEGMENTS } = require('./lib/database');
const { ensureWrk, runWrk, runAutocannon } = require('./lib/http-load');
const { captureStatements, readScript, floorScript, writeScript, runPgbench } = require('./lib/pgbench');
const { processTree, run, sleep, startService } = require('./lib/processes');
const { startCostMeter, perRequest, perCore } = require('./lib/cpu-cost');
const { runBulk } = require('./lib/bulk');
const { measureChangeSet } = require('./lib/change-set-cost');
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
  changeSetVsFloor: 0.8,
};

/** Users in the read cache when it is on (READ_CACHE_USERS; off by default). */
const CACHE_USERS = '50000';

/**
 * The service three ways: the cache off (the default) and on run side by side with the ceiling (below),
 * their loads interleaved in ROUNDS rounds so that the machine's drift (30 % between runs minutes apart
 * here) falls on all alike; then the cache on with two worker processes.
 */
const PAIRED = [
  { name: 'cache off (default)', env: { READ_CACHE_USERS: '0', WEB_CONCURRENCY: '1' } },
  { name: 'cache on', env: { READ_CACHE_USERS: CACHE_USERS, WEB_CONCURRENCY: '1' } },
];
/**
 * bench/lib/ceiling-server.js, bare Fastify routes on the same built repository: interleaved in the same
 * rounds as PAIRED, so that what the service costs beyond it is measured under the same machine load.
 */
const CEILING = { name: 'bare Fastify (ceiling)', env: {}, args: [join(__dirname, 'lib/ceiling-server.js')] };
const WORKERS = {
  name: 'cache on, 2 workers',
  env: { READ_CACHE_USERS: CACHE_USERS, WEB_CONCURRENCY: '2' },
  workers: 2,
};
const ROUNDS = 3;

function parseArgs(argv) {
  const options = parseOptions(
    argv,
    {
      users: 100_000,
      seconds: 10,
      connections: 32,
      warmup: 3,
      build: true,
      bulk: false,
      keepDb: false,
      changeSet: false,
    },
    {
      '--no-build': ['build', false],
      '--bulk': ['bulk', true],
      '--keep-db': ['keepDb', true],
      '--change-set': ['changeSet', true],
    },
    __filename,
  );
  if (options.users < 10) throw new Error('--users must be at least 10');
  return options;
}

/** A cluster's primary answers once its first worker listens: wait for the others too. */
async function waitForWorkers(pid, workers) {
  const deadline = Date.now() + 30_000;
  while (processTree(pid).length < workers + 1 && Date.now() < deadline) await sleep(200);
  await sleep(2_000); // the last one's start-up
}

/**
 * One load's figures from several rounds: rates, counts and CPU summed, p50 the median round's, p99 the
 * worst; CPU per answered request from the summed CPU, peak RSS the largest round's.
 */
function combine(rounds) {
  const requests = rounds.reduce((sum, round) => sum + round.requests, 0);
  const seconds = rounds.reduce((sum, round) => sum + round.requests / round.rate, 0);
  const sorted = rounds.map((round) => round.p50_ms).sort((a, b) => a - b);
  const cpu = (key) =>
    rounds.some((round) => round[key] === null) ? null : rounds.reduce((sum, round) => sum + round[key], 0);
  const pgUs = perRequest(cpu('pg_cpu_us'), requests);
  return {
    ...rounds[0],
    rate: Math.round((requests / seconds) * 10) / 10,
    requests,
    non2xx: rounds.reduce((sum, round) => sum + round.non2xx, 0),
    socket_errors: rounds.reduce((sum, round) => sum + round.socket_errors, 0),
    p50_ms: sorted[Math.floor(sorted.length / 2)],
    p99_ms: Math.max(...rounds.map((round) => round.p99_ms)),
    max_ms: Math.max(...rounds.map((round) => round.max_ms)),
    service_cpu_us: perRequest(cpu('service_cpu_us'), requests),
    pg_cpu_us: pgUs,
    per_pg_core: perCore(pgUs),
    peak_rss_mb: Math.max(...rounds.map((round) => round.peak_rss_mb ?? 0)),
    largest_process_rss_mb: Math.max(...rounds.map((round) => round.largest_process_rss_mb ?? 0)),
    rounds: rounds.length,
  };
}

/**
 * Uniform reads, Zipf reads and writes (each after a warm-up) against every service in `services`, in
 * `rounds` rounds that visit the services in turn; each round with its CPU cost (the service's processes,
 * the database's backends) and the service's peak RSS (`meter`: startCostMeter's options but the pid).
 */
async function measureServices({ load, loadOptions, options, services, rounds, meter }) {
  const figures = services.map(() => ({ read: [], zipf: [], write: [] }));
  const seconds = Math.max(2, Math.round(options.seconds / rounds));
  for (const [kind, warmup, label] of [
    ['read', options.warmup, 'uniform reads'],
    ['zipf', Math.max(1, Math.round(options.warmup / 2)), 'zipf reads'],
    ['write', Math.max(1, Math.round(options.warmup / 2)), 'writes'],
  ]) {
    for (const service of services) {
      if (warmup > 0) await load({ ...loadOptions, baseUrl: service.baseUrl, kind, seconds: warmup });
    }
    log(`  ${label}: ${rounds} x ${seconds} s each at ${options.connections} connections`);
    for (let round = 0; round < rounds; round++) {
      for (const [i, service] of services.entries()) {
        const cost = await startCostMeter({ ...meter, servicePid: service.pid });
        const figure = await load({ ...loadOptions, baseUrl: service.baseUrl, kind, seconds });
        figures[i][kind].push({ ...figure, ...(await cost.stop()) });
      }
    }
  }
  return figures.map((figure) => {
    const loads = { read: combine(figure.read), zipf: combine(figure.zipf), write: combine(figure.write) };
    const largest = Math.max(...Object.values(loads).map((figures) => figures.largest_process_rss_mb));
    return { ...loads, largest_process_rss_mb: largest };
  });
}

/**
 * The HTTP loads and pgbench: the paired services and the ceiling interleaved, then two workers, then
 * pgbench's read, floor and change-set statements. Fills `result`.
 */
async function measureHttp({ result, options, serviceEnv, logFile, workDir, threads, database, serverUrl, captured }) {
  const useWrk = await ensureWrk();
  const load = useWrk ? runWrk : runAutocannon;
  if (!useWrk) log('wrk is not available: using autocannon');
  const loadOptions = { users: options.users, segments: SEGMENTS, connections: options.connections, threads, workDir };
  const meter = { monitorUrl: serverUrl, database: database.name };
  const pgOptions = {
    databaseUrl: database.url,
    workDir,
    connections: options.connections,
    threads,
    seconds: options.seconds,
    meter,
  };
  const running = [];
  const start = async (variant) => {
    running.push(
      await startService({ root: ROOT, env: { ...serviceEnv, ...variant.env }, logFile, args: variant.args }),
    );
    log(`${variant.name}: pid ${running.at(-1).pid} at ${running.at(-1).baseUrl}`);
    return running.at(-1);
  };
  const stopAll = () => Promise.all(running.splice(0).map((started) => started.stop()));
  try {
    // Every variant in this one run, so that their ratios share the machine's load at the time.
    result.variants = [];
    const paired = [];
    for (const variant of [...PAIRED, CEILING]) paired.push(await start(variant));
    const figures = await measureServices({ load, loadOptions, options, services: paired, rounds: ROUNDS, meter });
    PAIRED.forEach((variant, i) => result.variants.push({ name: variant.name, env: variant.env, ...figures[i] }));
    const ceiling = figures[PAIRED.length];
    await stopAll();
    const workers = await start(WORKERS);
    await waitForWorkers(workers.pid, WORKERS.workers);
    const [workerFigures] = await measureServices({
      load,
      loadOptions,
      options,
      services: [workers],
      rounds: 1,
      meter,
    });
    result.variants.push({ name: WORKERS.name, env: WORKERS.env, ...workerFigures });
    await stopAll();

    log('pgbench: the read statement, the floor statement, the change set');
    const pgRead = await runPgbench({ ...pgOptions, name: 'read', script: readScript(captured, options.users) });
    const pgFloor = await runPgbench({ ...pgOptions, name: 'floor', script: floorScript(options.users) });
    const pgWrite = await runPgbench({
      ...pgOptions,
      name: 'write',
      script: writeScript(captured, options.users, SEGMENTS),
    });

    const ratio = (service, limit) => Math.round((service.rate / limit.rate) * 100) / 100;
    const cpuRatio = (service, limit) =>
      service.service_cpu_us && limit.service_cpu_us
        ? Math.round((service.service_cpu_us / limit.service_cpu_us) * 100) / 100
        : null;
    const [off, on, two] = result.variants;
    result.ceiling = { name: CEILING.name, ...ceiling };
    result.read = { service: off.read, pgbench: pgRead, ratio: ratio(off.read, pgRead) };
    result.read_floor = { pgbench: pgFloor, statement_ratio: ratio(pgRead, pgFloor) };
    result.read_ceiling = { service: ceiling.read, pgbench: pgRead, ratio: ratio(ceiling.read, pgRead) };
    result.write_ceiling = { service: ceiling.write, pgbench: pgWrite, ratio: ratio(ceiling.write, pgWrite) };
    result.write = { service: off.write, pgbench: pgWrite, ratio: ratio(off.write, pgWrite) };
    result.versus_ceiling = Object.fromEntries(
      PAIRED.map((variant, i) => [
        variant.name,
        { rate: ratio(result.variants[i].read, ceiling.read), cpu: cpuRatio(result.variants[i].read, ceiling.read) },
      ]),
    );
    result.cache = {
      uniform_on_vs_off: ratio(on.read, off.read),
      zipf_on_vs_off: ratio(on.zipf, off.zipf),
    };
    result.workers = {
      uniform_2_vs_1: ratio(two.read, on.read),
      zipf_2_vs_1: ratio(two.zipf, on.zipf),
      write_2_vs_1: ratio(two.write, on.write),
    };
    result.peak_rss_mb = Math.max(...result.variants.map((variant) => variant.largest_process_rss_mb));
  } finally {
    await stopAll();
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

    if (options.changeSet) {
      log('the change set against its floor, part by part, on a copy of the database');
      result.change_set = await measureChangeSet({
        serverUrl,
        database,
        captured,
        options,
        pgbench: { workDir, connections: options.connections, threads },
        log,
      });
    } else {
      await measureHttp({ result, options, serviceEnv, logFile, workDir, threads, database, serverUrl, captured });
      if (options.bulk) {
        service = await startService({ root: ROOT, env: serviceEnv, logFile });
        result.bulk = await runBulk({ root: ROOT, service, database, serviceEnv, workDir, log });
      } else {
        result.bulk = { skipped: 'bulk figures run with --bulk' };
      }
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
  : process.argv.includes('--client')
    ? require('./client').main
    : process.argv.includes('--bulk-reads')
      ? require('./bulk-reads').main
      : main;
entry().catch((error) => {
  console.error(`bench failed: ${error.stack ?? error}`);
  process.exit(1);
});
