#!/usr/bin/env node
'use strict';
/**
 * History report benchmark: a 1,000,000-row report through the running service against
 * `psql -c "\copy (the same query) to file"`, and the service's peak RSS growth while it streams.
 *
 *   node bench/report.js [--rows 1000000] [--runs 3] [--no-build] [--keep-db]
 *
 * Standalone it creates a database on DATABASE_URL's server (default the local one), starts the built
 * service on it (whose migrations make the schema), measures, stops the service and drops the database.
 * From bench/run.js: `runReportBench({ baseUrl, databaseUrl, serverPid })` on a running service and its
 * database (schema in place); it adds the report rows in a month of their own (2001-02) and returns figures.
 */
const { createHash } = require('node:crypto');
const { createReadStream, existsSync, mkdtempSync, rmSync, statSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join, resolve } = require('node:path');
const { Client } = require('pg');
const { commandExists, processTree, run, statusKb } = require('./lib/processes');

const ROOT = resolve(__dirname, '..');
const TARGETS = { ratio: 1.5, rssGrowthMb: 64 };
/** A month no other benchmark data falls in, so the row count is exactly ours. */
const PERIOD = { text: '2001-02', start: new Date('2001-02-01T00:00:00Z'), end: new Date('2001-03-01T00:00:00Z') };
const LABELS_RU = { added: 'добавление', removed: 'удаление' };

const round = (value, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const log = (message) => console.log(`[report-bench ${new Date().toISOString().slice(11, 19)}] ${message}`);

/** The SQL the service runs for a report, from the built code: the comparison is with exactly that query. */
function reportSelect() {
  const built = join(ROOT, 'dist/libs/infrastructure/src/sql/history-report.sql.js');
  if (!existsSync(built)) throw new Error(`${built} is missing: run npm run build`);
  const { historyReportSelect } = require(built);
  return historyReportSelect({ from: PERIOD.start, to: PERIOD.end, userId: null, labels: LABELS_RU });
}

/** `rows` history entries spread over the month: 100,000 users, 10 segments, adds and removes. */
async function seedReportRows(databaseUrl, rows) {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const [{ count }] = (
      await client.query('SELECT count(*)::int AS count FROM membership_history WHERE at >= $1 AND at < $2', [
        PERIOD.start,
        PERIOD.end,
      ])
    ).rows;
    if (count === rows) return false;
    await client.query('SET synchronous_commit = off');
    await client.query('DELETE FROM membership_history WHERE at >= $1 AND at < $2', [PERIOD.start, PERIOD.end]);
    const step = (PERIOD.end - PERIOD.start) / 1000 / rows;
    await client.query(
      `INSERT INTO membership_history (user_id, segment, operation, reason, at)
       SELECT 1 + (g::bigint * 7919) % 100000, 'SEG_' || (1 + g % 10), CASE WHEN g % 3 = 0 THEN 'removed' ELSE 'added' END,
              CASE WHEN g % 3 = 0 THEN 'ttl' ELSE 'manual' END, $1::timestamptz + g * $2::float8 * interval '1 second'
       FROM generate_series(0, $3::int - 1) g`,
      [PERIOD.start, step, rows],
    );
    await client.query('ANALYZE membership_history');
    return true;
  } finally {
    await client.end();
  }
}

/** Resident set of the service and its children (cluster workers), sampled until stopped; MB. */
function rssSampler(pid, everyMs = 25) {
  const sample = () => processTree(pid).reduce((sum, p) => sum + statusKb(p, 'VmRSS'), 0) / 1024;
  const baseline = sample();
  let peak = baseline;
  const timer = setInterval(() => (peak = Math.max(peak, sample())), everyMs);
  return {
    baseline,
    stop() {
      clearInterval(timer);
      peak = Math.max(peak, sample());
      return peak;
    },
  };
}

async function requestReport(baseUrl, headers) {
  const started = process.hrtime.bigint();
  const response = await fetch(`${baseUrl}/api/v1/reports/history?period=${PERIOD.text}`, { headers });
  const body = await response.json();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (response.status !== 200) throw new Error(`the service answered ${response.status}: ${JSON.stringify(body)}`);
  return { seconds, body };
}

async function psqlCopy(databaseUrl, select, file) {
  const started = process.hrtime.bigint();
  await run('psql', [databaseUrl, '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-c', `\\copy (${select}) to '${file}'`]);
  return Number(process.hrtime.bigint() - started) / 1e9;
}

async function sha256(stream) {
  const hash = createHash('sha256');
  for await (const chunk of stream) hash.update(chunk);
  return hash.digest('hex');
}

/** The service's file, when it serves it itself (local storage), hashed without holding it in memory. */
async function serviceFileHash(baseUrl, url, headers) {
  const path = new URL(url).pathname;
  if (!path.startsWith('/api/v1/reports/files/')) return undefined;
  const response = await fetch(`${baseUrl}${path}`, { headers });
  if (response.status !== 200) throw new Error(`downloading the report answered ${response.status}`);
  return sha256(response.body);
}

/**
 * Times the report through the service and through psql, `runs` times each (alternating), and samples the
 * service's RSS throughout. Figures in seconds and MB.
 */
async function runReportBench({
  baseUrl,
  databaseUrl,
  serverPid,
  rows = 1_000_000,
  runs = 3,
  apiKey = process.env.API_KEY,
}) {
  if (!commandExists('psql')) return { skipped: 'psql is not installed (apt-get install postgresql-client)' };
  const headers = apiKey ? { 'X-API-Key': apiKey } : {};
  const select = reportSelect();
  log(`seeding ${rows} history rows in ${PERIOD.text}`);
  await seedReportRows(databaseUrl, rows);
  const workDir = mkdtempSync(join(tmpdir(), 'report-bench-'));
  const psqlFile = join(workDir, 'psql.csv');
  try {
    const rss = rssSampler(serverPid);
    // One untimed run each first, so that both sides read from a warm cache; the RSS sampler sees it too.
    await psqlCopy(databaseUrl, select, psqlFile);
    await requestReport(baseUrl, headers);
    const service = [];
    const psql = [];
    let last;
    for (let i = 0; i < runs; i++) {
      psql.push(await psqlCopy(databaseUrl, select, psqlFile));
      last = await requestReport(baseUrl, headers);
      service.push(last.seconds);
      log(`run ${i + 1}/${runs}: service ${round(last.seconds, 3)} s, psql ${round(psql.at(-1), 3)} s`);
    }
    const peak = rss.stop();
    if (last.body.rows !== rows) throw new Error(`the report has ${last.body.rows} rows, expected ${rows}`);

    const serviceHash = await serviceFileHash(baseUrl, last.body.url, headers);
    const psqlHash = await sha256(createReadStream(psqlFile));
    const ratio = round(median(service) / median(psql));
    const growth = round(peak - rss.baseline, 1);
    return {
      rows,
      runs,
      bytes: statSync(psqlFile).size,
      service_s: round(median(service), 3),
      bare_s: round(median(psql), 3),
      service_runs_s: service.map((s) => round(s, 3)),
      psql_runs_s: psql.map((s) => round(s, 3)),
      ratio,
      baseline_rss_mb: round(rss.baseline, 1),
      peak_rss_mb: round(peak, 1),
      rss_growth_mb: growth,
      same_bytes: serviceHash === undefined ? null : serviceHash === psqlHash,
      targets: TARGETS,
      target_text: `ratio <= ${TARGETS.ratio}, RSS growth <= ${TARGETS.rssGrowthMb} MB`,
      meets_target:
        ratio <= TARGETS.ratio &&
        growth <= TARGETS.rssGrowthMb &&
        serviceHash !== undefined &&
        serviceHash === psqlHash,
      note: `median of ${runs}; RSS growth ${growth} MB over ${round(rss.baseline, 1)} MB`,
    };
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

function parseArgs(argv) {
  const options = { rows: 1_000_000, runs: 3, build: true, keepDb: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const next = argv[++i];
      if (next === undefined || !/^[1-9]\d*$/.test(next)) throw new Error(`${arg} needs a positive integer`);
      return Number(next);
    };
    if (arg === '--rows') options.rows = value();
    else if (arg === '--runs') options.runs = value();
    else if (arg === '--no-build') options.build = false;
    else if (arg === '--keep-db') options.keepDb = true;
    else throw new Error(`unknown option ${arg}`);
  }
  return options;
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const { createDatabase, dropDatabase } = require('./lib/database');
  const { startService } = require('./lib/processes');
  const serverUrl = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
  if (options.build) {
    log('npm run build');
    await run('npm', ['run', 'build'], { cwd: ROOT, inherit: true });
  }
  const database = await createDatabase(serverUrl);
  const dataDir = mkdtempSync(join(tmpdir(), 'report-bench-data-'));
  let service;
  try {
    log(`database ${database.name}`);
    service = await startService({
      root: ROOT,
      env: { DATABASE_URL: database.url, DATA_DIR: dataDir, EXPIRY_SWEEP_SECONDS: '86400', LOG_LEVEL: 'warn' },
      logFile: join(dataDir, 'service.log'),
    });
    log(`service pid ${service.pid} at ${service.baseUrl}`);
    const figures = await runReportBench({
      baseUrl: service.baseUrl,
      databaseUrl: database.url,
      serverPid: service.pid,
      ...options,
    });
    console.log(JSON.stringify(figures, null, 2));
    if (figures.meets_target === false) process.exitCode = 1;
  } finally {
    await service?.stop();
    if (!options.keepDb) await dropDatabase(serverUrl, database.name).catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

module.exports = { runReportBench, seedReportRows, PERIOD };

if (require.main === module) {
  main().catch((error) => {
    console.error(`report bench failed: ${error.stack ?? error}`);
    process.exit(1);
  });
}
