import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { isSegmentsError, SegmentsClient, SegmentsError } from './index';

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

/**
 * The client's failure handling against a scripted HTTP server on 127.0.0.1 (the real service cannot
 * be made to answer 503 on cue); test/client.e2e-spec.ts covers the real service.
 */
describe('SegmentsClient retries and deadlines', () => {
  let server: Server;
  let baseUrl: string;
  let script: Handler[];
  let seen: IncomingMessage[];

  beforeAll(async () => {
    server = createServer((request, response) => {
      seen.push(request);
      (script.shift() ?? ok)(request, response);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  beforeEach(() => {
    script = [];
    seen = [];
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const client = (options: Partial<ConstructorParameters<typeof SegmentsClient>[0]> = {}) =>
    new SegmentsClient({ baseUrl, retry: { baseDelayMs: 1 }, ...options });
  const body = { user_id: 5, segments: [] };
  const ok: Handler = (_request, response) => response.writeHead(200).end(JSON.stringify(body));
  const failing =
    (status: number, code: string, headers: Record<string, string> = {}): Handler =>
    (_request, response) =>
      response
        .writeHead(status, { 'content-type': 'application/json', ...headers })
        .end(JSON.stringify({ statusCode: status, error: 'x', code, message: code }));
  const unavailable = (retryAfter?: string) =>
    failing(503, 'DATABASE_UNAVAILABLE', retryAfter ? { 'retry-after': retryAfter } : {});

  it('retries a read on 503 and answers once the service does', async () => {
    script = [unavailable(), unavailable('0')];
    expect(await client().getUserSegments(5)).toEqual(body);
    expect(seen).toHaveLength(3);
  });

  it('waits what Retry-After says, and gives up when it asks for more than maxDelayMs', async () => {
    script = [unavailable('1')];
    const started = Date.now();
    await client().getUserSegments(5);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);

    script = [unavailable('10')];
    await expect(client().getUserSegments(5)).rejects.toMatchObject({
      code: 'DATABASE_UNAVAILABLE',
      status: 503,
      retryAfterSeconds: 10,
    });
    expect(seen).toHaveLength(3);
  });

  it('stops after `retries` tries', async () => {
    script = Array.from({ length: 10 }, () => unavailable());
    await expect(client({ retry: { retries: 2, baseDelayMs: 1 } }).getSegment('A')).rejects.toMatchObject({
      status: 503,
    });
    expect(seen).toHaveLength(3);
  });

  it.each([
    [400, 'VALIDATION_FAILED'],
    [404, 'SEGMENT_NOT_FOUND'],
    [429, 'RATE_LIMITED'],
  ])('never retries a %i', async (status, code) => {
    script = [failing(status, code, { 'retry-after': '0' })];
    const error = await client()
      .getSegment('A')
      .catch((caught: unknown) => caught);
    expect(isSegmentsError(error, code as 'VALIDATION_FAILED')).toBe(true);
    expect(seen).toHaveLength(1);
  });

  it('does not retry writes other than change sets', async () => {
    script = [unavailable('0')];
    await expect(client().createSegment({ slug: 'A' })).rejects.toBeInstanceOf(SegmentsError);
    expect(seen).toHaveLength(1);
  });

  it('retries a change set, but not one naming a ttl (a repeat would count it again)', async () => {
    script = [unavailable('0')];
    await client().changeUserSegments(5, { add: ['A'], expires_at: '2099-01-01T00:00:00Z' });
    expect(seen).toHaveLength(2);

    for (const changes of [{ add: ['A'], ttl: 'P1D' }, { add: [{ slug: 'A', ttl: 'PT1H' }] }]) {
      seen = [];
      script = [unavailable('0')];
      await expect(client().changeUserSegments(5, changes)).rejects.toMatchObject({ status: 503 });
      expect(seen).toHaveLength(1);
    }
  });

  it('times out each attempt, retrying reads, and says TIMEOUT', async () => {
    const silent: Handler = () => undefined;
    script = [silent, silent, silent];
    const started = Date.now();
    await expect(
      client({ timeoutMs: 100, retry: { retries: 2, baseDelayMs: 1 } }).getSegment('A'),
    ).rejects.toMatchObject({
      code: 'TIMEOUT',
    });
    expect(seen).toHaveLength(3);
    expect(Date.now() - started).toBeLessThan(2_000);
    // A call's own deadline wins over the client's.
    script = [silent];
    await expect(client({ retry: { retries: 0 } }).getSegment('A', { timeoutMs: 50 })).rejects.toMatchObject({
      code: 'TIMEOUT',
    });
  });

  it('calls an answer outside the error shape UNEXPECTED_RESPONSE', async () => {
    script = [(_request, response) => response.writeHead(502).end('<html>bad gateway</html>')];
    await expect(client().getSegment('A')).rejects.toMatchObject({ code: 'UNEXPECTED_RESPONSE', status: 502 });
  });

  it('calls a 2xx answer that is not JSON UNEXPECTED_RESPONSE, reads and segmentsOf alike', async () => {
    const page: Handler = (_request, response) => response.writeHead(200).end('<html>portal</html>');
    script = [page, page];
    await expect(client().getSegment('A')).rejects.toMatchObject({ code: 'UNEXPECTED_RESPONSE', status: 200 });
    await expect(client().segmentsOf(5)).rejects.toMatchObject({ code: 'UNEXPECTED_RESPONSE', status: 200 });
  });

  it('fails, never answers undefined, the segmentsOf calls whose user a lookup answer leaves out', async () => {
    const onlyFive: Handler = (_request, response) =>
      response.writeHead(200).end(JSON.stringify({ users: [{ user_id: 5, segments: [] }] }));
    script = [onlyFive];
    const one = client();
    const [five, six] = await Promise.allSettled([one.segmentsOf(5), one.segmentsOf(6)]);
    expect(seen.map((request) => request.url)).toEqual(['/api/v1/users/lookup']);
    expect(five).toMatchObject({ status: 'rejected', reason: { code: 'UNEXPECTED_RESPONSE' } });
    expect(six).toMatchObject({ status: 'rejected', reason: { code: 'UNEXPECTED_RESPONSE' } });
  });

  it('sends the API key given once on every request', async () => {
    const keyed = client({ apiKey: 'k-1' });
    await keyed.getUserSegments(5);
    await keyed.segmentsOf(6);
    expect(seen.map((request) => request.headers.authorization)).toEqual(['Bearer k-1', 'Bearer k-1']);
  });

  it('refuses a maxStaleMs above 60,000', () => {
    expect(() => client({ maxStaleMs: 60_001 })).toThrow(RangeError);
    expect(() => client({ maxStaleMs: 60_000 })).not.toThrow();
  });

  it('refuses options of the wrong type from plain JavaScript: a string maxStaleMs, a maxEntries that is no count', () => {
    expect(() => client({ maxStaleMs: '5' as unknown as number })).toThrow(RangeError);
    expect(() => client({ maxEntries: 'many' as unknown as number })).toThrow(RangeError);
    expect(() => client({ maxEntries: 0 })).toThrow(RangeError);
    expect(() => client({ maxEntries: 100 })).not.toThrow();
  });
});
