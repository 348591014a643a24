import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BuiltService, ensureBuilt, startBuiltService } from './reliability/support/built-service';
import { freePort } from './reliability/support/free-port';
import { usersInRange } from './support/buckets';
import { API_MAIN, CLI_MAIN } from './support/built-app';
import { pgliteOnly } from './support/test-database';

/**
 * One owner per embedded data directory: the service locks DATA_DIR; a second service and the CLI's
 * database commands refuse with one line naming the holder; `import-users` goes through the running
 * service's API instead; the directory always opens afterwards.
 */
const describeEmbedded = pgliteOnly('data-dir-owner: embedded PGlite only (PostgreSQL has no data directory here)');

const LOCK_FILE = 'segments.lock';
const EXIT_WITHIN_MS = 30_000;

describeEmbedded('one owner per DATA_DIR (built service and CLI)', () => {
  let dataDir: string;
  let service: BuiltService | undefined;

  const env = () => ({ DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
  const cli = (...args: string[]) =>
    spawnSync(process.execPath, [CLI_MAIN, ...args], {
      env: { PATH: process.env.PATH ?? '', ...env() },
      encoding: 'utf8',
      timeout: 120_000,
    });
  const api = async (path: string, init?: { method: string; body: unknown }) => {
    const response = await fetch(`${service!.baseUrl}${path}`, {
      method: init?.method ?? 'GET',
      headers: init ? { 'content-type': 'application/json' } : {},
      body: init ? JSON.stringify(init.body) : undefined,
    });
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  };
  const stopService = async () => {
    service!.child.kill('SIGTERM');
    expect(await service!.exited(EXIT_WITHIN_MS)).toBe(0);
    service = undefined;
  };

  /** Who holds DATA_DIR; undefined while there is no lock file, or one still being written. */
  const roleInLock = () => {
    try {
      return (JSON.parse(readFileSync(join(dataDir, LOCK_FILE), 'utf8')) as { role?: string }).role;
    } catch {
      return undefined;
    }
  };

  beforeAll(() => ensureBuilt());
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'segments-owner-'));
  });
  afterEach(() => {
    service?.kill();
    service = undefined;
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('a second service on the same DATA_DIR exits at once with one line naming the holder', async () => {
    service = await startBuiltService(env());
    const lock = JSON.parse(readFileSync(join(dataDir, LOCK_FILE), 'utf8'));
    expect(lock).toMatchObject({ pid: service.child.pid, url: service.baseUrl });

    const port = await freePort();
    const second = spawnSync(process.execPath, [API_MAIN], {
      env: { PATH: process.env.PATH ?? '', PORT: String(port), HOST: '127.0.0.1', ...env() },
      encoding: 'utf8',
      timeout: EXIT_WITHIN_MS,
    });
    expect(second.status).toBe(1);
    const lines = `${second.stdout}${second.stderr}`.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`pid ${service.child.pid}`);
    expect(lines[0]).toContain(service.baseUrl);
    expect((await api('/health/ready')).status).toBe(200);

    await stopService();
    expect(existsSync(join(dataDir, LOCK_FILE))).toBe(false);
  });

  it('import-users beside the running service lands in it at once, and is still there after a restart', async () => {
    service = await startBuiltService(env());
    expect((await api('/api/v1/segments', { method: 'POST', body: { slug: 'BESIDE', auto_percent: 40 } })).status).toBe(
      201,
    );
    const ids = Array.from({ length: 1000 }, (_, i) => 5_000 + i);
    const file = join(dataDir, 'ids.txt');
    writeFileSync(file, `${ids.join('\n')}\nnot-an-id\n`);

    const imported = cli('import-users', file, '--batch', '300');
    expect(imported.stderr).toContain('line 1001: "not-an-id" is not a user id');
    expect(imported.stdout).toContain('1000 ids, 1000 newly registered');
    expect(imported.status).toBe(2);
    const members = usersInRange('BESIDE', ids, 0, 4000).length;
    expect((await api('/api/v1/segments/BESIDE')).body.members).toBe(members);
    expect((await api('/api/v1/users', { method: 'POST', body: { user_ids: ids.slice(0, 10) } })).body.registered).toBe(
      0,
    );

    await stopService();
    service = await startBuiltService(env());
    expect((await api('/api/v1/segments/BESIDE')).body.members).toBe(members);
    expect((await api('/api/v1/users', { method: 'POST', body: { user_ids: ids.slice(-10) } })).body.registered).toBe(
      0,
    );
  });

  it("the CLI's database commands refuse with one line while the service runs; they work once it stops", async () => {
    service = await startBuiltService(env());
    for (const command of ['migrate', 'expire']) {
      const refused = cli(command);
      expect(refused.status).toBe(1);
      const lines = refused.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`pid ${service.child.pid}`);
    }
    expect((await api('/health/ready')).status).toBe(200);

    await stopService();
    const migrated = cli('migrate');
    expect(migrated.stderr).toBe('');
    expect(migrated.status).toBe(0);
    expect(existsSync(join(dataDir, LOCK_FILE))).toBe(false);
  });

  it('a lock left by a process that is gone is taken over', async () => {
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    writeFileSync(join(dataDir, LOCK_FILE), JSON.stringify({ pid: Number(gone.stdout), url: 'http://127.0.0.1:1' }));
    service = await startBuiltService(env());
    expect(JSON.parse(readFileSync(join(dataDir, LOCK_FILE), 'utf8')).pid).toBe(service.child.pid);
  });

  it('import-users with no service running opens the directory itself, and the service sees the users', async () => {
    const file = join(dataDir, 'ids.txt');
    writeFileSync(file, '1\n2\n3\n');
    const imported = cli('import-users', file);
    expect(imported.status).toBe(0);
    expect(imported.stdout).toContain('3 ids, 3 newly registered');
    service = await startBuiltService(env());
    expect((await api('/api/v1/users', { method: 'POST', body: { user_ids: [1, 2, 3] } })).body.registered).toBe(0);
  });

  it('import-users with no service running holds DATA_DIR under its own name while it works', async () => {
    const file = join(dataDir, 'ids.txt');
    writeFileSync(file, `${Array.from({ length: 200_000 }, (_, i) => i + 1).join('\n')}\n`);
    const child = spawn(process.execPath, [CLI_MAIN, 'import-users', file], {
      env: { PATH: process.env.PATH ?? '', ...env() },
      stdio: 'ignore',
    });
    const exited = new Promise<number | null>((done) => child.on('exit', done));
    let role: string | undefined;
    while (role === undefined && child.exitCode === null) {
      role = roleInLock();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(await exited).toBe(0);
    expect(role).toBe('the CLI (import-users)');
  });

  it('import-users --url sends the batches to the service named', async () => {
    service = await startBuiltService(env());
    const file = join(dataDir, 'ids.txt');
    writeFileSync(file, '7\n8\n');
    const other = mkdtempSync(join(tmpdir(), 'segments-owner-other-'));
    try {
      const imported = spawnSync(process.execPath, [CLI_MAIN, 'import-users', file, '--url', service.baseUrl], {
        env: { PATH: process.env.PATH ?? '', DATA_DIR: other, LOG_LEVEL: 'silent' },
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(imported.status).toBe(0);
      expect(imported.stdout).toContain('2 ids, 2 newly registered');
      expect((await api('/api/v1/users', { method: 'POST', body: { user_ids: [7, 8] } })).body.registered).toBe(0);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
});
