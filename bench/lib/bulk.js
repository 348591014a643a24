'use strict';
/**
 * Bulk figures (`--bulk`), each against the bare SQL doing the same work, on the benchmark database
 * grown to 1,000,000 known users:
 * - auto-assignment: POST /api/v1/segments {auto_percent: 10} vs the INSERT ... SELECT alone;
 * - expiry: the cleaner (`npm run cli -- expire`) on 1,000,000 due memberships vs DELETE ... RETURNING + INSERT;
 * - import: `npm run cli -- import-users FILE` with 1,000,000 new ids, time and peak RSS;
 * - the 1,000,000-row history report (bench/report.js).
 * A piece that does not exist yet is skipped with a message.
 */
const { existsSync, readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { spawn } = require('node:child_process');
const { withClient } = require('./database');
const { run, sampleRss } = require('./processes');

const BULK_USERS = 1_000_000;
const TARGETS = { autoAssignRatio: 1.5, expireRatio: 2, importRssMb: 200 };
const round = (value, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;
const seconds = (since) => round((performance.now() - since) / 1000, 3);

/** The node arguments of `npm run cli` (node itself is spawned, so that the pid is the CLI's). */
function cliArgs(root) {
  const script = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts?.cli ?? '';
  const [command, ...args] = script.trim().split(/\s+/);
  if (command !== 'node' || args.length === 0 || !existsSync(join(root, args.at(-1)))) return undefined;
  return args;
}

/** The commands the built CLI lists in its usage text (it prints it for no command). */
async function cliCommands(root, env) {
  const args = cliArgs(root);
  if (!args) return { args, commands: new Set() };
  const { stdout, stderr } = await run(process.execPath, args, {
    cwd: root,
    env,
    allowFailure: true,
    timeoutMs: 60_000,
  });
  const commands = new Set([...`${stdout}\n${stderr}`.matchAll(/^\s+([a-z][a-z-]+)\b/gm)].map((match) => match[1]));
  return { args, commands };
}

/** Runs the CLI with `commandArgs`; resolves its wall time, output and the peak RSS of its process tree. */
function runCli(root, args, commandArgs, env) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [...args, ...commandArgs], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const rss = sampleRss(child.pid, 100);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const peak = rss.stop();
      if (code !== 0) reject(new Error(`cli ${commandArgs.join(' ')} exited with ${code}: ${stderr.slice(-1000)}`));
      else resolve({ seconds: seconds(started), stdout, stderr, peakRssMb: peak });
    });
  });
}

async function timed(client, sql, params) {
  const started = performance.now();
  const result = await client.query(sql, params);
  return { seconds: seconds(started), rowCount: result.rowCount };
}

async function ensureUsers(databaseUrl) {
  return withClient(databaseUrl, async (client) => {
    await client.query(
      `INSERT INTO users (user_id, known_since)
       SELECT u, timestamptz '2024-01-01 00:00:00+00' + u * interval '1 second' FROM generate_series(1, $1::bigint) u
       ON CONFLICT (user_id) DO NOTHING`,
      [BULK_USERS],
    );
    await client.query('VACUUM (ANALYZE) users');
  });
}

async function autoAssign({ service, database }) {
  return withClient(database.url, async (client) => {
    await client.query('SELECT count(*) FROM users'); // warm cache for both sides
    const rss = sampleRss(service.pid, 100);
    const started = performance.now();
    const response = await fetch(`${service.baseUrl}/api/v1/segments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ slug: 'BENCH_AUTO_SERVICE', auto_percent: 10 }),
    });
    const serviceSeconds = seconds(started);
    const peak = rss.stop();
    const body = await response.json();
    if (response.status !== 201)
      throw new Error(`POST /api/v1/segments answered ${response.status}: ${JSON.stringify(body)}`);

    // The bare statement: the same bucket rule, into a segment of its own, nothing else.
    const bare = async (slug, withHistory) => {
      const [{ id }] = (
        await client.query(
          `INSERT INTO segments (slug, auto_percent, created_at) VALUES ($1, 10, now()) RETURNING id`,
          [slug],
        )
      ).rows;
      const select = `SELECT u.user_id, $1::bigint, 'auto', now() FROM users u WHERE segment_bucket($2::text, u.user_id) < 1000`;
      const insert = `INSERT INTO memberships (user_id, segment_id, source, added_at) ${select}`;
      const sql = withHistory
        ? `WITH joined AS (${insert} RETURNING user_id)
           INSERT INTO membership_history (user_id, segment, operation, reason, at)
           SELECT user_id, $2, 'added', 'auto', now() FROM joined ORDER BY user_id`
        : insert;
      return timed(client, sql, [id, slug]);
    };
    const bareInsert = await bare('BENCH_AUTO_BARE', false);
    const bareWithHistory = await bare('BENCH_AUTO_BARE_HISTORY', true);
    const ratio = round(serviceSeconds / bareInsert.seconds);
    return {
      users: BULK_USERS,
      members: body.members,
      service_s: serviceSeconds,
      bare_s: bareInsert.seconds,
      bare_rows: bareInsert.rowCount,
      bare_with_history_s: bareWithHistory.seconds,
      ratio,
      ratio_to_bare_with_history: round(serviceSeconds / bareWithHistory.seconds),
      peak_rss_mb: peak,
      target_text: `<= ${TARGETS.autoAssignRatio}`,
      meets_target: ratio <= TARGETS.autoAssignRatio,
      note: `${body.members} members; bare INSERT..SELECT alone (memberships only); with history ${bareWithHistory.seconds} s`,
    };
  });
}

/** 1,000,000 memberships of a new segment `slug`, all expired: user u's at 2024-03-01 + u ms. */
async function seedDue(client, slug) {
  const [{ id }] = (
    await client.query(`INSERT INTO segments (slug, created_at) VALUES ($1, now()) RETURNING id`, [slug])
  ).rows;
  await client.query(
    `INSERT INTO memberships (user_id, segment_id, source, added_at, expires_at)
     SELECT u, $1, 'manual', timestamptz '2024-02-01 00:00:00+00', timestamptz '2024-03-01 00:00:00+00' + u * interval '1 millisecond'
     FROM generate_series(1, $2::bigint) u`,
    [id, BULK_USERS],
  );
  await client.query('VACUUM (ANALYZE) memberships, membership_history');
}

async function expire({ root, database, cli, env }) {
  return withClient(database.url, async (client) => {
    const idle = await runCli(root, cli.args, ['expire'], env); // start-up cost, nothing due yet
    await seedDue(client, 'BENCH_EXPIRE_SERVICE');
    const cleaner = await runCli(root, cli.args, ['expire'], env);
    const expired = Number(/expired: (\d+)/.exec(cleaner.stdout)?.[1]);
    if (expired !== BULK_USERS) throw new Error(`the cleaner expired ${expired}, expected ${BULK_USERS}`);

    await seedDue(client, 'BENCH_EXPIRE_BARE');
    const bare = await timed(
      client,
      `WITH gone AS (
         DELETE FROM memberships WHERE expires_at <= now() RETURNING user_id, segment_id, expires_at
       )
       INSERT INTO membership_history (user_id, segment, operation, reason, at)
       SELECT g.user_id, s.slug, 'removed', 'ttl', g.expires_at FROM gone g JOIN segments s ON s.id = g.segment_id`,
    );
    if (bare.rowCount !== BULK_USERS)
      throw new Error(`the bare DELETE expired ${bare.rowCount}, expected ${BULK_USERS}`);
    const ratio = round(cleaner.seconds / bare.seconds);
    return {
      memberships: BULK_USERS,
      service_s: cleaner.seconds,
      cli_startup_s: idle.seconds,
      bare_s: bare.seconds,
      ratio,
      peak_rss_mb: cleaner.peakRssMb,
      target_text: `<= ${TARGETS.expireRatio}`,
      meets_target: ratio <= TARGETS.expireRatio,
      note: `npm run cli -- expire, wall time incl. ${idle.seconds} s CLI start-up; bare: one DELETE..RETURNING + INSERT`,
    };
  });
}

async function importUsers({ root, workDir, cli, env }) {
  const file = join(workDir, 'import-ids.txt');
  const first = 2 * BULK_USERS + 1;
  const ids = [];
  for (let id = first; id < first + BULK_USERS; id++) ids.push(id);
  writeFileSync(file, ids.join('\n') + '\n');
  const result = await runCli(root, cli.args, ['import-users', file], env);
  const summary = result.stdout.trim().split('\n').at(-1);
  if (!new RegExp(`\\b${BULK_USERS} ids\\b`).test(summary)) throw new Error(`unexpected import summary: ${summary}`);
  return {
    ids: BULK_USERS,
    service_s: result.seconds,
    peak_rss_mb: result.peakRssMb,
    target_text: `RSS < ${TARGETS.importRssMb} MB`,
    meets_target: result.peakRssMb < TARGETS.importRssMb,
    note: `${Math.round(BULK_USERS / result.seconds)} ids/s; ${summary}`,
  };
}

async function attempt(name, log, work) {
  log(`bulk: ${name}`);
  try {
    return await work();
  } catch (error) {
    log(`bulk: ${name} failed: ${error.message}`);
    return { skipped: `failed: ${error.message.split('\n')[0]}` };
  }
}

async function runBulk({ root, service, database, serviceEnv, workDir, log }) {
  const env = { ...process.env, ...serviceEnv, MIGRATIONS_RUN: 'false', LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' };
  const figures = {};
  log(`bulk: ${BULK_USERS} known users`);
  await ensureUsers(database.url);
  figures.auto_assign = await attempt('auto-assignment of 10%', log, () => autoAssign({ root, service, database }));

  const cli = await cliCommands(root, env);
  const missing = (command) => ({ skipped: `the built CLI has no "${command}" command (npm run cli -- ${command})` });
  figures.expire = cli.commands.has('expire')
    ? await attempt('expire 1,000,000 due memberships', log, () => expire({ root, database, cli, env }))
    : missing('expire');
  figures.import_users = cli.commands.has('import-users')
    ? await attempt('import 1,000,000 ids', log, () => importUsers({ root, workDir, cli, env }))
    : missing('import-users');

  const reportBench = join(root, 'bench/report.js');
  const report = existsSync(reportBench) ? require(reportBench) : undefined;
  figures.report = report?.runReportBench
    ? await attempt('1,000,000-row history report', log, () =>
        report.runReportBench({ baseUrl: service.baseUrl, databaseUrl: database.url, serverPid: service.pid }),
      )
    : { skipped: 'bench/report.js (runReportBench) is not there yet' };
  return figures;
}

module.exports = { runBulk, BULK_USERS };
