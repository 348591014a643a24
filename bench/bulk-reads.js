'use strict';
/**
 * `npm run bench -- --bulk-reads`: how long a read waits behind bulk work in embedded mode (one PGlite
 * session). The service starts on a new DATA_DIR, the CLI imports the users beside it, a segment is
 * created at 40%; then PATCH auto_percent 40 -> 95 runs while one client reads GET /users/:id/segments
 * back to back (a new read as soon as the last one answers). Reported: the PATCH's time, the number of
 * reads answered during it, their p50/p99/max latency (the target: max about 100 ms).
 *
 *   npm run bench -- --bulk-reads [--users 200000] [--no-build]
 */
const { mkdtempSync, rmSync, writeFileSync, mkdirSync } = require('node:fs');
const { cpus, tmpdir } = require('node:os');
const { join, resolve } = require('node:path');
const { api } = require('./lib/api');
const { parseOptions } = require('./lib/options');
const { run, startService } = require('./lib/processes');

const ROOT = resolve(__dirname, '..');
const TARGET_MAX_MS = 100;
const log = (message) => console.log(`[bench bulk-reads ${new Date().toISOString().slice(11, 19)}] ${message}`);
const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];
const round = (ms) => Math.round(ms * 10) / 10;

/** Reads user segments back to back until `done` settles; answers each read's latency (ms) and failures. */
async function readWhile(baseUrl, users, done) {
  let finished = false;
  done.then(
    () => (finished = true),
    () => (finished = true),
  );
  const latencies = [];
  const failures = {};
  for (let i = 0; !finished; i++) {
    const user = 1 + ((i * 7919) % users);
    const started = performance.now();
    const response = await fetch(`${baseUrl}/api/v1/users/${user}/segments`);
    await response.arrayBuffer();
    if (finished) break;
    latencies.push(performance.now() - started);
    if (response.status !== 200) failures[response.status] = (failures[response.status] ?? 0) + 1;
  }
  return { latencies, failures };
}

async function main() {
  const options = parseOptions(
    process.argv.slice(2),
    { users: 200_000, build: true },
    { '--bulk-reads': ['bulkReads', true], '--no-build': ['build', false] },
    __filename,
  );
  if (options.build) await run('npm', ['run', 'build'], { cwd: ROOT, inherit: true });
  const workDir = mkdtempSync(join(tmpdir(), 'segments-bench-bulk-reads-'));
  const dataDir = join(workDir, 'data');
  const result = {
    date: new Date().toISOString(),
    mode: 'embedded PGlite, reads during PATCH auto_percent 40 -> 95',
    machine: { cpus: cpus().length, cpu: cpus()[0]?.model, node: process.version },
    options,
  };
  let service;
  try {
    service = await startService({
      root: ROOT,
      env: { DATA_DIR: dataDir, EXPIRY_SWEEP_SECONDS: '86400' },
      logFile: join(workDir, 'service.log'),
    });
    const ids = join(workDir, 'ids.txt');
    writeFileSync(ids, Array.from({ length: options.users }, (_, i) => i + 1).join('\n') + '\n');
    log(`import-users: ${options.users} ids through the running service`);
    await run(process.execPath, [join(ROOT, 'dist/apps/cli/src/main.js'), 'import-users', ids], {
      cwd: ROOT,
      env: { ...process.env, DATA_DIR: dataDir },
    });
    await api(service.baseUrl, 'POST', '/api/v1/segments', { slug: 'BENCH_BULK', auto_percent: 40 });

    log('PATCH auto_percent 40 -> 95 while reading');
    const started = performance.now();
    const patch = api(service.baseUrl, 'PATCH', '/api/v1/segments/BENCH_BULK', { auto_percent: 95 });
    const { latencies, failures } = await readWhile(service.baseUrl, options.users, patch);
    latencies.sort((a, b) => a - b);
    await patch;
    result.patch_s = round(performance.now() - started) / 1000;
    result.reads = {
      answered: latencies.length,
      p50_ms: round(percentile(latencies, 50) ?? 0),
      p99_ms: round(percentile(latencies, 99) ?? 0),
      max_ms: round(latencies.at(-1) ?? 0),
      failed: failures,
      target_max_ms: TARGET_MAX_MS,
    };
  } finally {
    await service?.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
  const resultsDir = join(ROOT, 'bench/results');
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, `bulk-reads-${result.date.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
  const { reads } = result;
  console.log(
    `\nPATCH auto_percent 40 -> 95 over ${options.users} users: ${result.patch_s} s; ${reads.answered} reads meanwhile, ` +
      `p50 ${reads.p50_ms} ms, p99 ${reads.p99_ms} ms, max ${reads.max_ms} ms, failed ${JSON.stringify(reads.failed)} ` +
      `(target max <= ${TARGET_MAX_MS}: ${reads.max_ms <= TARGET_MAX_MS ? 'ok' : 'MISSED'})`,
  );
  console.log(`results: ${file}`);
}

module.exports = { main };
