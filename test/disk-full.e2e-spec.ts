import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BuiltService, ensureBuilt, startBuiltService } from './reliability/support/built-service';
import { pgliteOnly } from './support/test-database';

/**
 * A full disk under DATA_DIR (embedded database and report folder on a small tmpfs of its own, as root):
 * writes answer 503 DISK_FULL in the error shape, never 500; readiness says so; what was acknowledged
 * before is kept, and the service writes again once there is space.
 */
const rootOnly = process.getuid?.() === 0 ? describe : describe.skip;

/** Writes `path` until the disk is full. */
function fillDisk(path: string): void {
  const chunk = Buffer.alloc(1024 * 1024, 1);
  const fd = openSync(path, 'w');
  try {
    for (;;) writeSync(fd, chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    closeSync(fd);
  }
}

pgliteOnly('disk-full: embedded PGlite only')('a full DATA_DIR disk', () => {
  rootOnly('as root (mounting a small tmpfs needs it; CI runs as root)', () => {
    let mountPoint: string;
    let service: BuiltService | undefined;
    const filler = () => join(mountPoint, 'filler');
    const env = () => ({ DATA_DIR: join(mountPoint, 'data'), LOG_LEVEL: 'silent' });
    const call = async (method: string, path: string, body?: unknown) => {
      const response = await fetch(`${service!.baseUrl}${path}`, {
        method,
        headers: body ? { 'content-type': 'application/json' } : {},
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as Record<string, any> };
    };

    beforeAll(() => {
      ensureBuilt();
      mountPoint = mkdtempSync(join(tmpdir(), 'segments-full-'));
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=96m', 'tmpfs', mountPoint]);
      mkdirSync(join(mountPoint, 'data'));
    });
    afterAll(() => {
      service?.kill();
      execFileSync('umount', ['-l', mountPoint]);
      rmSync(mountPoint, { recursive: true, force: true });
    });

    it('answers writes 503 DISK_FULL, is not ready, keeps what it acknowledged, and writes again once there is room', async () => {
      service = await startBuiltService(env());
      expect((await call('POST', '/api/v1/segments', { slug: 'FULL' })).status).toBe(201);
      expect((await call('PATCH', '/api/v1/users/1/segments', { add: ['FULL'] })).status).toBe(200);

      fillDisk(filler());
      // Change sets fill the pages that still have room; one of them needs a new page and is refused.
      const acknowledged = [1];
      let refused: { status: number; body: Record<string, any> } | undefined;
      for (let user = 2; user < 5_000 && !refused; user++) {
        const answer = await call('PATCH', `/api/v1/users/${user}/segments`, { add: ['FULL'] });
        if (answer.status === 200) acknowledged.push(user);
        else refused = answer;
      }
      expect(refused).toMatchObject({
        status: 503,
        body: { statusCode: 503, error: 'Service Unavailable', code: 'DISK_FULL' },
      });
      const report = await call('GET', '/api/v1/reports/history?period=2026-01&lang=en');
      if (report.status !== 200) expect(report).toMatchObject({ status: 503, body: { code: 'DISK_FULL' } });
      expect(await call('GET', '/health/ready')).toMatchObject({ status: 503, body: { code: 'DISK_FULL' } });

      rmSync(filler());
      expect((await call('GET', '/health/ready')).status).toBe(200);
      expect((await call('PATCH', '/api/v1/users/1/segments', { remove: ['FULL'] })).status).toBe(200);
      acknowledged.shift();

      service.child.kill('SIGTERM');
      expect(await service.exited(30_000)).toBe(0);
      service = await startBuiltService(env());
      expect((await call('GET', '/api/v1/segments/FULL')).body.members).toBe(acknowledged.length);
      const last = acknowledged[acknowledged.length - 1];
      expect((await call('GET', `/api/v1/users/${last}/segments`)).body.segments).toHaveLength(1);
      expect((await call('GET', `/api/v1/users/${last + 1}/segments`)).body.segments).toHaveLength(0);
    }, 120_000);
  });
});
