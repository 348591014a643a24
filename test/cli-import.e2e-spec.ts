import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { usersInRange } from './support/buckets';
import { CLI_MAIN, ensureBuilt } from './support/built-app';
import { createPostgresDatabase, postgresOnly, TestDatabase } from './support/test-database';
import { startTestApp, TestApp } from './support/test-app';

const describeOnPostgres = postgresOnly(
  'CLI import: PostgreSQL only (the CLI and the app would both open one PGlite directory)',
);

describeOnPostgres('npm run cli -- import-users (PostgreSQL)', () => {
  let database: TestDatabase;
  let t: TestApp;
  let dir: string;

  const cli = (...args: string[]) =>
    spawnSync(process.execPath, [CLI_MAIN, ...args], {
      env: { ...process.env, DATABASE_URL: database.url, LOG_LEVEL: 'silent' },
      encoding: 'utf8',
      timeout: 60_000,
    });

  beforeAll(async () => {
    ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), 'segments-import-'));
    database = await createPostgresDatabase();
    t = await startTestApp({ database });
    await t.http.post('/api/v1/segments').send({ slug: 'IMPORT_AUTO', auto_percent: 50 }).expect(201);
  });
  afterAll(async () => {
    await t?.close();
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('imports a plain file, reports bad lines with their numbers, and exits 2 because some were bad', async () => {
    const ids = Array.from({ length: 2500 }, (_, i) => 10_000 + i);
    const lines = [
      ...ids.slice(0, 1000).map(String),
      'abc',
      '',
      '-5',
      ...ids.slice(1000).map(String),
      '1.5',
      `${ids[0]}`,
    ];
    const file = join(dir, 'ids.txt');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const result = cli('import-users', file, '--batch', '700');
    expect(result.stderr).toContain('line 1001: "abc" is not a user id');
    expect(result.stderr).toContain('line 1003: "-5" is not a user id');
    expect(result.stderr).toContain(`line ${lines.length - 1}: "1.5" is not a user id`);
    expect(result.stdout).toContain(`${ids.length + 1} ids, ${ids.length} newly registered`);
    expect(result.stdout).toContain('3 bad lines skipped');
    expect(result.status).toBe(2);
    const [{ n }] = await t.sql<{ n: number }>('SELECT count(*)::int AS n FROM users');
    expect(n).toBe(ids.length);
    const autoMembers = (
      await t.sql<{ user_id: string }>(
        `SELECT m.user_id FROM memberships m JOIN segments s ON s.id = m.segment_id WHERE s.slug = 'IMPORT_AUTO' ORDER BY 1`,
      )
    ).map((row) => Number(row.user_id));
    expect(autoMembers).toEqual(usersInRange('IMPORT_AUTO', ids, 0, 5000));
  });

  it('imports a CSV with a user_id column and exits 0; importing again registers nobody', () => {
    const file = join(dir, 'ids.csv');
    writeFileSync(file, 'name;user_id\r\nann;50001\r\nbob;50002\r\n');
    const first = cli('import-users', file);
    expect(first.status).toBe(0);
    expect(first.stdout).toContain('2 ids, 2 newly registered');
    const again = cli('import-users', file);
    expect(again.status).toBe(0);
    expect(again.stdout).toContain('2 ids, 0 newly registered');
  });

  it('exits 1 for a missing file (a failure), 2 with usage for an unknown command', () => {
    const missing = cli('import-users', join(dir, 'nope.txt'));
    expect(missing.status).toBe(1);
    expect(missing.stderr).toBe(`import-users: no such file: ${join(dir, 'nope.txt')}\n`);
    const unknown = cli('frobnicate');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('usage: npm run cli');
  });

  it('migrate applies the schema to an empty database', async () => {
    const empty = await createPostgresDatabase();
    try {
      const result = spawnSync(process.execPath, [CLI_MAIN, 'migrate'], {
        env: { ...process.env, DATABASE_URL: empty.url, LOG_LEVEL: 'silent' },
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(result.status).toBe(0);
      const client = new Client({ connectionString: empty.url });
      await client.connect();
      const { rows } = await client.query(`SELECT to_regclass('public.membership_history')::text AS t`);
      await client.end();
      expect(rows).toEqual([{ t: 'membership_history' }]);
    } finally {
      await empty.drop();
    }
  });

  it('says in one line that the database cannot be reached, and exits 1', () => {
    for (const command of ['migrate', 'expire']) {
      const result = spawnSync(process.execPath, [CLI_MAIN, command], {
        env: { ...process.env, DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/nowhere', LOG_LEVEL: 'silent' },
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(result.status).toBe(1);
      expect(result.stderr).toBe(
        `${command}: cannot connect to PostgreSQL at 127.0.0.1:1 (ECONNREFUSED): start the server, or set ` +
          'DATABASE_URL to a running one (unset it for embedded PGlite)\n',
      );
    }
  });

  it('expire ends due memberships, each recorded at its expires_at, and leaves the rest', async () => {
    await t.http.post('/api/v1/segments').send({ slug: 'CLI_TTL' }).expect(201);
    // The CLI runs on the real clock: add through an app whose clock is two hours behind it.
    t.clock.set(new Date(Date.now() - 2 * 3600_000));
    const due = new Map<number, string>();
    for (const userId of [60001, 60002]) {
      const added = await t.http
        .patch(`/api/v1/users/${userId}/segments`)
        .send({ add: ['CLI_TTL'], ttl: 'PT1H' })
        .expect(200);
      due.set(userId, added.body.segments[0].expires_at);
    }
    await t.http
      .patch('/api/v1/users/60003/segments')
      .send({ add: ['CLI_TTL'], ttl: 'P2D' })
      .expect(200);
    const result = cli('expire');
    expect(result.stdout).toBe('expired: 2\n');
    expect(result.status).toBe(0);
    const held = await t.sql<{ user_id: string }>(
      `SELECT m.user_id FROM memberships m JOIN segments s ON s.id = m.segment_id WHERE s.slug = 'CLI_TTL'`,
    );
    expect(held.map((row) => Number(row.user_id))).toEqual([60003]);
    const leaves = await t.sql<{ user_id: string; at: Date }>(
      `SELECT user_id, at FROM membership_history
       WHERE segment = 'CLI_TTL' AND operation = 'removed' AND reason = 'ttl' ORDER BY user_id`,
    );
    expect(leaves.map((row) => [Number(row.user_id), row.at.toISOString()])).toEqual([...due.entries()]);
    expect(cli('expire').stdout).toBe('expired: 0\n');
  });
});
