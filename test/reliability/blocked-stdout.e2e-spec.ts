import { createTestDatabase, TestDatabase } from '../support/test-database';
import { BuiltService, ensureBuilt, startBuiltService } from './support/built-service';
import { rawRequest } from './support/raw-http';
import { waitFor } from './support/wait-for';

/**
 * The service logs a line per request to stdout. When whatever reads stdout stops reading (a log
 * shipper that hangs, a terminal paused with Ctrl-S), the pipe fills after about 64 KB: the service
 * must go on answering, and the lines must come out once the reader is back.
 */
const REQUESTS = 1_500; // about 600 KB of request lines, ten times the pipe's buffer
const PARALLEL = 10;

describe('reliability/blocked-stdout', () => {
  let database: TestDatabase;
  let service: BuiltService | undefined;

  beforeAll(async () => {
    ensureBuilt();
    database = await createTestDatabase();
  });
  afterAll(async () => {
    service?.kill();
    await database?.drop();
  });

  it('keeps answering while nobody reads its stdout, and loses no line', async () => {
    service = await startBuiltService({ ...database.env, LOG_LEVEL: 'info' });
    const running = service;
    running.child.stdout!.pause();
    let sent = 0;
    const client = async () => {
      while (sent < REQUESTS) {
        sent++;
        const answer = await rawRequest(running.baseUrl, {
          method: 'GET',
          path: `/api/v1/users/${sent}/segments`,
          timeoutMs: 5_000,
          keepAlive: true,
        });
        expect(answer.status).toBe(200);
      }
    };
    await Promise.all(Array.from({ length: PARALLEL }, client));
    const live = await rawRequest(running.baseUrl, { method: 'GET', path: '/health/live', timeoutMs: 2_000 });
    expect(live.status).toBe(200);

    running.child.stdout!.resume();
    const logged = () => running.output().match(/"msg":"request completed"/g)?.length ?? 0;
    await waitFor('every request line on stdout', 10_000, async () => logged() >= REQUESTS);
  });
});
