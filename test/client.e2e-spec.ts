import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode, isSegmentsError, SegmentsClient, ServiceErrorCode } from '../libs/client/src';
import { ROOT } from './support/built-app';
import { countsSince, requestCounts } from './support/request-counts';
import { startTestApp, TestApp } from './support/test-app';

const LOOKUP = 'POST /api/v1/users/lookup 200';
const GET_200 = 'GET /api/v1/users/:user_id/segments 200';
const GET_304 = 'GET /api/v1/users/:user_id/segments 304';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** libs/client against the service: batching, staleness, revalidation. */
describe('the client library (libs/client) against the service', () => {
  let t: TestApp;
  let baseUrl: string;
  const client = (options: { maxStaleMs?: number } = {}) => new SegmentsClient({ baseUrl, ...options });
  const slugsOf = (segments: Array<{ slug: string }>) => segments.map((membership) => membership.slug);

  /** The requests `work` made the service answer. */
  async function requestsOf(work: () => Promise<unknown>): Promise<Record<string, number>> {
    const before = await requestCounts(baseUrl);
    await work();
    return countsSince(before, await requestCounts(baseUrl));
  }

  beforeAll(async () => {
    t = await startTestApp();
    baseUrl = t.baseUrl.replace('[::1]', '127.0.0.1');
    const admin = client();
    await admin.createSegment({ slug: 'CL_A' });
    await admin.createSegment({ slug: 'CL_B' });
    for (let userId = 1; userId <= 20; userId++)
      await admin.changeUserSegments(userId, { add: userId % 2 ? ['CL_A'] : ['CL_A', 'CL_B'] });
  });
  afterAll(() => t.close());

  it('coalesces the calls of one tick into one lookup, answering each as GET does', async () => {
    const ids = Array.from({ length: 300 }, (_, i) => i + 1).concat([1, 2, 3]);
    const reader = client();
    let answers: Awaited<ReturnType<SegmentsClient['segmentsOf']>>[] = [];
    const requests = await requestsOf(
      async () => (answers = await Promise.all(ids.map((id) => reader.segmentsOf(id)))),
    );
    expect(requests).toEqual({ [LOOKUP]: 1 });
    const expected = await Promise.all(ids.map(async (id) => (await client().getUserSegments(id)).segments));
    expect(answers).toEqual(expected);
    expect(slugsOf(answers[1])).toEqual(['CL_A', 'CL_B']);
    expect(answers[299]).toEqual([]);
  });

  it('splits a tick of more than 1000 users into lookups of at most 1000', async () => {
    const reader = client();
    const ids = Array.from({ length: 2500 }, (_, i) => i + 1);
    const requests = await requestsOf(() => Promise.all(ids.map((id) => reader.segmentsOf(id))));
    expect(requests).toEqual({ [LOOKUP]: 3 });
  });

  it('reuses an answer for at most maxStaleMs, then asks again', async () => {
    const reader = client({ maxStaleMs: 1_500 });
    expect(slugsOf(await reader.segmentsOf(21))).toEqual([]);
    // Another caller's change: this reader may not see it before its answer is 1.5 s old.
    await client().changeUserSegments(21, { add: ['CL_A'] });
    const asked = Date.now();
    const within = await requestsOf(async () => expect(slugsOf(await reader.segmentsOf(21))).toEqual([]));
    expect(within).toEqual({});
    expect(Date.now() - asked).toBeLessThan(1_500);
    await sleep(1_600);
    expect(slugsOf(await reader.segmentsOf(21))).toEqual(['CL_A']);
  });

  it('asks the service on every call by default (maxStaleMs 0)', async () => {
    const reader = client();
    await reader.segmentsOf(22);
    await client().changeUserSegments(22, { add: ['CL_B'] });
    expect(slugsOf(await reader.segmentsOf(22))).toEqual(['CL_B']);
  });

  it("shows the caller's own change set at once, whatever maxStaleMs", async () => {
    const reader = client({ maxStaleMs: 60_000 });
    expect(await reader.segmentsOf(23)).toEqual([]);
    await reader.changeUserSegments(23, { add: ['CL_A'] });
    const requests = await requestsOf(async () => expect(slugsOf(await reader.segmentsOf(23))).toEqual(['CL_A']));
    expect(requests).toEqual({});
  });

  it('revalidates a lone user with If-None-Match: a 304 keeps the answer, a change gets the new one', async () => {
    const reader = client();
    expect(await requestsOf(() => reader.segmentsOf(24))).toEqual({ [GET_200]: 1 });
    const same = await requestsOf(async () => expect(await reader.segmentsOf(24)).toEqual([]));
    expect(same).toEqual({ [GET_304]: 1 });
    await client().changeUserSegments(24, { add: ['CL_B'] });
    const changed = await requestsOf(async () => expect(slugsOf(await reader.segmentsOf(24))).toEqual(['CL_B']));
    expect(changed).toEqual({ [GET_200]: 1 });
    // A lookup that answers the same body keeps the tag: the next lone call is a 304 again.
    await Promise.all([reader.segmentsOf(24), reader.segmentsOf(25)]);
    expect(await requestsOf(() => reader.segmentsOf(24))).toEqual({ [GET_304]: 1 });
  });

  it('sends an id the service refuses alone: its 400 fails no other call', async () => {
    const reader = client();
    const [good, bad] = await Promise.allSettled([reader.segmentsOf(2), reader.segmentsOf(0), reader.segmentsOf(3)]);
    expect(good.status).toBe('fulfilled');
    expect(bad).toMatchObject({ status: 'rejected', reason: { code: 'VALIDATION_FAILED', status: 400 } });
  });
});

/**
 * Every `code` of the error shape: each one a client can meet is provoked through the client against the
 * service and arrives as a SegmentsError with that code; the others are listed with why no call of a
 * client can cause them.
 */
describe('typed errors of the client library, code by code', () => {
  let t: TestApp;
  let limited: TestApp;
  const KEY = 'client-test-key';
  const url = (app: TestApp) => app.baseUrl.replace('[::1]', '127.0.0.1');
  const client = (apiKey = KEY) => new SegmentsClient({ baseUrl: url(t), apiKey, retry: { retries: 0 } });

  beforeAll(async () => {
    t = await startTestApp({ env: { API_KEYS: KEY, REPORT_MAX_FILES: '1' } });
    limited = await startTestApp({ env: { RATE_LIMIT_PER_MINUTE: '2' } });
    await client().createSegment({ slug: 'ERR_A' });
  });
  afterAll(async () => {
    await t.close();
    await limited.close();
  });

  const period = () => t.clock.now().toISOString().slice(0, 7);
  const PROVOKED: Partial<Record<ServiceErrorCode, () => Promise<unknown>>> = {
    VALIDATION_FAILED: () => client().segmentsOf(0),
    CONFLICTING_CHANGES: () => client().changeUserSegments(1, { add: ['ERR_A'], remove: ['ERR_A'] }),
    SEGMENT_NOT_FOUND: () => client().changeUserSegments(1, { add: ['ERR_NONE'] }),
    SEGMENT_EXISTS: () => client().createSegment({ slug: 'ERR_A' }),
    INVALID_CURSOR: () => client().listSegments({ cursor: 'not-a-cursor' }),
    INVALID_PERIOD: () => client().buildHistoryReport({ period: '2999-01' }),
    UNAUTHORIZED: () => client('wrong-key').getSegment('ERR_A'),
    REPORT_NOT_FOUND: () => client().downloadReportFile('no-such-report.csv'),
    REPORT_EXPIRED: async () => {
      const first = await client().buildHistoryReport({ period: period(), lang: 'en' });
      await client().buildHistoryReport({ period: period(), user_id: 1 }); // REPORT_MAX_FILES=1: the first goes
      return client().downloadReportFile(first.url.split('/').pop()!);
    },
    PAYLOAD_TOO_LARGE: () => client().createSegment({ slug: 'ERR_BIG', description: 'x'.repeat(1_100_000) }),
    HEADERS_TOO_LARGE: () => client('k'.repeat(20_000)).getSegment('ERR_A'),
    RATE_LIMITED: async () => {
      const throttled = new SegmentsClient({ baseUrl: url(limited), retry: { retries: 0 } });
      for (;;) await throttled.listSegments();
    },
  };
  const NOT_FROM_A_CLIENT: Partial<Record<ServiceErrorCode, string>> = {
    MALFORMED_JSON: 'the client always sends JSON it serialised itself',
    BAD_REQUEST: 'a body that does not match its Content-Length: fetch frames bodies itself',
    UNSUPPORTED_MEDIA_TYPE: 'the client sends every body as application/json',
    ROUTE_NOT_FOUND: 'the client calls only documented paths',
    METHOD_NOT_ALLOWED: 'the client calls only documented methods',
    NOT_ACCEPTABLE: 'the client sends no Accept header that excludes JSON',
    REQUEST_TIMEOUT: 'fetch sends the whole request at once; only a trickling client gets it',
    FORBIDDEN: 'no operation refuses a valid key',
    INTERNAL_ERROR: 'a fault of the service',
    REPORT_STORAGE_FAILED: 'Google Drive failing (test/reports-gdrive.e2e-spec.ts)',
    DATABASE_UNAVAILABLE: 'a database that hangs (test/reliability/); the client retries it like any 503',
    REPORTS_BUSY: 'every report slot busy (test/reports.e2e-spec.ts); the client retries it like any 503',
    DISK_FULL: 'a full disk (test/disk-full.e2e-spec.ts)',
    SERVICE_UNAVAILABLE: 'the service cannot answer now',
  };

  it('covers every code of docs/openapi.json, provoked or said why not', () => {
    const document = JSON.parse(readFileSync(join(ROOT, 'docs/openapi.json'), 'utf8'));
    const codes: string[] = document.components.schemas.ErrorResponse.properties.code.enum;
    expect([...Object.keys(PROVOKED), ...Object.keys(NOT_FROM_A_CLIENT)].sort()).toEqual([...codes].sort());
  });

  it.each(Object.keys(PROVOKED) as ServiceErrorCode[])('rejects with %s', async (code) => {
    const error = await PROVOKED[code]!().then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toMatchObject({ code, status: expect.any(Number), message: expect.any(String) });
    expect(isSegmentsError(error, code)).toBe(true);
    if (code === 'SEGMENT_NOT_FOUND') expect(error).toMatchObject({ details: { slugs: ['ERR_NONE'] } });
    if (code === 'RATE_LIMITED') expect(error).toMatchObject({ retryAfterSeconds: expect.any(Number) });
  });

  it('types the codes: a code no operation answers does not compile', () => {
    const code: ErrorCode = 'TIMEOUT';
    // @ts-expect-error not a code of the service or the client
    const wrong: ErrorCode = 'NOT_A_CODE';
    expect([code, wrong]).toHaveLength(2);
  });
});
