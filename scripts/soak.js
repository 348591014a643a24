#!/usr/bin/env node
'use strict';
/**
 * Soak: a bounded mixed load against the built service on a fresh PostgreSQL database, with the
 * expiry cleaner running every 2 s. Passes when no request failed, the service's RSS grew less than
 * 10 % after warm-up, and SIGTERM stopped it cleanly. Not part of CI.
 *
 *   npm run soak                      # 10 minutes
 *   npm run soak -- --minutes 2 --concurrency 8
 *   npm run soak -- --embedded        # on embedded PGlite in a new DATA_DIR instead of PostgreSQL
 *   npm run soak -- --minutes 3 --hostile   # plus a hostile client (scripts/lib/soak-hostile.js); normal reads' p99 must stay under 50 ms
 *   npm run soak -- --minutes 1 --hostile --hostile-loops wide,reports   # only those hostile loops (or none: to see what each costs)
 *
 * The database server: SOAK_DATABASE_URL, TEST_DATABASE_URL or DATABASE_URL (a database is created
 * there and dropped afterwards), default postgresql://postgres@127.0.0.1:5432/postgres.
 */
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { createDatabase, ensureBuilt, startService } = require('./lib/soak-service');
const { monitorEventLoopDelay } = require('node:perf_hooks');
const { HOSTILE_LOOPS, runHostile } = require('./lib/soak-hostile');
const { client, runLoad, seed } = require('./lib/soak-workload');

const MAX_RSS_GROWTH = 0.1;
const MAX_HOSTILE_READ_P99_MS = 50;
const SAMPLE_EVERY_MS = 2_000;

function option(name, fallback) {
  const index = process.argv.indexOf(`--${name}`);
  if (index === -1) return fallback;
  const value = Number(process.argv[index + 1]);
  if (!(value > 0)) throw new Error(`--${name} needs a positive number`);
  return value;
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor(sorted.length / 2)] : NaN;
};
const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];
const mib = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/** The value of a Prometheus counter or gauge in /metrics text, summed over its labels. */
function metric(text, name) {
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name} `) || line.startsWith(`${name}{`))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

async function main() {
  const minutes = option('minutes', 10);
  const concurrency = option('concurrency', 8);
  const hostile = process.argv.includes('--hostile');
  const loopsIndex = process.argv.indexOf('--hostile-loops');
  // `none`: the service set up as for --hostile, but no hostile request (the baseline each loop is compared with).
  const loopsText = loopsIndex === -1 ? HOSTILE_LOOPS.join(',') : (process.argv[loopsIndex + 1] ?? '');
  const hostileLoops = loopsText === 'none' ? [] : loopsText.split(',');
  const unknownLoops = hostileLoops.filter((name) => !HOSTILE_LOOPS.includes(name));
  if (unknownLoops.length) throw new Error(`--hostile-loops takes some of ${HOSTILE_LOOPS.join(',')}`);
  const durationMs = minutes * 60_000;
  // Warm-up: a fifth of the run, 20 s to 2 min. After it, the median RSS of the second half is compared with
  // that of the first half: a leak raises the whole level, while a passing spike moves neither median much.
  const warmupMs = Math.min(120_000, Math.max(20_000, durationMs / 5));
  const halfMs = (durationMs - warmupMs) / 2;
  const serverUrl =
    process.env.SOAK_DATABASE_URL ??
    process.env.TEST_DATABASE_URL ??
    process.env.DATABASE_URL ??
    'postgresql://postgres@127.0.0.1:5432/postgres';

  const embedded = process.argv.includes('--embedded');

  ensureBuilt();
  // Embedded: the service's own PGlite in dataDir, which goes at the end with everything else.
  const database = embedded ? { url: undefined, drop: async () => undefined } : await createDatabase(serverUrl);
  const dataDir = mkdtempSync(join(tmpdir(), 'segments-soak-'));
  let service;
  let sampler;
  const cleanUp = async () => {
    clearInterval(sampler);
    const stopped = service ? await service.stop() : undefined;
    await database.drop().catch((error) => console.error(`could not drop the soak database: ${error.message}`));
    rmSync(dataDir, { recursive: true, force: true });
    return stopped;
  };
  process.once('SIGINT', () => void cleanUp().then(() => process.exit(130)));

  try {
    service = await startService({
      ...(embedded ? {} : { DATABASE_URL: database.url }),
      DATA_DIR: dataDir,
      EXPIRY_SWEEP_SECONDS: '2',
      // The hostile client's random keys count against its own address (127.0.0.2), not the normal load's.
      ...(hostile ? { RATE_LIMIT_PER_MINUTE: '100000', HTTP_REQUEST_TIMEOUT_MS: '5000' } : {}),
    });
    const send = client(service.baseUrl, 1);
    await seed(send);
    const docs = JSON.parse((await send('GET', '/docs-json')).text);
    const reports = Boolean(docs.paths?.['/api/v1/reports/history']);
    console.log(
      `soak: ${minutes} min, ${concurrency} concurrent clients, ${embedded ? 'embedded PGlite' : 'PostgreSQL'}, service pid ${service.pid}, ` +
        `warm-up ${warmupMs / 1000} s, reports ${reports ? 'on' : 'absent'}` +
        (hostile ? `, hostile loops ${hostileLoops.join(',') || 'none'}` : ''),
    );

    // The load's own event loop: a read answered while it is blocked is timed late (the hostile client shares it).
    const loadDelay = monitorEventLoopDelay({ resolution: 10 });
    loadDelay.enable();
    const started = Date.now();
    const samples = [];
    sampler = setInterval(() => {
      const elapsed = Date.now() - started;
      samples.push({ elapsed, rss: service.rss() });
      if (samples.length % 15 === 0) console.log(`  ${(elapsed / 1000).toFixed(0)} s: RSS ${mib(samples.at(-1).rss)}`);
    }, SAMPLE_EVERY_MS);
    const until = () => Date.now() - started < durationMs;
    const [tally, hostileTally] = await Promise.all([
      runLoad({ baseUrl: service.baseUrl, concurrency, reports, until, reportStatuses: hostile ? [200, 503] : [200] }),
      hostile ? runHostile({ baseUrl: service.baseUrl, until, only: hostileLoops }) : undefined,
    ]);
    const elapsedS = (Date.now() - started) / 1000;
    loadDelay.disable();
    clearInterval(sampler);
    const metrics = (await send('GET', '/metrics')).text;

    const firstHalf = samples.filter((s) => s.elapsed >= warmupMs && s.elapsed < warmupMs + halfMs).map((s) => s.rss);
    const secondHalf = samples.filter((s) => s.elapsed >= warmupMs + halfMs).map((s) => s.rss);
    const baseline = median(firstHalf);
    const final = median(secondHalf);
    const growth = final / baseline - 1;
    const sorted = [...tally.latencies].sort((a, b) => a - b);
    const reads = [...tally.readLatencies].sort((a, b) => a - b);
    const stopped = await cleanUp();
    service = undefined;

    console.log('\nsoak figures');
    console.log(
      `  requests          ${tally.requests} in ${elapsedS.toFixed(0)} s (${(tally.requests / elapsedS).toFixed(0)}/s)`,
    );
    console.log(`  by operation      ${JSON.stringify(tally.byOperation)}`);
    console.log(
      `  errors            ${tally.errors}${tally.examples.length ? `\n    ${tally.examples.join('\n    ')}` : ''}`,
    );
    console.log(
      `  latency (ms)      p50 ${percentile(sorted, 50).toFixed(1)}  p95 ${percentile(sorted, 95).toFixed(1)}  ` +
        `p99 ${percentile(sorted, 99).toFixed(1)}  max ${sorted.at(-1).toFixed(1)}`,
    );
    console.log(
      `  user segments     p50 ${percentile(reads, 50).toFixed(1)}  p99 ${percentile(reads, 99).toFixed(1)}  max ${reads.at(-1).toFixed(1)} (ms)`,
    );
    console.log(
      `  load's event loop delayed p99 ${(loadDelay.percentile(99) / 1e6).toFixed(1)}  max ${(loadDelay.max / 1e6).toFixed(1)} (ms, timer resolution 10 ms)`,
    );
    if (hostileTally) {
      console.log(
        `  hostile client    ${hostileTally.requests} requests, by status ${JSON.stringify(hostileTally.byStatus)}`,
      );
      console.log(
        `  hostile errors    ${hostileTally.errors}${hostileTally.examples.length ? `\n    ${hostileTally.examples.join('\n    ')}` : ''}`,
      );
    }
    console.log(`  memberships ended by the cleaner  ${metric(metrics, 'segments_memberships_expired_total')}`);
    console.log(
      `  RSS               at start ${mib(samples[0].rss)}; after warm-up: first half median ${mib(baseline)} ` +
        `(min ${mib(Math.min(...firstHalf))}), second half median ${mib(final)} (min ${mib(Math.min(...secondHalf))}); ` +
        `max ${mib(Math.max(...samples.map((s) => s.rss)))}; growth ${(growth * 100).toFixed(1)} %`,
    );
    console.log(`  SIGTERM           exit ${stopped.code ?? stopped.signal} after ${stopped.ms} ms`);

    const failures = [
      tally.errors > 0 && `${tally.errors} requests failed`,
      hostileTally?.errors > 0 && `${hostileTally.errors} hostile requests got a wrong answer`,
      hostileTally &&
        !(percentile(reads, 99) < MAX_HOSTILE_READ_P99_MS) &&
        `normal reads' p99 is ${percentile(reads, 99).toFixed(1)} ms under attack`,
      !(growth < MAX_RSS_GROWTH) &&
        `RSS grew ${(growth * 100).toFixed(1)} % after warm-up (limit ${MAX_RSS_GROWTH * 100} %)`,
      stopped.code !== 0 && `the service exited with ${stopped.code ?? stopped.signal} on SIGTERM`,
    ].filter(Boolean);
    console.log(failures.length ? `\nsoak FAILED: ${failures.join('; ')}` : '\nsoak passed');
    process.exitCode = failures.length ? 1 : 0;
  } catch (error) {
    if (service) console.error(service.output());
    await cleanUp();
    throw error;
  }
}

main().catch((error) => {
  console.error(`soak failed: ${error.stack ?? error.message}`);
  process.exit(1);
});
