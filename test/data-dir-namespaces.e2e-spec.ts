import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BuiltService, ensureBuilt, startBuiltService } from './reliability/support/built-service';
import { freePort } from './reliability/support/free-port';
import { API_MAIN, CLI_MAIN } from './support/built-app';
import { pgliteOnly } from './support/test-database';

/**
 * Two containers of the shipped image on one volume: each service is pid 1 in a PID namespace of its
 * own (unshare --pid, as root). The second must refuse the data directory the first holds, whatever the
 * pids say, and nothing the first acknowledged may be lost; a holder that crashed is still taken over.
 */
const rootOnly = process.getuid?.() === 0 ? describe : describe.skip;
const IN_NEW_PID_NAMESPACE = ['unshare', '--pid', '--fork', '--mount-proc', '--kill-child=SIGKILL'];
const LOCK_FILE = 'segments.lock';

pgliteOnly('data-dir-namespaces: embedded PGlite only')('one owner per DATA_DIR across PID namespaces', () => {
  rootOnly('as root (unshare needs it; CI runs as root)', () => {
    let dataDir: string;
    const services: BuiltService[] = [];

    const env = () => ({ DATA_DIR: dataDir, LOG_LEVEL: 'warn' });
    const start = async (wrapper = IN_NEW_PID_NAMESPACE) => {
      const service = await startBuiltService(env(), { wrapper });
      services.push(service);
      return service;
    };
    const api = async (service: BuiltService, path: string, body?: unknown, method = body ? 'POST' : 'GET') => {
      const response = await fetch(`${service.baseUrl}${path}`, {
        method,
        headers: body ? { 'content-type': 'application/json' } : {},
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as Record<string, any> };
    };
    /** The host pid of the node process that unshare started (pid 1 in its namespace). */
    const nodePidOf = (service: BuiltService) =>
      Number(execFileSync('pgrep', ['-P', String(service.child.pid)], { encoding: 'utf8' }).trim());
    const refusedInOtherNamespace = async (main: string, ...args: string[]) =>
      spawnSync(IN_NEW_PID_NAMESPACE[0], [...IN_NEW_PID_NAMESPACE.slice(1), process.execPath, main, ...args], {
        env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: String(await freePort()), ...env() },
        encoding: 'utf8',
        timeout: 30_000,
        // unshare passes SIGKILL on to its pid 1 (--kill-child); a service that wrongly started must not outlive it.
        killSignal: 'SIGKILL',
      });

    beforeAll(() => ensureBuilt());
    beforeEach(() => {
      dataDir = mkdtempSync(join(tmpdir(), 'segments-ns-'));
    });
    afterEach(() => {
      for (const service of services.splice(0)) service.kill();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('a second service in another PID namespace, also pid 1, refuses; the first keeps every write', async () => {
      const first = await start();
      expect(JSON.parse(readFileSync(join(dataDir, LOCK_FILE), 'utf8')).pid).toBe(1);
      expect((await api(first, '/api/v1/segments', { slug: 'NS_KEPT' })).status).toBe(201);
      for (let user = 1; user <= 50; user++) {
        const changed = await api(first, `/api/v1/users/${user}/segments`, { add: ['NS_KEPT'] }, 'PATCH');
        expect(changed.status).toBe(200);
      }

      const second = await refusedInOtherNamespace(API_MAIN);
      expect(second.status).toBe(1);
      const lines = `${second.stdout}${second.stderr}`.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain('is in use by the service, pid 1 (in another container or PID namespace)');
      expect(lines[0]).toContain(first.baseUrl);

      const cli = await refusedInOtherNamespace(CLI_MAIN, 'migrate');
      expect(cli.status).not.toBe(0);
      expect(cli.stderr).toContain('is in use by the service, pid 1');

      expect((await api(first, '/api/v1/segments/NS_KEPT')).body.members).toBe(50);
      process.kill(nodePidOf(first), 'SIGTERM');
      expect(await first.exited(30_000)).toBe(0);

      const after = await start();
      expect((await api(after, '/api/v1/segments/NS_KEPT')).body.members).toBe(50);
      expect((await api(after, '/api/v1/users/50/segments')).body.segments).toHaveLength(1);
    }, 120_000);

    it('a holder frozen past its lease, taken over from another namespace, writes nothing on waking and exits', async () => {
      const frozen = await start();
      expect((await api(frozen, '/api/v1/segments', { slug: 'NS_FROZEN' })).status).toBe(201);
      expect((await api(frozen, '/api/v1/users/1/segments', { add: ['NS_FROZEN'] }, 'PATCH')).status).toBe(200);
      const frozenPid = nodePidOf(frozen);
      process.kill(frozenPid, 'SIGSTOP');
      let next: BuiltService;
      try {
        next = await start(); // waits out the frozen holder's lease, then takes the directory over
      } finally {
        process.kill(frozenPid, 'SIGCONT');
      }
      // Woken, pid 1 of its namespace (which ignores its own SIGKILL): it must not acknowledge a write.
      const late = await api(frozen, '/api/v1/users/2/segments', { add: ['NS_FROZEN'] }, 'PATCH').catch(
        (error: Error) => ({ status: 0, body: { error: error.message } }),
      );
      expect(late.status).not.toBe(200);
      expect(await frozen.exited(10_000)).not.toBe(0);

      expect((await api(next, '/api/v1/users/1/segments')).body.segments).toHaveLength(1);
      expect((await api(next, '/api/v1/users/2/segments')).body.segments).toHaveLength(0);
      expect((await api(next, '/api/v1/users/3/segments', { add: ['NS_FROZEN'] }, 'PATCH')).status).toBe(200);
    }, 120_000);

    it('a holder killed in its namespace is taken over from another one once its lease lapses', async () => {
      const crashed = await start();
      expect((await api(crashed, '/api/v1/segments', { slug: 'NS_CRASH' })).status).toBe(201);
      crashed.child.kill('SIGKILL'); // unshare --kill-child takes its pid 1 down with it
      await crashed.exited(10_000);

      const next = await start();
      expect((await api(next, '/api/v1/segments/NS_CRASH')).status).toBe(200);
    }, 120_000);
  });
});
