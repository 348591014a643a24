import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { BuiltService, ensureBuilt, startBuiltService } from './reliability/support/built-service';
import { CLI_MAIN } from './support/built-app';
import { pgliteOnly } from './support/test-database';

/**
 * The whole embedded service process stays within its memory budget after start and after typical use:
 * the README's examples, a 200,000-id import (through the service, as the CLI does beside it) and a
 * 250,000-row report. A size check, read from the kernel (peak resident set, VmHWM), not a timing.
 */
const describeEmbedded = pgliteOnly('embedded-memory: embedded PGlite only');

const MAX_RSS_MB = 300;
const IMPORTED_IDS = 200_000;
/** Far above a garbage-collection pause on a loaded machine, far below the seconds a bulk statement takes. */
const MAX_EVENT_LOOP_STALL_SECONDS = 2;

/** The process's peak resident set so far, in MB. */
function peakRssMb(pid: number): number {
  const kb = Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);
  return Math.round(kb / 1024);
}

describeEmbedded('embedded memory (built service on a new DATA_DIR)', () => {
  let dataDir: string;
  let service: BuiltService | undefined;

  beforeAll(() => {
    ensureBuilt();
    dataDir = mkdtempSync(join(tmpdir(), 'segments-memory-'));
  });
  afterAll(() => {
    service?.kill();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${service!.baseUrl}${path}`, {
      method,
      headers: body ? { 'content-type': 'application/json' } : {},
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await response.text();
    if (response.status >= 400) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return (text ? JSON.parse(text) : {}) as Record<string, unknown>;
  };

  it(`stays at or below ${MAX_RSS_MB} MB RSS after start, the README's examples, a 200,000-id import and a 250,000-row report`, async () => {
    service = await startBuiltService({ DATA_DIR: dataDir, LOG_LEVEL: 'warn' });
    const pid = service.child.pid!;
    const afterStart = peakRssMb(pid);

    await call('POST', '/api/v1/segments', { slug: 'AVITO_VOICE_MESSAGES', description: 'Voice messages' });
    await call('POST', '/api/v1/users', { user_ids: [1000, 1001, 1002, 1003, 1004, 1005] });
    await call('POST', '/api/v1/segments', { slug: 'AVITO_DISCOUNT_30', auto_percent: 30 });
    await call('PATCH', '/api/v1/users/1000/segments', {
      add: ['AVITO_VOICE_MESSAGES', { slug: 'AVITO_DISCOUNT_30', ttl: 'P2D' }],
    });
    await call('GET', '/api/v1/users/1000/segments');
    await call('GET', '/api/v1/users/1000/history');
    await call('GET', '/api/v1/segments/AVITO_DISCOUNT_30/members?limit=2');
    await call('PATCH', '/api/v1/segments/AVITO_DISCOUNT_30', { auto_percent: 50 });
    await call('DELETE', '/api/v1/segments/AVITO_VOICE_MESSAGES');
    const afterExamples = peakRssMb(pid);

    // Every imported user joins ALL_IN, a quarter of them QUARTER afterwards: about 250,000 history rows.
    await call('PATCH', '/api/v1/segments/AVITO_DISCOUNT_30', { auto_percent: null });
    await call('POST', '/api/v1/segments', { slug: 'ALL_IN', auto_percent: 100 });
    const file = join(dataDir, 'ids.txt');
    writeFileSync(file, `${Array.from({ length: IMPORTED_IDS }, (_, i) => 10_000 + i).join('\n')}\n`);
    // Asynchronously: a blocked event loop would miss the service closing the idle kept-alive connection,
    // and the next call would go out on a socket already closed.
    const imported = await promisify(execFile)(process.execPath, [CLI_MAIN, 'import-users', file], {
      env: { PATH: process.env.PATH ?? '', DATA_DIR: dataDir, LOG_LEVEL: 'silent' },
      encoding: 'utf8',
      timeout: 600_000,
    });
    expect(imported.stdout).toContain(`${IMPORTED_IDS} newly registered`);
    expect(imported.stdout).toContain(`(through ${service.baseUrl})`);
    const afterImport = peakRssMb(pid);

    // PGlite runs on a thread of its own: assigning 200,000 users (seconds of PGlite's time) does not stop
    // the service's event loop. Before, it stalled that long, /health/live included. Reading /metrics
    // starts a new window of the event-loop delay figures.
    const eventLoopLagMaxSeconds = async () =>
      Number(
        /^nodejs_eventloop_lag_max_seconds (\S+)$/m.exec(await (await fetch(`${service!.baseUrl}/metrics`)).text())![1],
      );
    await eventLoopLagMaxSeconds();
    await call('POST', '/api/v1/segments', { slug: 'QUARTER', auto_percent: 25 });
    expect(await eventLoopLagMaxSeconds()).toBeLessThan(MAX_EVENT_LOOP_STALL_SECONDS);
    const period = new Date().toISOString().slice(0, 7);
    const report = await call('GET', `/api/v1/reports/history?period=${period}`);
    expect(report.rows).toBeGreaterThanOrEqual(250_000);
    const file250k = await fetch(String(report.url).replace(/^http:\/\/localhost:\d+/, service.baseUrl));
    expect((await file250k.text()).split('\n').length).toBeGreaterThanOrEqual(250_000);
    const afterReport = peakRssMb(pid);

    process.stdout.write(
      `embedded memory, peak RSS (MB): after start ${afterStart}, README examples ${afterExamples}, ` +
        `200,000-id import ${afterImport}, ${report.rows}-row report ${afterReport}\n`,
    );
    expect(afterReport).toBeLessThanOrEqual(MAX_RSS_MB);
  }, 900_000);
});
