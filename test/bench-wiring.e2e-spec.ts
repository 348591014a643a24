import { join } from 'node:path';
import { AppConfig } from '@app/infrastructure';
import { ROOT } from './support/built-app';
import { isPostgres } from './support/test-database';
import { startTestApp, TestApp } from './support/test-app';

/* eslint-disable @typescript-eslint/no-require-imports */
const { captureStatements } = require(join(ROOT, 'bench/lib/pgbench.js'));
const { startService } = require(join(ROOT, 'bench/lib/processes.js'));

/**
 * `npm run bench` builds the repository and the ceiling server from dist/ by hand, outside Nest: when
 * the repository's constructor changes, the benchmark breaks without any other test noticing.
 */
(isPostgres() ? describe : describe.skip)('the benchmark wiring (PostgreSQL)', () => {
  let t: TestApp;
  let url: string;

  beforeAll(async () => {
    t = await startTestApp();
    url = t.app.get(AppConfig).databaseUrl!;
    for (const slug of ['SEG_1', 'SEG_2']) await t.http.post('/api/v1/segments').send({ slug }).expect(201);
  });
  afterAll(() => t?.close());

  it('captures the statements of a read and of a change set from the built repository', async () => {
    const { read, write } = await captureStatements(ROOT, url, { userId: 7, addSegment: 1, removeSegment: 2 });
    expect(read.map((statement: { text: string }) => statement.text).join('\n')).toMatch(/FROM memberships/i);
    expect(write.map((statement: { text: string }) => statement.text).join('\n')).toMatch(/apply_change_set/);
  });

  it('serves a read and a change set from the ceiling server', async () => {
    const server = await startService({
      root: ROOT,
      env: { DATABASE_URL: url },
      logFile: '/dev/null',
      args: [join(ROOT, 'bench/lib/ceiling-server.js')],
    });
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
});
