import { startTestApp, TestApp } from '../support/test-app';
import { errorShapeProblem } from './support/error-shape';
import { rawRequest, RawRequest } from './support/raw-http';
import { snapshotTables } from './support/table-snapshot';

/** API_KEYS set: every /api/v1/** request needs `Authorization: Bearer <key>` or `X-API-Key: <key>`. */
describe('who may call: API keys', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ env: { API_KEYS: 'key-one, key-two' } });
    await t.http.post('/api/v1/segments').set('X-API-Key', 'key-one').send({ slug: 'KEYED' }).expect(201);
  });
  afterAll(() => t.close());

  const send = (request: RawRequest) => rawRequest(t.baseUrl, request);
  const json = { 'content-type': 'application/json' };

  /** Every endpoint of /api/v1, each with a body it would accept. */
  const ENDPOINTS: RawRequest[] = [
    { method: 'GET', path: '/api/v1/segments' },
    { method: 'POST', path: '/api/v1/segments', headers: json, body: '{"slug":"NEW_ONE"}' },
    { method: 'GET', path: '/api/v1/segments/KEYED' },
    { method: 'PATCH', path: '/api/v1/segments/KEYED', headers: json, body: '{"description":"changed"}' },
    { method: 'DELETE', path: '/api/v1/segments/KEYED' },
    { method: 'GET', path: '/api/v1/segments/KEYED/members' },
    { method: 'PATCH', path: '/api/v1/users/7/segments', headers: json, body: '{"add":["KEYED"]}' },
    { method: 'GET', path: '/api/v1/users/7/segments' },
    { method: 'GET', path: '/api/v1/users/7/history' },
    { method: 'POST', path: '/api/v1/users', headers: json, body: '{"user_ids":[7,8]}' },
    { method: 'GET', path: '/api/v1/reports/history?period=2023-08' },
    { method: 'GET', path: '/api/v1/reports/files/history-2023-08-all-ru.csv' },
  ];

  const expectUnauthorized = (response: Awaited<ReturnType<typeof send>>) => {
    expect({
      status: response.status,
      shape: errorShapeProblem(response),
      code: (response.json as { code?: string })?.code,
    }).toEqual({
      status: 401,
      shape: undefined,
      code: 'UNAUTHORIZED',
    });
  };

  it.each<[string, Record<string, string>]>([
    ['no key', {}],
    ['a wrong X-API-Key', { 'x-api-key': 'key-three' }],
    ['a wrong Bearer key', { authorization: 'Bearer key-thre' }],
    ['a key with extra characters', { 'x-api-key': 'key-one2' }],
    ['an empty X-API-Key', { 'x-api-key': '' }],
    ['an empty Bearer', { authorization: 'Bearer ' }],
    ['the key without the Bearer scheme', { authorization: 'key-one' }],
    ['the key as Basic credentials', { authorization: `Basic ${Buffer.from('key-one:').toString('base64')}` }],
  ])('answers 401 UNAUTHORIZED with %s at every endpoint, and changes nothing', async (_what, headers) => {
    const before = await snapshotTables(t);
    for (const endpoint of ENDPOINTS) {
      expectUnauthorized(await send({ ...endpoint, headers: { ...endpoint.headers, ...headers } }));
    }
    expect(await snapshotTables(t)).toEqual(before);
  });

  it('accepts either key, as Bearer or as X-API-Key', async () => {
    const accepted: Array<Record<string, string>> = [
      { authorization: 'Bearer key-one' },
      { authorization: 'bearer key-two' },
      { 'x-api-key': 'key-one' },
      { 'x-api-key': 'key-two' },
    ];
    for (const headers of accepted) {
      expect((await send({ method: 'GET', path: '/api/v1/segments/KEYED', headers })).status).toBe(200);
    }
  });

  it('checks the key before routing and before reading the body', async () => {
    for (const request of [
      { method: 'GET', path: '/api/v1/no-such-route' },
      { method: 'POST', path: '/api/v1/segments', headers: json, body: '{"slug":' },
      { method: 'POST', path: '/api/v1/segments', headers: { 'content-type': 'text/plain' }, body: 'x' },
      { method: 'GET', path: '/api/v1/segments/not%20a%20slug' },
    ]) {
      expectUnauthorized(await send(request));
    }
  });

  it('gives no way around the check through odd spellings of the path', async () => {
    for (const path of [
      '/API/v1/segments',
      '//api/v1/segments',
      '/api//v1/segments',
      '/api/v1/segments/',
      '/%61pi/v1/segments',
      '/api/v1/./segments',
      '/health/../api/v1/segments',
      '/docs/../api/v1/segments',
      '/metrics/../api/v1/segments',
      '/healthz',
      '/api/v1/segments?x-api-key=key-one',
    ]) {
      // Whatever the answer (401, or 404 for a path that is no route), it is an error, never the resource.
      const response = await send({ method: 'GET', path });
      expect({ path, status: response.status, problem: errorShapeProblem(response) }).toEqual({
        path,
        status: expect.any(Number),
        problem: undefined,
      });
    }
  });

  it('keeps health, docs and metrics open', async () => {
    for (const path of ['/health/live', '/health/ready', '/docs', '/docs-json', '/metrics']) {
      expect({ path, status: (await send({ method: 'GET', path })).status }).toEqual({ path, status: 200 });
    }
  });

  it('without API_KEYS, needs no key', async () => {
    const open = await startTestApp();
    try {
      await open.http.get('/api/v1/segments').expect(200);
    } finally {
      await open.close();
    }
  });
});
