'use strict';
/**
 * `npm run bench -- --client`: a caller asking for random users' segments, through libs/client
 * (`segmentsOf`, coalescing on, maxStaleMs 0: nothing reused, every answer asked for) and through plain
 * single GETs, against one service on PostgreSQL, in the same run. Users per second at the caller and the
 * service process's CPU time per user (utime + stime of /proc/<pid>/stat around each load).
 *
 *   npm run bench -- --client [--users 100000] [--asks 10000] [--callers 64] [--rounds 3] [--no-build] [--keep-db]
 *
 * `--callers` concurrent callers each ask for one user at a time, as the page views of a service would;
 * the two ways alternate in rounds so that the machine's drift falls on both. docs/performance.md has the figures.
 */
const { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const { cpus, tmpdir } = require('node:os');
const { join, resolve } = require('node:path');
const { createDatabase, dropDatabase, seed } = require('./lib/database');
const { parseOptions } = require('./lib/options');
const { run, startService } = require('./lib/processes');

const ROOT = resolve(__dirname, '..');
const TARGETS = { usersPerSecondRatio: 5, cpuPerUserRatio: 0.2 };

const log = (message) => console.log(`[bench client ${new Date().toISOString().slice(11, 19)}] ${message}`);

/** CPU seconds (user + system) the process has used so far. */
function cpuSeconds(pid, ticksPerSecond) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond; // utime, stime: fields 14 and 15
}

/** Deterministic ids in 1..users (a linear congruential generator), so that every run asks the same. */
function randomUsers(count, users, seed) {
  let state = seed >>> 0;
  return Array.from({ length: count }, () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return 1 + (state % users);
  });
}

/** `callers` loops taking the next id until none is left; `ask(id)` resolves to the user's segments. */
async function askAll(ids, callers, ask) {
  let next = 0;
  let memberships = 0;
  const caller = async () => {
    while (next < ids.length) memberships += (await ask(ids[next++])).length;
  };
  await Promise.all(Array.from({ length: callers }, caller));
  return memberships;
}

async function measure({ name, ids, callers, ask, pid, ticksPerSecond }) {
  const cpuBefore = cpuSeconds(pid, ticksPerSecond);
  const started = process.hrtime.bigint();
  const memberships = await askAll(ids, callers, ask);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = cpuSeconds(pid, ticksPerSecond) - cpuBefore;
  return { name, users: ids.length, memberships, seconds, cpu_seconds: cpu };
}

function summarise(name, runs) {
  const users = runs.reduce((sum, r) => sum + r.users, 0);
  const seconds = runs.reduce((sum, r) => sum + r.seconds, 0);
  const cpu = runs.reduce((sum, r) => sum + r.cpu_seconds, 0);
  return {
    name,
    users,
    users_per_second: Math.round(users / seconds),
    service_cpu_ms_per_1000_users: Math.round((cpu / users) * 1e7) / 10,
    rounds: runs.map((r) => ({ users_per_second: Math.round(r.users / r.seconds), cpu_seconds: r.cpu_seconds })),
  };
}

async function main() {
  const options = parseOptions(
    process.argv.slice(2).filter((arg) => arg !== '--client'),
    { users: 100_000, asks: 10_000, callers: 64, rounds: 3, build: true, keepDb: false },
    { '--no-build': ['build', false], '--keep-db': ['keepDb', true] },
    __filename,
  );
  const serverUrl = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
  if (options.build) {
    log('npm run build');
    await run('npm', ['run', 'build'], { cwd: ROOT, inherit: true });
  }
  const { SegmentsClient } = require(join(ROOT, 'dist/libs/client/src/index.js'));
  const ticksPerSecond = Number((await run('getconf', ['CLK_TCK'])).stdout.trim()) || 100;
  const workDir = mkdtempSync(join(tmpdir(), 'segments-bench-client-'));
  const logFile = join(workDir, 'service.log');
  const database = await createDatabase(serverUrl);
  const serviceEnv = {
    DATABASE_URL: database.url,
    EXPIRY_SWEEP_SECONDS: '86400',
    WEB_CONCURRENCY: '1',
    LOG_LEVEL: 'warn',
  };
  let service;
  const result = {
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, cpu: cpus()[0]?.model, node: process.version },
    options,
    targets: TARGETS,
  };
  try {
    log(`database ${database.name}: migrations, then ${options.users} users`);
    service = await startService({ root: ROOT, env: serviceEnv, logFile });
    await service.stop();
    result.seed = await seed(database.url, options.users);
    service = await startService({ root: ROOT, env: serviceEnv, logFile });
    log(`service pid ${service.pid} at ${service.baseUrl}`);

    const client = new SegmentsClient({ baseUrl: service.baseUrl });
    const ways = {
      'single GETs': async (id) =>
        (await (await fetch(`${service.baseUrl}/api/v1/users/${id}/segments`)).json()).segments,
      'client, coalescing': (id) => client.segmentsOf(id),
    };
    const runs = Object.fromEntries(Object.keys(ways).map((name) => [name, []]));
    // Every user once (PostgreSQL's pages and the service's read cache alike warm for both ways), then each way.
    const everyone = Array.from({ length: options.users }, (_, i) => i + 1);
    await askAll(everyone, options.callers, ways['client, coalescing']);
    const warmup = randomUsers(2_000, options.users, 7);
    for (const ask of Object.values(ways)) await askAll(warmup, options.callers, ask);
    for (let round = 0; round < options.rounds; round++) {
      const ids = randomUsers(options.asks, options.users, 1000 + round);
      const order = round % 2 ? Object.keys(ways).reverse() : Object.keys(ways);
      for (const name of order) {
        const figures = await measure({
          name,
          ids,
          callers: options.callers,
          ask: ways[name],
          pid: service.pid,
          ticksPerSecond,
        });
        runs[name].push(figures);
        log(
          `round ${round + 1}, ${name}: ${Math.round(figures.users / figures.seconds)} users/s, ${figures.cpu_seconds.toFixed(2)} s service CPU`,
        );
      }
    }
    const [single, batched] = Object.entries(runs).map(([name, list]) => summarise(name, list));
    result.ways = [single, batched];
    result.ratios = {
      users_per_second: Math.round((batched.users_per_second / single.users_per_second) * 10) / 10,
      cpu_per_user:
        Math.round((batched.service_cpu_ms_per_1000_users / single.service_cpu_ms_per_1000_users) * 1000) / 1000,
    };
  } finally {
    await service?.stop();
    if (!options.keepDb) await dropDatabase(serverUrl, database.name).catch(() => undefined);
    rmSync(workDir, { recursive: true, force: true });
  }
  const resultsDir = join(ROOT, 'bench/results');
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, `client-${result.date.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
  console.log(`\n| way | users/s | service CPU ms per 1000 users |\n|---|---:|---:|`);
  for (const way of result.ways)
    console.log(`| ${way.name} | ${way.users_per_second} | ${way.service_cpu_ms_per_1000_users} |`);
  console.log(
    `\nclient vs single GETs: ${result.ratios.users_per_second}x users/s (target >= ${TARGETS.usersPerSecondRatio}x), ` +
      `${result.ratios.cpu_per_user}x service CPU per user (target <= ${TARGETS.cpuPerUserRatio}x)`,
  );
  console.log(`results: ${file}`);
}

module.exports = { main };
