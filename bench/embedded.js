'use strict';
/**
 * `npm run bench -- --embedded`: the service on embedded PGlite, the mode the README's start command
 * gives every new user. No PostgreSQL is involved, so there is no pgbench to compare with: the figures
 * are the issue's own targets (start <= 2 s, RSS <= 300 MB) and the rates under the same HTTP loads.
 *
 *   npm run bench -- --embedded [--users 200000] [--seconds 10] [--connections 8] [--no-build]
 *
 * Steps: start on a new DATA_DIR and again on the same one (median of three each), import the users with
 * the CLI beside the running service (the README's way), create the benchmark segments, read and write
 * loads, one monthly report; the service's RSS is sampled throughout.
 */
const { mkdtempSync, rmSync, writeFileSync, mkdirSync } = require('node:fs');
const { cpus, tmpdir } = require('node:os');
const { join, resolve } = require('node:path');
const { SEGMENTS } = require('./lib/database');
const { api } = require('./lib/api');
const { parseOptions } = require('./lib/options');
const { ensureWrk, runWrk, runAutocannon } = require('./lib/http-load');
const { run, sampleRss, startService } = require('./lib/processes');

const ROOT = resolve(__dirname, '..');
const TARGETS = { startMs: 2000, rssMb: 300 };
const STARTS = 3;

const log = (message) => console.log(`[bench embedded ${new Date().toISOString().slice(11, 19)}] ${message}`);
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Milliseconds from spawning the service on `dataDir` until /health/ready answers 200, and the service. */
async function timedStart(dataDir, logFile) {
  const started = process.hrtime.bigint();
  const service = await startService({
    root: ROOT,
    env: { DATA_DIR: dataDir, EXPIRY_SWEEP_SECONDS: '86400' },
    logFile,
    pollMs: 20,
  });
  return { ms: Number((process.hrtime.bigint() - started) / 1_000_000n), service };
}

async function measureStarts(workDir, logFile) {
  const fresh = [];
  const reopen = [];
  for (let i = 0; i < STARTS; i++) {
    const dataDir = join(workDir, `start-${i}`);
    const first = await timedStart(dataDir, logFile);
    fresh.push(first.ms);
    await first.service.stop();
    const again = await timedStart(dataDir, logFile);
    reopen.push(again.ms);
    await again.service.stop();
  }
  return { fresh_ms: fresh, reopen_ms: reopen, fresh_median_ms: median(fresh), reopen_median_ms: median(reopen) };
}

function parseArgs(argv) {
  const options = parseOptions(
    argv,
    { users: 200_000, seconds: 10, connections: 8, build: true },
    { '--embedded': ['embedded', true], '--no-build': ['build', false] },
    __filename,
  );
  if (options.users < 10) throw new Error('--users must be at least 10');
  return options;
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  if (options.build) await run('npm', ['run', 'build'], { cwd: ROOT, inherit: true });
  const workDir = mkdtempSync(join(tmpdir(), 'segments-bench-embedded-'));
  const logFile = join(workDir, 'service.log');
  const result = {
    date: new Date().toISOString(),
    mode: 'embedded PGlite',
    machine: { cpus: cpus().length, cpu: cpus()[0]?.model, node: process.version },
    options,
    targets: TARGETS,
  };
  let service;
  try {
    log(`start-up: ${STARTS} new data directories, each started twice`);
    result.start = await measureStarts(workDir, logFile);

    const dataDir = join(workDir, 'data');
    service = (await timedStart(dataDir, logFile)).service;
    const rss = sampleRss(service.pid);
    result.rss_after_start_mb = sampleRss(service.pid).stop();

    const ids = join(workDir, 'ids.txt');
    writeFileSync(ids, Array.from({ length: options.users }, (_, i) => i + 1).join('\n') + '\n');
    log(`import-users: ${options.users} ids through the running service`);
    let started = Date.now();
    await run(process.execPath, [join(ROOT, 'dist/apps/cli/src/main.js'), 'import-users', ids], {
      cwd: ROOT,
      env: { ...process.env, DATA_DIR: dataDir },
    });
    result.import = { users: options.users, seconds: (Date.now() - started) / 1000 };
    for (let s = 1; s <= SEGMENTS; s++) await api(service.baseUrl, 'POST', '/api/v1/segments', { slug: `SEG_${s}` });

    const useWrk = await ensureWrk();
    const load = useWrk ? runWrk : runAutocannon;
    const threads = Math.max(1, Math.min(2, cpus().length));
    const loadOptions = {
      baseUrl: service.baseUrl,
      users: options.users,
      segments: SEGMENTS,
      connections: options.connections,
      threads,
      workDir,
    };
    log(`write, then read: ${options.seconds} s each at ${options.connections} connections`);
    result.write = await load({ ...loadOptions, kind: 'write', seconds: options.seconds });
    result.read = await load({ ...loadOptions, kind: 'read', seconds: options.seconds });

    log('a monthly report of everything written');
    started = Date.now();
    const report = await api(
      service.baseUrl,
      'GET',
      `/api/v1/reports/history?period=${new Date().toISOString().slice(0, 7)}`,
    );
    result.report = { rows: report.rows, seconds: (Date.now() - started) / 1000 };
    result.peak_rss_mb = rss.stop();
  } finally {
    await service?.stop();
    rmSync(workDir, { recursive: true, force: true });
  }

  const resultsDir = join(ROOT, 'bench/results');
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, `embedded-${result.date.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
  printSummary(result);
  console.log(`\nresults: ${file}`);
}

function printSummary(result) {
  const verdict = (ok) => (ok ? 'ok' : 'MISSED');
  const { start, targets } = result;
  console.log(`\nembedded PGlite, ${result.machine.cpus} CPUs, ${result.options.users} users`);
  console.log(
    `start, new DATA_DIR: median ${start.fresh_median_ms} ms of ${start.fresh_ms.join(', ')} (target <= ${targets.startMs}: ${verdict(start.fresh_median_ms <= targets.startMs)})`,
  );
  console.log(
    `start, same DATA_DIR: median ${start.reopen_median_ms} ms of ${start.reopen_ms.join(', ')} (target <= ${targets.startMs}: ${verdict(start.reopen_median_ms <= targets.startMs)})`,
  );
  console.log(`import-users: ${result.import.users} ids in ${result.import.seconds} s`);
  for (const kind of ['write', 'read']) {
    const figure = result[kind];
    console.log(
      `${kind}: ${figure.rate} req/s, p50 ${figure.p50_ms} ms, p99 ${figure.p99_ms} ms, non-2xx ${figure.non2xx + figure.socket_errors}`,
    );
  }
  console.log(`report: ${result.report.rows} rows in ${result.report.seconds} s`);
  console.log(
    `RSS after start ${result.rss_after_start_mb} MB, peak ${result.peak_rss_mb} MB (target <= ${targets.rssMb}: ${verdict(result.peak_rss_mb <= targets.rssMb)})`,
  );
}

module.exports = { main };
