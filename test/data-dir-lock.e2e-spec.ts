import { fork, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataDirLock } from '@app/infrastructure';
import { ensureBuilt, ROOT } from './support/built-app';
import { postgresOnly } from './support/test-database';

/**
 * DATA_DIR's lock (embedded mode): one owner per directory, whoever races for it, and a lock left by a
 * process that is gone never blocks a start, even when its pid is alive again as another process.
 */
const LOCK_MODULE = join(ROOT, 'dist/libs/infrastructure/src/database/embedded/data-dir-lock.js');
const ROUNDS = 40;
const RACERS = 4;

postgresOnly('the data directory lock: no database involved, checked once (in the PostgreSQL project)')(
  'the data directory lock',
  () => {
    let root: string;

    beforeAll(() => {
      ensureBuilt();
      root = mkdtempSync(join(tmpdir(), 'segments-lock-'));
    });
    afterAll(() => rmSync(root, { recursive: true, force: true }));

    const staleLock = (dir: string, holder: object) =>
      writeFileSync(join(dir, 'segments.lock'), JSON.stringify(holder));

    it(`has one winner when ${RACERS} processes find the same stale lock at once (${ROUNDS} rounds)`, async () => {
      const winners: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const dir = mkdtempSync(join(root, 'race-'));
        staleLock(dir, { pid: 2 ** 22 + 7, role: 'the service' });
        const startAt = String(Date.now() + 300);
        const racers = Array.from({ length: RACERS }, () =>
          fork(join(__dirname, 'support/lock-racer.js'), [dir, startAt], { env: { ...process.env, LOCK_MODULE } }),
        );
        const results = await Promise.all(
          racers.map((racer) => new Promise<string>((resolve) => racer.once('message', resolve))),
        );
        await Promise.all(racers.map((racer) => new Promise((resolve) => racer.once('exit', resolve).send('done'))));
        winners.push(results.filter((result) => result === 'won').length);
        expect(results.filter((result) => result !== 'won')).toEqual(Array(RACERS - 1).fill('DataDirInUseError'));
      }
      expect(winners).toEqual(Array(ROUNDS).fill(1));
    }, 120_000);

    it('is not held up by a takeover left by a process that died in it, and names one it cannot remove', () => {
      const dir = mkdtempSync(join(root, 'takeover-'));
      staleLock(dir, { pid: 2 ** 22 + 7, role: 'the service' });
      writeFileSync(join(dir, 'segments.lock.takeover'), JSON.stringify({ pid: 2 ** 22 + 9, role: 'takeover' }));
      const started = Date.now();
      DataDirLock.acquire(dir, 'the service').release();
      expect(Date.now() - started).toBeLessThan(2_000); // it waited ABANDONED_TAKEOVER_MS (10 s) before

      const blocked = mkdtempSync(join(root, 'takeover-dir-'));
      staleLock(blocked, { pid: 2 ** 22 + 7, role: 'the service' });
      mkdirSync(join(blocked, 'segments.lock.takeover'));
      expect(() => DataDirLock.acquire(blocked, 'the service')).toThrow(
        /segments\.lock\.takeover.*is not a file: remove it/,
      );
    });

    it("takes over a lock naming this process's own pid (a container restarted as pid 1 finds its old self's lock)", () => {
      const dir = mkdtempSync(join(root, 'own-'));
      staleLock(dir, { pid: process.pid, role: 'the service' });
      expect(DataDirLock.holderOf(dir)).toBeUndefined();
      DataDirLock.acquire(dir, 'the service').release();
    });

    it('takes over a lock whose pid now belongs to a process that started later', () => {
      const dir = mkdtempSync(join(root, 'reused-'));
      staleLock(dir, { pid: process.ppid, role: 'the service', started: 1 });
      expect(DataDirLock.holderOf(dir)).toBeUndefined();
      DataDirLock.acquire(dir, 'the service').release();
    });

    it.each([[{ pid: 0, role: 'the service' }], [{ pid: -1, role: 'the service' }], [{ pid: process.ppid }]])(
      'takes over a lock no live process can hold: %j (kill(0 or -1, 0) succeeds: such a lock never went stale)',
      (holder) => {
        const dir = mkdtempSync(join(root, 'odd-'));
        staleLock(dir, holder as { pid: number; role: string });
        expect(DataDirLock.holderOf(dir)).toBeUndefined();
        DataDirLock.acquire(dir, 'the service').release();
      },
    );

    const elsewhere = { boot: 'another-machine', pidNamespace: 'pid:[1]' };

    it('refuses a holder in another PID namespace while it renews its lease, whatever its pid', () => {
      const dir = mkdtempSync(join(root, 'elsewhere-'));
      staleLock(dir, { pid: process.pid, role: 'the service', place: elsewhere });
      const lock = join(dir, 'segments.lock');
      const renewing = `setInterval(() => require('fs').utimesSync(${JSON.stringify(lock)}, new Date(), new Date()), 200)`;
      const renew = spawn(process.execPath, ['-e', renewing], { stdio: 'ignore' });
      try {
        expect(() => DataDirLock.acquire(dir, 'the CLI (migrate)')).toThrow(
          `is in use by the service, pid ${process.pid} (in another container or PID namespace)`,
        );
      } finally {
        renew.kill('SIGKILL');
      }
    });

    it('takes over a holder in another PID namespace whose lease lapsed', () => {
      const dir = mkdtempSync(join(root, 'lapsed-'));
      staleLock(dir, { pid: 1, role: 'the service', place: elsewhere });
      DataDirLock.acquire(dir, 'the service').release();
    });

    it('renews its own lease, and a holder whose lock was taken from it exits at once', async () => {
      const dir = mkdtempSync(join(root, 'renewed-'));
      const holder = fork(join(__dirname, 'support/lock-racer.js'), [dir, String(Date.now())], {
        env: { ...process.env, LOCK_MODULE },
      });
      expect(await new Promise((resolve) => holder.once('message', resolve))).toBe('won');
      const lock = join(dir, 'segments.lock');
      const before = statSync(lock).mtimeMs;
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      expect(statSync(lock).mtimeMs).not.toBe(before);

      const exit = new Promise((resolve) => holder.once('exit', (code, signal) => resolve(signal ?? code)));
      staleLock(dir, { pid: process.pid, role: 'another service', token: 'not-the-holders' });
      expect(await exit).toBe(1);
    });

    it('refuses while the holder runs, naming it', () => {
      const dir = mkdtempSync(join(root, 'held-'));
      staleLock(dir, { pid: process.ppid, role: 'the service', url: 'http://127.0.0.1:8080' });
      expect(() => DataDirLock.acquire(dir, 'the CLI (migrate)')).toThrow(
        `DATA_DIR ${dir} is in use by the service, pid ${process.ppid} at http://127.0.0.1:8080`,
      );
    });
  },
);
