#!/usr/bin/env node
'use strict';
/**
 * `npm run bench:replicas`: reads per second of users' segments (GET /api/v1/users/{id}/segments) with
 * no replica and with one streaming replica configured, on a private primary + replica started here.
 *
 *   npm run bench:replicas -- [--users 100000] [--seconds 10] [--rounds 2] [--connections 32] [--no-build]
 *
 * Rounds alternate (0 replicas, 1 replica, 0, 1, ...) so that a noisy machine's drift hits both alike.
 * Each run also reads the service's segments_db_reads_total, to show where its reads went.
 * docs/scaling.md explains the figures.
 */
const { mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync } = require('node:fs');
const { cpus, tmpdir } = require('node:os');
const { join, resolve } = require('node:path');
const { createDatabase, seed, SEGMENTS, withClient, withDatabase } = require('./lib/database');
const { ensureWrk, runWrk, runAutocannon } = require('./lib/http-load');
const { run, sleep, startService } = require('./lib/processes');
const { parseOptions } = require('./lib/options');
const { startReplicaPair } = require('./lib/replica-pair');

const ROOT = resolve(__dirname, '..');

function parseArgs(argv) {
  return parseOptions(
    argv,
    { users: 100_000, seconds: 10, rounds: 2, connections: 32, warmup: 3, build: true },
    { '--no-build': ['build', false] },
    __filename,
  );
}

const log = (message) => console.log(`[bench:replicas ${new Date().toISOString().slice(11, 19)}] ${message}`);

/** Waits until the replica has replayed everything the primary has written so far. */
async function replicaCaughtUp(primaryUrl, replicaUrl) {
  const target = await withClient(
    primaryUrl,
    async (c) => (await c.query('SELECT pg_current_wal_lsn() AS lsn')).rows[0].lsn,
  );
  for (;;) {
    const done = await withClient(
      replicaUrl,
      async (c) => (await c.query('SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS done', [target])).rows[0].done,
    );
    if (done) return;
    await sleep(200);
  }
}

async function readsByDatabase(baseUrl) {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  return Object.fromEntries(
    [...text.matchAll(/^segments_db_reads_total\{database="([^"]+)"\} (\S+)$/gm)].map((m) => [m[1], Number(m[2])]),
  );
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  if (options.build) await run('npm', ['run', 'build'], { cwd: ROOT, inherit: true });
  if (!existsSync(join(ROOT, 'dist/apps/api/src/main.js'))) throw new Error('dist/ is missing: run without --no-build');
  const workDir = mkdtempSync(join(tmpdir(), 'segments-bench-replicas-'));
  const logFile = join(workDir, 'service.log');
  log('starting a private primary and a streaming replica');
  const pair = await startReplicaPair();
  let service;
  try {
    const database = await createDatabase(pair.primaryUrl);
    const replicaUrl = withDatabase(pair.replicaUrl, database.name);
    const base = { DATABASE_URL: database.url, EXPIRY_SWEEP_SECONDS: '86400', LOG_LEVEL: 'warn' };
    service = await startService({ root: ROOT, env: base, logFile }); // migrations
    await service.stop();
    const seeded = await seed(database.url, options.users);
    log(`seeded ${seeded.users} users, ${seeded.memberships} memberships; waiting for the replica to replay them`);
    await replicaCaughtUp(database.url, replicaUrl);

    const useWrk = await ensureWrk();
    const load = useWrk ? runWrk : runAutocannon;
    const threads = Math.max(1, Math.min(2, cpus().length));
    const runs = [];
    for (let round = 1; round <= options.rounds; round++) {
      for (const replicas of [0, 1]) {
        const env = replicas === 0 ? base : { ...base, DATABASE_REPLICA_URLS: replicaUrl };
        service = await startService({ root: ROOT, env, logFile });
        const loadOptions = {
          baseUrl: service.baseUrl,
          users: options.users,
          segments: SEGMENTS,
          connections: options.connections,
          threads,
          workDir,
          kind: 'read',
        };
        if (options.warmup > 0) await load({ ...loadOptions, seconds: options.warmup });
        const before = await readsByDatabase(service.baseUrl);
        const result = await load({ ...loadOptions, seconds: options.seconds });
        const after = await readsByDatabase(service.baseUrl);
        const went = Object.fromEntries(
          Object.entries(after).map(([name, n]) => [name === 'primary' ? name : 'replica', n - (before[name] ?? 0)]),
        );
        await service.stop();
        service = undefined;
        runs.push({
          round,
          replicas,
          rate: result.rate,
          p50_ms: result.p50_ms,
          p99_ms: result.p99_ms,
          non2xx: result.non2xx,
          statements: went,
        });
        log(
          `round ${round}, ${replicas} replica(s): ${result.rate} reads/s, p99 ${result.p99_ms} ms, statements ${JSON.stringify(went)}`,
        );
      }
    }
    const mean = (replicas) => {
      const rates = runs.filter((r) => r.replicas === replicas).map((r) => r.rate);
      return Math.round(rates.reduce((a, b) => a + b, 0) / rates.length);
    };
    const summary = {
      zero_replicas: mean(0),
      one_replica: mean(1),
      ratio: Math.round((mean(1) / mean(0)) * 100) / 100,
    };
    const result = {
      date: new Date().toISOString(),
      machine: { cpus: cpus().length, node: process.version },
      options,
      tool: useWrk ? 'wrk' : 'autocannon',
      runs,
      summary,
    };
    mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
    const file = join(ROOT, 'bench/results', `replicas-${result.date.replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
    console.log(
      `\nreads/s, mean of ${options.rounds} rounds: 0 replicas ${summary.zero_replicas}, 1 replica ${summary.one_replica} (x${summary.ratio})\nresults: ${file}`,
    );
  } finally {
    await service?.stop();
    pair.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(`bench:replicas failed: ${error.stack ?? error}`);
  process.exit(1);
});
