import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { AppConfig } from '@app/infrastructure';
import { ROOT } from './support/built-app';
import { createPostgresDatabase, postgresOnly, serverUrl, TestDatabase } from './support/test-database';
import { startTestApp, TestApp } from './support/test-app';

/* eslint-disable @typescript-eslint/no-require-imports */
const { captureStatements } = require(join(ROOT, 'bench/lib/pgbench.js'));
const { startService } = require(join(ROOT, 'bench/lib/processes.js'));
const { startCostMeter } = require(join(ROOT, 'bench/lib/cpu-cost.js'));
const { seed } = require(join(ROOT, 'bench/lib/database.js'));
const { functionVariants, measureChangeSet } = require(join(ROOT, 'bench/lib/change-set-cost.js'));

const databaseName = (url: string) => new URL(url).pathname.slice(1);

/**
 * `npm run bench` builds the repository and the ceiling server from dist/ by hand, outside Nest: when
 * the repository's constructor changes, the benchmark breaks without any other test noticing.
 */
postgresOnly('bench-wiring: the benchmark runs on PostgreSQL only')('the benchmark wiring (PostgreSQL)', () => {
  let t: TestApp;
  let url: string;

  beforeAll(async () => {
    t = await startTestApp();
    url = t.app.get(AppConfig).databaseUrl!;
    for (const slug of ['SEG_1', 'SEG_2']) await t.http.post('/api/v1/segments').send({ slug }).expect(201);
  });
  afterAll(() => t?.close());

  const startCeiling = () =>
    startService({
      root: ROOT,
      env: { DATABASE_URL: url },
      logFile: '/dev/null',
      args: [join(ROOT, 'bench/lib/ceiling-server.js')],
    });

  it('captures the statements of a read and of a change set from the built repository', async () => {
    const { read, write } = await captureStatements(ROOT, url, { userId: 7, addSegment: 1, removeSegment: 2 });
    expect(read.map((statement: { text: string }) => statement.text).join('\n')).toMatch(/FROM memberships/i);
    expect(write.map((statement: { text: string }) => statement.text).join('\n')).toMatch(/apply_change_set/);
  });

  it('serves a read and a change set from the ceiling server', async () => {
    const server = await startCeiling();
    try {
      const changed = await fetch(`${server.baseUrl}/api/v1/users/9/segments`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ add: ['SEG_1'] }),
      });
      expect(changed.status).toBe(200);
      const read = await fetch(`${server.baseUrl}/api/v1/users/9/segments`);
      expect(await read.json()).toEqual({ user_id: 9, segments: [expect.objectContaining({ slug: 'SEG_1' })] });
    } finally {
      await server.stop();
    }
  });

  it("measures a load's CPU in the server's processes and in its database's backends, and the server's RSS", async () => {
    const server = await startCeiling();
    try {
      const meter = await startCostMeter({
        servicePid: server.pid,
        monitorUrl: serverUrl(),
        database: databaseName(url),
      });
      const reads = async () => {
        for (let i = 0; i < 250; i++) await (await fetch(`${server.baseUrl}/api/v1/users/${i + 1}/segments`)).text();
      };
      await Promise.all(Array.from({ length: 8 }, reads));
      const cost = await meter.stop();
      // 2,000 reads cost the server tens of µs each and PostgreSQL a few: well over /proc's 10 ms tick.
      expect(cost.service_cpu_us).toBeGreaterThan(20_000);
      expect(cost.pg_cpu_us).toBeGreaterThan(0);
      expect(cost.pg_backends).toBeGreaterThan(0);
      expect(cost.peak_rss_mb).toBeGreaterThan(20);
    } finally {
      await server.stop();
    }
  });
});

/**
 * `npm run bench -- --change-set` edits a copy of apply_change_set to take one part out at a time: when
 * the function changes shape, the edits must fail loudly rather than measure a silent no-op.
 */
postgresOnly('bench-wiring: the change set study runs pgbench on PostgreSQL only')(
  'the change set cost study (PostgreSQL, pgbench)',
  () => {
    let database: TestDatabase;
    let workDir: string;

    beforeAll(async () => {
      database = await createPostgresDatabase();
      workDir = mkdtempSync(join(tmpdir(), 'bench-wiring-'));
      const migrate = await startService({ root: ROOT, env: { DATABASE_URL: database.url }, logFile: '/dev/null' });
      await migrate.stop();
      await seed(database.url, 300);
    });
    afterAll(async () => {
      await database?.drop();
      if (workDir) rmSync(workDir, { recursive: true, force: true });
    });

    it('takes out what each variant names, and only that: the ledger variant writes no history', async () => {
      const client = new Client({ connectionString: database.url });
      await client.connect();
      try {
        const { rows } = await client.query(
          `SELECT pg_get_functiondef('apply_change_set(bigint, text[], timestamptz[], text[], bigint)'::regprocedure) AS d`,
        );
        const variants = functionVariants(rows[0].d);
        const historyAfterChange = async (definition: string, user: number) => {
          await client.query('BEGIN');
          try {
            await client.query(definition);
            const before = await client.query('SELECT count(*)::int AS n FROM membership_history');
            const answer = await client.query(
              `SELECT * FROM apply_change_set($1, ARRAY['SEG_2'], ARRAY[NULL]::timestamptz[], ARRAY['SEG_7'], 0)`,
              [user],
            );
            const after = await client.query('SELECT count(*)::int AS n FROM membership_history');
            return { answered: answer.rows.length > 0, written: after.rows[0].n - before.rows[0].n };
          } finally {
            await client.query('ROLLBACK');
          }
        };
        // The seed puts user u in SEG_s iff (u + s) % 3 = 0: user 5 is in SEG_7, not in SEG_2, so two history rows.
        expect(await historyAfterChange(variants.original, 5)).toEqual({ answered: true, written: 2 });
        expect(await historyAfterChange(variants.ledger, 5)).toEqual({ answered: true, written: 0 });
        expect(await historyAfterChange(variants.locks, 5)).toEqual({ answered: true, written: 2 });
        expect(await historyAfterChange(variants.autoJoins, 5)).toEqual({ answered: true, written: 2 });
      } finally {
        await client.end();
      }
    });

    it('runs the change set, its floor and each part taken out, with PostgreSQL CPU per transaction', async () => {
      const captured = await captureStatements(ROOT, database.url!, { userId: 151, addSegment: 2, removeSegment: 7 });
      const result = await measureChangeSet({
        serverUrl: serverUrl(),
        database: { name: databaseName(database.url!), url: database.url },
        captured,
        options: { users: 300, seconds: 1 },
        pgbench: { workDir, connections: 2, threads: 1 },
        rounds: 1,
      });
      expect(result.variants.map((v: { id: string }) => v.id)).toEqual([
        'floor',
        'change_set',
        'no_change_log',
        'no_ledger',
        'no_locks',
        'new_user',
        'new_user_no_auto_joins',
      ]);
      // Each pgbench client changes users of its own, so no variant, not even the floor or the one without
      // locks, may fail a transaction.
      type Figure = { id: string; transactions: number; failed: number; pg_cpu_us: number | null };
      const problems = result.variants.filter(
        (v: Figure) => !(v.transactions > 0 && v.failed === 0 && (v.pg_cpu_us ?? 0) > 0),
      );
      expect(problems).toEqual([]);
      expect(result.parts.map((p: { name: string }) => p.name)).toHaveLength(4);
      expect(result.change_set_vs_floor).toBeGreaterThan(0);
    }, 120_000);
  },
);
