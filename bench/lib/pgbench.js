'use strict';
/**
 * The PostgreSQL-side limit: the service's own statements, captured by running the built repository
 * against the benchmark database, replayed by pgbench at the same concurrency.
 */
const { readdirSync, readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { Pool } = require('pg');
const { builtRepository } = require('./built-repository');
const { run } = require('./processes');
const { startCostMeter, perRequest } = require('./cpu-cost');

/**
 * Runs the built repository's read (activeOf) and change set (applyChanges: add SEG_a, remove SEG_b)
 * once each against `databaseUrl`, recording every statement sent on the connection, parameters
 * included. Whatever the repository runs today is what pgbench runs.
 */
async function captureStatements(root, databaseUrl, { userId, addSegment, removeSegment }) {
  const pool = new Pool({ connectionString: databaseUrl, max: 1 });
  let recording;
  pool.on('connect', (client) => {
    const query = client.query.bind(client);
    client.query = (config, values, callback) => {
      if (recording && config) {
        const text = typeof config === 'string' ? config : config.text;
        const params = (typeof config === 'object' && config.values) || (Array.isArray(values) ? values : []);
        if (text) recording.push({ text, params });
      }
      return query(config, values, callback);
    };
  });
  try {
    const { repository, planChangeSet } = builtRepository(root, pool, { DATABASE_URL: databaseUrl });
    const slug = (n) => `SEG_${n}`;
    const plan = (now) => planChangeSet({ add: [slug(addSegment)], remove: [slug(removeSegment)] }, now);
    const capture = async (work) => {
      await work(); // first run: connection set-up, statement preparation, the user becomes known
      recording = [];
      await work();
      const statements = recording;
      recording = undefined;
      return statements;
    };
    let now;
    const read = await capture(() => repository.activeOf(userId, (now = new Date())));
    const readNow = now;
    const write = await capture(() => {
      now = new Date();
      return repository.applyChanges(userId, plan(now));
    });
    const values = { userId, addSegment, removeSegment };
    return {
      read: read.map((statement) => ({ ...statement, now: readNow })),
      write: write.map((statement) => ({ ...statement, now })),
      values,
    };
  } finally {
    await pool.end();
  }
}

/** A pgbench expression for one captured parameter value. */
function expression(value, context) {
  const { userId, addSegment, removeSegment } = context.values;
  if (value === null || value === undefined) return 'NULL';
  if (Array.isArray(value)) {
    return value.length === 0 ? `'{}'` : `ARRAY[${value.map((item) => expression(item, context)).join(', ')}]`;
  }
  if (value instanceof Date) {
    if (value.getTime() === context.now.getTime()) return 'now()';
    return `'${value.toISOString()}'::timestamptz`;
  }
  const text = String(value);
  if (text === String(userId)) return '(:uid)::bigint';
  // Segment SEG_n has id n (checked when seeding): ids and slugs both map to the script's variables.
  if (text === String(addSegment)) return '(:a)::bigint';
  if (text === String(removeSegment)) return '(:b)::bigint';
  if (text === `SEG_${addSegment}`) return `'SEG_' || (:a)::int`;
  if (text === `SEG_${removeSegment}`) return `'SEG_' || (:b)::int`;
  if (typeof value === 'number' || typeof value === 'boolean') return text;
  return `'${text.replace(/'/g, "''")}'`;
}

function toScriptStatement(statement, values) {
  const context = { values, now: statement.now };
  const text = statement.text.replace(
    /\$(\d+)/g,
    (_, n) => `(${expression(statement.params[Number(n) - 1], context)})`,
  );
  return `${text.trim().replace(/;$/, '')};`;
}

function readScript(captured, users) {
  return (
    [`\\set uid random(1, ${users})`, ...captured.read.map((s) => toScriptStatement(s, captured.values))].join('\n') +
    '\n'
  );
}

/** The floor of a read: what PostgreSQL does for the least a user lookup can be (one index, no join). */
function floorScript(users) {
  return `\\set uid random(1, ${users})\nSELECT segment_id FROM memberships WHERE user_id = :uid;\n`;
}

/** Same choice as the HTTP load: a random user, one random segment to add and another to remove. */
function writeScript(captured, users, segments) {
  return (
    [
      `\\set uid random(1, ${users})`,
      `\\set a random(1, ${segments})`,
      `\\set d random(1, ${segments - 1})`,
      `\\set b 1 + (:a + :d - 1) % ${segments}`,
      ...captured.write.map((s) => toScriptStatement(s, captured.values)),
    ].join('\n') + '\n'
  );
}

/**
 * The floor of a change set: one statement (one transaction, one round trip, as the change set) that
 * inserts one membership and its history row and deletes another with its history row, on the same
 * tables, with none of the change set's checks, locks or answer.
 */
function writeFloorScript(users, segments) {
  return `\\set uid random(1, ${users})
\\set a random(1, ${segments})
\\set d random(1, ${segments - 1})
\\set b 1 + (:a + :d - 1) % ${segments}
WITH added AS (
  INSERT INTO memberships (user_id, segment_id, source, added_at) VALUES (:uid, :a, 'manual', now())
  ON CONFLICT DO NOTHING RETURNING segment_id
), removed AS (
  DELETE FROM memberships WHERE user_id = :uid AND segment_id = :b RETURNING segment_id
)
INSERT INTO membership_history (user_id, segment, operation, reason, at)
VALUES (:uid, 'SEG_' || :a, 'added', 'manual', now()), (:uid, 'SEG_' || :b, 'removed', 'manual', now());
`;
}

function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/**
 * Runs one pgbench script; returns rate, failures and latency percentiles (ms) from its per-transaction
 * log. With `meter` (startCostMeter's monitorUrl and database), also PostgreSQL's CPU µs per transaction.
 */
async function runPgbench({ databaseUrl, script, name, workDir, connections, threads, seconds, meter }) {
  const scriptFile = join(workDir, `${name}.sql`);
  writeFileSync(scriptFile, script);
  const prefix = join(workDir, `pgbench_${name}`);
  const args = ['-n', '-M', 'prepared', '-c', String(connections), '-j', String(threads), '-T', String(seconds)];
  args.push('-f', scriptFile, '-l', `--log-prefix=${prefix}`, databaseUrl);
  const cost = meter ? await startCostMeter(meter) : undefined;
  let cpu;
  let output;
  try {
    output = await run('pgbench', args, { allowFailure: true });
  } finally {
    cpu = await cost?.stop();
  }
  const { stdout, stderr } = output;
  const tps = /tps = ([\d.]+) \(without initial connection time\)/.exec(stdout);
  // A client that hits an error other than a serialization failure or deadlock stops the run early.
  if (!tps || /run was aborted/i.test(stderr + stdout)) {
    throw new Error(`pgbench ${name} failed:\n${script}\n${stdout}\n${stderr.slice(0, 3000)}`);
  }
  const failed = /number of failed transactions: (\d+)/.exec(stdout);
  const latencies = [];
  for (const file of readdirSync(workDir).filter((f) => f.startsWith(`pgbench_${name}.`))) {
    for (const line of readFileSync(join(workDir, file), 'utf8').split('\n')) {
      const microseconds = Number(line.split(' ')[2]);
      if (Number.isFinite(microseconds) && line) latencies.push(microseconds);
    }
  }
  latencies.sort((x, y) => x - y);
  const ms = (us) => (us === null ? null : Math.round(us / 10) / 100);
  return {
    tool: 'pgbench -M prepared',
    rate: Number(tps[1]),
    transactions: latencies.length,
    failed: failed ? Number(failed[1]) : 0,
    p50_ms: ms(percentile(latencies, 50)),
    p99_ms: ms(percentile(latencies, 99)),
    ...(cpu ? { pg_cpu_us: perRequest(cpu.pg_cpu_us, latencies.length) } : {}),
    script,
  };
}

module.exports = { captureStatements, readScript, floorScript, writeScript, writeFloorScript, runPgbench };
