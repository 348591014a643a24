import { SegmentsClient } from '../libs/client/src';
import { BuiltService, ensureBuilt, startBuiltService } from './reliability/support/built-service';
import { freePort } from './reliability/support/free-port';
import { createTestDatabase, TestDatabase } from './support/test-database';

/** The built service stopped and started again on the same port and data: the client's retries bridge the gap. */
describe('the client library across a restart of the service', () => {
  let database: TestDatabase;
  let port: number;
  let service: BuiltService | undefined;
  const start = () => startBuiltService({ ...database.env, LOG_LEVEL: 'silent' }, { port });
  const stop = async () => {
    service!.child.kill('SIGTERM');
    await service!.exited(30_000);
    service = undefined;
  };

  beforeAll(async () => {
    ensureBuilt();
    database = await createTestDatabase();
    port = await freePort();
    service = await start();
  }, 120_000);
  afterAll(async () => {
    service?.kill();
    await database.drop();
  });

  it('retries reads and change sets on network errors until the service is back, each change applied once', async () => {
    const client = new SegmentsClient({
      baseUrl: `http://127.0.0.1:${port}`,
      retry: { retries: 30, baseDelayMs: 200, maxDelayMs: 1_000 },
    });
    await client.createSegment({ slug: 'RESTART_A' });
    await client.changeUserSegments(1, { add: ['RESTART_A'] });

    await stop();
    const once = new SegmentsClient({ baseUrl: `http://127.0.0.1:${port}`, retry: { retries: 0 } });
    await expect(once.segmentsOf(1)).rejects.toMatchObject({ code: 'NETWORK_ERROR' });
    const read = Promise.all([client.segmentsOf(1), client.segmentsOf(2)]);
    const changed = client.changeUserSegments(2, { add: ['RESTART_A'], expires_at: '2099-01-01T00:00:00Z' });
    const single = client.getSegment('RESTART_A');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    service = await start();

    const [[first, second], change, segment] = await Promise.all([read, changed, single]);
    expect(first.map((membership) => membership.slug)).toEqual(['RESTART_A']);
    expect(change.segments.map((membership) => membership.slug)).toEqual(['RESTART_A']);
    expect(second.length).toBeLessThanOrEqual(1);
    expect(segment.slug).toBe('RESTART_A');
    expect((await client.getSegment('RESTART_A')).members).toBe(2);
    const history = await client.getUserHistory(2);
    expect(history.items.map((entry) => `${entry.segment} ${entry.operation}`)).toEqual(['RESTART_A added']);
  }, 120_000);
});
