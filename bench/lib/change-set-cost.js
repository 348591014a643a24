'use strict';
/**
 * `npm run bench -- --change-set`: what the change-set statement costs PostgreSQL against its floor (one
 * statement inserting one membership and its history row and deleting another with its history row), and
 * what each of its parts costs: pgbench of the same captured statement on a copy of the benchmark
 * database, with one part taken out at a time (the change log's triggers disabled; apply_change_set
 * replaced by a copy of itself without its history rows, its locks or a new user's auto joins). The
 * variants run interleaved in rounds, each with PostgreSQL's CPU per transaction.
 */
const { Client } = require('pg');
const { SEGMENTS, copyDatabase, dropDatabase } = require('./database');
const { runPgbench, writeScript, writeFloorScript } = require('./pgbench');

const APPLY_CHANGE_SET = 'apply_change_set(bigint, text[], timestamptz[], text[], bigint)';
/** Segments every new user may join automatically on the copy (about one auto join per new user). */
const AUTO_SEGMENTS = { ids: [9, 10], percent: 50 };

/** `text` with the one match of `pattern` replaced; throws when it matches no or several places. */
function editOnce(text, pattern, replacement, what) {
  const matches = text.match(new RegExp(pattern.source, 'g')) ?? [];
  if (matches.length !== 1) {
    throw new Error(
      `apply_change_set changed: ${what} matched ${matches.length} places, not 1 (bench/lib/change-set-cost.js)`,
    );
  }
  return text.replace(pattern, replacement);
}

/**
 * apply_change_set's definition (pg_get_functiondef) with one part taken out, for each part. Fails when
 * the function no longer has the expected shape, so that the bench never measures a silent no-op.
 */
function functionVariants(definition) {
  const ledger = editOnce(definition, /, recorded AS \([\s\S]*?\), changed AS \(/, ', changed AS (', 'the history CTE');
  let locks = editOnce(
    definition,
    /INSERT INTO users AS u \(user_id, known_since\)[\s\S]*?RETURNING true INTO v_new;/,
    'v_new := NOT EXISTS (SELECT 1 FROM users u WHERE u.user_id = p_user);',
    "the user's row lock",
  );
  locks = editOnce(locks, /PERFORM 1 FROM segments s WHERE [^;]*FOR KEY SHARE;/, '', "the segments' key-share locks");
  locks = editOnce(
    locks,
    /IF \(SELECT count\(\*\) FROM segments s WHERE [^;]*THEN[\s\S]*?END IF;/,
    '',
    'the deleted-meanwhile check',
  );
  locks = editOnce(locks, /PERFORM 1 FROM memberships m [^;]*FOR UPDATE OF m;/, '', "the memberships' row locks");
  let autoJoins = editOnce(
    definition,
    /IF v_new THEN PERFORM pg_advisory_xact_lock_shared\(auto_assignment_lock_key\(\)\); END IF;/,
    '',
    'the auto-assignment lock',
  );
  autoJoins = editOnce(autoJoins, /IF v_new THEN PERFORM join_auto_segments\([^;]*\); END IF;/, '', 'the auto joins');
  return { original: definition, ledger, locks, autoJoins };
}

/** Each variant: the script it runs, apply_change_set's version, whether the change log's triggers fire. */
const VARIANTS = [
  { id: 'floor', name: 'floor: 1 insert + 1 delete + 2 history rows', script: 'floor', changeLog: false },
  { id: 'change_set', name: 'change set, known user', script: 'known' },
  { id: 'no_change_log', name: '  without the change log', script: 'known', changeLog: false },
  { id: 'no_ledger', name: '  without the ledger (history rows)', script: 'known', fn: 'ledger' },
  { id: 'no_locks', name: '  without its locks', script: 'known', fn: 'locks' },
  { id: 'new_user', name: 'change set, new user', script: 'new' },
  { id: 'new_user_no_auto_joins', name: '  without the auto joins', script: 'new', fn: 'autoJoins' },
];

/** The parts: what taking each out saves (`with` minus `without`). */
const PARTS = [
  { name: 'change log (3 statement triggers)', with: 'change_set', without: 'no_change_log' },
  { name: 'ledger (history rows, known user)', with: 'change_set', without: 'no_ledger' },
  { name: 'locks (user row, key share, memberships)', with: 'change_set', without: 'no_locks' },
  { name: "new user's auto joins", with: 'new_user', without: 'new_user_no_auto_joins' },
];

async function changeLogTriggers(client) {
  const { rows } = await client.query(
    `SELECT tgname FROM pg_trigger WHERE tgrelid = 'memberships'::regclass AND tgname LIKE 'memberships\\_record\\_%'`,
  );
  if (rows.length === 0)
    throw new Error('the change log has no triggers on memberships (bench/lib/change-set-cost.js)');
  return rows.map((row) => row.tgname);
}

/** One variant's rounds as one figure: transactions and CPU summed, p50 the median round's, p99 the worst. */
function combine(variant, rounds) {
  const transactions = rounds.reduce((sum, round) => sum + round.transactions, 0);
  const seconds = rounds.reduce((sum, round) => sum + round.transactions / round.rate, 0);
  const cpu = rounds.every((round) => round.pg_cpu_us !== null)
    ? rounds.reduce((sum, round) => sum + round.pg_cpu_us * round.transactions, 0)
    : null;
  const p50s = rounds.map((round) => round.p50_ms).sort((a, b) => a - b);
  return {
    id: variant.id,
    name: variant.name,
    rate: Math.round((transactions / seconds) * 10) / 10,
    transactions,
    failed: rounds.reduce((sum, round) => sum + round.failed, 0),
    p50_ms: p50s[Math.floor(p50s.length / 2)],
    p99_ms: Math.max(...rounds.map((round) => round.p99_ms)),
    pg_cpu_us: cpu === null || transactions === 0 ? null : Math.round((cpu / transactions) * 10) / 10,
  };
}

const round2 = (x) => Math.round(x * 100) / 100;

/** Ratios and parts from the variants' figures. */
function summarize(figures) {
  const by = Object.fromEntries(figures.map((figure) => [figure.id, figure]));
  const full = by.change_set;
  const parts = PARTS.map((part) => {
    const [withIt, without] = [by[part.with], by[part.without]];
    const cpu = withIt.pg_cpu_us === null ? null : Math.round((withIt.pg_cpu_us - without.pg_cpu_us) * 10) / 10;
    return {
      name: part.name,
      pg_cpu_us: cpu,
      share_of_change_set: cpu === null || !full.pg_cpu_us ? null : round2(cpu / full.pg_cpu_us),
      tps_without_vs_with: round2(without.rate / withIt.rate),
    };
  });
  return {
    variants: figures,
    change_set_vs_floor: round2(full.rate / by.floor.rate),
    change_set_cpu_vs_floor: full.pg_cpu_us && by.floor.pg_cpu_us ? round2(full.pg_cpu_us / by.floor.pg_cpu_us) : null,
    parts,
  };
}

/**
 * Each pgbench client draws from users of its own (client k: users k + 1, k + 1 + C, ...), so no two clients
 * ever change one user at once: the floor and the change set without its locks would otherwise deadlock or
 * collide on a membership's key, and pgbench aborts a client on its first error.
 */
function ownUsersPerClient(script, users, connections) {
  const draw = /^\\set uid random\(1, \d+\)$/m;
  if (!draw.test(script)) throw new Error('the script draws no uid');
  const perClient = Math.floor(users / connections);
  return script.replace(draw, `\\set uid 1 + :client_id + ${connections} * random(0, ${perClient - 1})`);
}

/**
 * Runs every variant in `rounds` interleaved rounds of `seconds / rounds` on a copy of `database` (the
 * seeded benchmark database, nobody connected), dropped at the end. `pgbench`: runPgbench's workDir,
 * connections and threads.
 */
async function measureChangeSet({ serverUrl, database, captured, options, pgbench, log = () => {}, rounds = 3 }) {
  const copy = await copyDatabase(serverUrl, database.name, 'cs');
  const client = new Client({ connectionString: copy.url });
  await client.connect();
  try {
    const { rows } = await client.query(`SELECT pg_get_functiondef($1::regprocedure) AS definition`, [
      APPLY_CHANGE_SET,
    ]);
    const functions = functionVariants(rows[0].definition);
    const triggers = await changeLogTriggers(client);
    await client.query(`UPDATE segments SET auto_percent = $2 WHERE id = ANY ($1::bigint[])`, [
      AUTO_SEGMENTS.ids,
      AUTO_SEGMENTS.percent,
    ]);
    const written = writeScript(captured, options.users, SEGMENTS);
    const known = ownUsersPerClient(written, options.users, pgbench.connections);
    const scripts = {
      floor: ownUsersPerClient(writeFloorScript(options.users, SEGMENTS), options.users, pgbench.connections),
      known,
      // Ids nobody used: every transaction registers a new user (a repeat is one in millions).
      new: written.replace(/^\\set uid random\(1, \d+\)$/m, `\\set uid random(${options.users + 1}, 9000000000000000)`),
    };
    if (scripts.new === written) throw new Error('the change set script draws no uid');
    const seconds = Math.max(2, Math.round(options.seconds / rounds));
    const results = VARIANTS.map(() => []);
    for (let round = 0; round < rounds; round++) {
      log(`  change set round ${round + 1}/${rounds}: ${VARIANTS.length} variants x ${seconds} s`);
      for (const [i, variant] of VARIANTS.entries()) {
        await client.query(functions[variant.fn ?? 'original']);
        const mode = variant.changeLog === false ? 'DISABLE' : 'ENABLE ALWAYS';
        for (const trigger of triggers) await client.query(`ALTER TABLE memberships ${mode} TRIGGER ${trigger}`);
        results[i].push(
          await runPgbench({
            ...pgbench,
            databaseUrl: copy.url,
            name: `cs_${variant.id}_${round}`,
            script: scripts[variant.script],
            seconds,
            meter: { monitorUrl: serverUrl, database: copy.name },
          }),
        );
      }
    }
    return summarize(VARIANTS.map((variant, i) => combine(variant, results[i])));
  } finally {
    await client.end();
    await dropDatabase(serverUrl, copy.name).catch(() => undefined);
  }
}

module.exports = { functionVariants, measureChangeSet };
