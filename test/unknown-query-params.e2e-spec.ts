import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { errorShapeProblem } from './reliability/support/error-shape';
import { rawRequest, RawResponse } from './reliability/support/raw-http';
import { startTestApp, TestApp } from './support/test-app';

/**
 * Unknown query parameters are a 400 VALIDATION_FAILED on every /api/v1 route, as on the routes with a
 * query DTO: routes without one (the hot GET of a user's segments among them) took any query and ignored
 * it. A query string without parameters (`?`, `?&`) is none, on every route alike.
 */
const PUBLIC_BASE_URL = 'https://segments.example.test';
const USER = 7;

interface Route {
  method: string;
  path: string;
  body?: object;
  /** The status of the same request without the parameter. */
  ok: number;
}

describe('unknown query parameters', () => {
  let t: TestApp;
  let dataDir: string;
  let reportFile: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'segments-query-'));
    t = await startTestApp({ env: { DATA_DIR: dataDir, PUBLIC_BASE_URL } });
    for (const slug of ['QP_A', 'QP_DELETE']) await t.http.post('/api/v1/segments').send({ slug }).expect(201);
    await t.http
      .patch(`/api/v1/users/${USER}/segments`)
      .send({ add: ['QP_A'] })
      .expect(200);
    const period = t.clock.now().toISOString().slice(0, 7);
    const report = await t.http.get('/api/v1/reports/history').query({ period }).expect(200);
    reportFile = (report.body as { url: string }).url.slice(PUBLIC_BASE_URL.length);
  });
  afterAll(async () => {
    await t.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const send = (route: Route, query: string): Promise<RawResponse> =>
    rawRequest(t.baseUrl, {
      method: route.method,
      path: `${route.path}${query}`,
      ...(route.body
        ? { body: JSON.stringify(route.body), headers: { 'content-type': 'application/json' } }
        : { headers: {} }),
    });

  const reads = (): Route[] => [
    { method: 'GET', path: `/api/v1/users/${USER}/segments`, ok: 200 },
    { method: 'HEAD', path: `/api/v1/users/${USER}/segments`, ok: 200 },
    { method: 'GET', path: '/api/v1/segments/QP_A', ok: 200 },
    { method: 'GET', path: reportFile, ok: 200 },
    { method: 'GET', path: '/api/v1/segments/QP_A/members', ok: 200 },
    { method: 'GET', path: '/api/v1/segments', ok: 200 },
    { method: 'GET', path: `/api/v1/users/${USER}/history`, ok: 200 },
  ];
  const writes = (): Route[] => [
    { method: 'POST', path: '/api/v1/users', body: { user_ids: [8] }, ok: 200 },
    { method: 'PATCH', path: `/api/v1/users/${USER}/segments`, body: { remove: ['QP_A'] }, ok: 200 },
    { method: 'POST', path: '/api/v1/segments', body: { slug: 'QP_NEW' }, ok: 201 },
    { method: 'PATCH', path: '/api/v1/segments/QP_A', body: { description: 'changed' }, ok: 200 },
    { method: 'DELETE', path: '/api/v1/segments/QP_DELETE', ok: 204 },
  ];

  const expectRefused = (response: RawResponse, names: string[]) => {
    expect(errorShapeProblem(response)).toBeUndefined();
    const said = (name: string) =>
      name === '' ? 'unknown query parameter with an empty name' : `unknown query parameter: ${name}`;
    const errors = names.map((name) => ({ field: name, messages: [said(name)] }));
    expect(response.json).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      code: 'VALIDATION_FAILED',
      message: errors.map((error) => error.messages[0]).join('; '),
      details: { errors },
    });
  };

  it('are refused on every route, in the answer the routes with a query DTO give, and change nothing', async () => {
    const state = async () => [
      await t.sql('SELECT slug, description FROM segments ORDER BY slug'),
      await t.sql('SELECT user_id, segment_id, expires_at FROM memberships ORDER BY user_id, segment_id'),
      await t.sql('SELECT count(*) AS n FROM membership_history'),
    ];
    const before = await state();
    for (const route of [...reads(), ...writes()]) {
      const answer = await send(route, '?foo=1');
      expect({ route: `${route.method} ${route.path}`, status: answer.status }).toEqual({
        route: `${route.method} ${route.path}`,
        status: 400,
      });
      if (route.method !== 'HEAD') expectRefused(answer, ['foo']);
    }
    expect(await state()).toEqual(before);
    const users = await t.sql('SELECT 1 FROM users WHERE user_id = 8');
    expect(users).toEqual([]);
  });

  it('names each unknown parameter, whatever its form', async () => {
    const route: Route = { method: 'GET', path: `/api/v1/users/${USER}/segments`, ok: 200 };
    expectRefused(await send(route, '?foo=1&bar'), ['foo', 'bar']);
    expectRefused(await send(route, '?limit=1'), ['limit']);
    expectRefused(await send(route, '?a=1&a=2'), ['a']);
    expectRefused(await send(route, '?=1'), ['']);
    expectRefused(await send({ ...route, path: '/api/v1/segments' }, '?=1'), ['']);
  });

  it('are refused after the API key check, not before it', async () => {
    const keyed = await startTestApp({ env: { API_KEYS: 'k1' } });
    try {
      const path = `/api/v1/users/${USER}/segments?foo=1`;
      expect((await rawRequest(keyed.baseUrl, { method: 'GET', path })).status).toBe(401);
      const answer = await rawRequest(keyed.baseUrl, { method: 'GET', path, headers: { 'x-api-key': 'k1' } });
      expectRefused(answer, ['foo']);
    } finally {
      await keyed.close();
    }
  });

  it('an empty query string (`?`, `?&`) is no parameter: accepted on every route', async () => {
    for (const query of ['?', '?&']) {
      for (const route of reads()) {
        const answer = await send(route, query);
        expect({ route: `${route.method} ${route.path}${query}`, status: answer.status }).toEqual({
          route: `${route.method} ${route.path}${query}`,
          status: route.ok,
        });
      }
    }
    for (const route of writes()) {
      const answer = await send(route, '?');
      expect({ route: `${route.method} ${route.path}?`, status: answer.status }).toEqual({
        route: `${route.method} ${route.path}?`,
        status: route.ok,
      });
    }
  });

  it('leaves health, docs and metrics (outside /api/v1) alone, and unknown paths 404', async () => {
    for (const path of ['/health/live?foo=1', '/health/ready?foo=1', '/metrics?foo=1', '/docs-json?foo=1']) {
      expect({ path, status: (await rawRequest(t.baseUrl, { method: 'GET', path })).status }).toEqual({
        path,
        status: 200,
      });
    }
    const missing = await rawRequest(t.baseUrl, { method: 'GET', path: '/api/v1/nowhere?foo=1' });
    expect(missing.status).toBe(404);
  });
});
