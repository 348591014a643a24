import { createTestDatabase, isPostgres, TestDatabase } from '../support/test-database';
import { BuiltService, ensureBuilt, startBuiltService } from './support/built-service';
import { rawRequest } from './support/raw-http';
import { waitFor } from './support/wait-for';

/**
 * The service logs a line per request to stdout. When whatever reads stdout stops reading (a log
 * shipper that hangs, a terminal paused with Ctrl-S), the pipe fills after about 64 KB: the service
 * must go on answering, and stop when told to; and every line that comes out must be whole, also with
 * two worker processes writing to the one pipe.
 */
const REQUESTS = 1_500; // about 600 KB of request lines, ten times the pipe's buffer
const PARALLEL = 10;

async function readSegments(service: BuiltService, count: number, parallel = PARALLEL): Promise<void> {
  let sent = 0;
  const client = async () => {
    while (sent < count) {
      sent++;
      const answer = await rawRequest(service.baseUrl, {
        method: 'GET',
        path: `/api/v1/users/${sent}/segments`,
        timeoutMs: 5_000,
        keepAlive: true,
      });
      expect(answer.status).toBe(200);
    }
  };
  await Promise.all(Array.from({ length: parallel }, client));
}

/** The service's stdout lines; each must be a whole JSON object. */
function jsonLines(output: string): { msg?: string }[] {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { msg?: string });
}

describe('reliability/blocked-stdout', () => {
  let database: TestDatabase;
  let service: BuiltService | undefined;

  beforeAll(async () => {
    ensureBuilt();
    database = await createTestDatabase();
  });
  afterEach(() => service?.kill());
  afterAll(() => database?.drop());

  // LOG_LEVEL debug throughout: a successful read's line is written at debug.
  it('keeps answering while nobody reads its stdout, and loses no line', async () => {
    const running = (service = await startBuiltService({ ...database.env, LOG_LEVEL: 'debug' }));
    running.child.stdout!.pause();
    await readSegments(running, REQUESTS);
    const live = await rawRequest(running.baseUrl, { method: 'GET', path: '/health/live', timeoutMs: 2_000 });
    expect(live.status).toBe(200);

    running.child.stdout!.resume();
    const logged = () => jsonLines(running.output()).filter((line) => line.msg === 'request completed').length;
    await waitFor('every request line on stdout', 10_000, async () => logged() >= REQUESTS);
  });

  it('stops on SIGTERM while nobody reads its stdout, leaving only whole lines', async () => {
    const running = (service = await startBuiltService({ ...database.env, LOG_LEVEL: 'debug' }));
    running.child.stdout!.pause();
    await readSegments(running, 400);
    running.child.kill('SIGTERM');
    expect(await running.exited(5_000)).toBe(0);
    running.child.stdout!.resume();
    await new Promise((resolve) => running.child.stdout!.once('end', resolve));
    expect(jsonLines(running.output()).length).toBeGreaterThan(0);
  });

  // Workers need PostgreSQL: embedded PGlite allows one process on DATA_DIR.
  (isPostgres() ? it : it.skip)('writes whole lines from two workers to one slowly read pipe', async () => {
    const running = (service = await startBuiltService({
      ...database.env,
      LOG_LEVEL: 'debug',
      WEB_CONCURRENCY: '2',
    }));
    const listening = () => jsonLines(running.output()).filter((line) => line.msg?.startsWith('listening on')).length;
    await waitFor('both workers listening', 20_000, async () => listening() === 2);
    const stdout = running.child.stdout!;
    const slowReader = setInterval(() => (stdout.isPaused() ? stdout.resume() : stdout.pause()), 20);
    try {
      await readSegments(running, 2_000, 16);
      // Lines longer than a pipe writes whole (the access log's URL): cut to fit, never torn by the other worker.
      const long = `/api/v1/users/1/segments?${'q'.repeat(12_000)}`;
      for (let i = 0; i < 50; i++) await rawRequest(running.baseUrl, { method: 'GET', path: long, keepAlive: true });
    } finally {
      clearInterval(slowReader);
      stdout.resume();
    }
    running.child.kill('SIGTERM');
    expect(await running.exited(15_000)).toBe(0);
    await new Promise((resolve) => (stdout.readableEnded ? resolve(undefined) : stdout.once('end', resolve)));
    const lines = jsonLines(running.output());
    const completed = lines.filter((line) => line.msg === 'request completed') as { req?: { url?: string } }[];
    expect(completed).toHaveLength(2_050);
    expect(completed.filter((line) => /\(11769 more characters\)$/.test(line.req?.url ?? ''))).toHaveLength(50);
  });

  (isPostgres() ? it : it.skip)('serves on with two workers when stdout is closed, and stops on SIGTERM', async () => {
    const closed = (service = await startBuiltService({ ...database.env, LOG_LEVEL: 'debug', WEB_CONCURRENCY: '2' }));
    closed.child.stdout!.destroy(); // EPIPE from now on
    await readSegments(closed, 200);
    closed.child.kill('SIGTERM');
    expect(await closed.exited(5_000)).toBe(0);
  });
});
