import { randomUUID } from 'node:crypto';
import { ConfigError, loadConfig } from '@app/infrastructure';
import { startTestApp, TestApp } from '../support/test-app';
import { errorShapeProblem } from './support/error-shape';
import { rawRequest } from './support/raw-http';

/** RATE_LIMIT_PER_MINUTE: requests per minute per API key (per client IP without one); unset = no limit. */
describe('who may call: rate limiting', () => {
  const apps: TestApp[] = [];
  afterAll(async () => {
    for (const app of apps) await app.close();
  });
  const start = async (env: Record<string, string>) => {
    const app = await startTestApp({ env });
    apps.push(app);
    return app;
  };
  const get = (app: TestApp, path: string, headers: Record<string, string> = {}) =>
    rawRequest(app.baseUrl, { method: 'GET', path, headers });

  it('answers 429 RATE_LIMITED past the limit, counting each key on its own and every route together', async () => {
    const app = await start({ API_KEYS: 'alpha,beta', RATE_LIMIT_PER_MINUTE: '5' });
    const alpha = { 'x-api-key': 'alpha' };
    const paths = [
      '/api/v1/segments',
      '/api/v1/users/1/segments',
      '/api/v1/users/1/history',
      '/api/v1/segments',
      '/api/v1/users/2/segments',
    ];
    for (const path of paths) expect((await get(app, path, alpha)).status).toBe(200);

    const limited = await get(app, '/api/v1/segments', { authorization: 'Bearer alpha' });
    expect({
      status: limited.status,
      problem: errorShapeProblem(limited),
      code: (limited.json as { code: string }).code,
    }).toEqual({
      status: 429,
      problem: undefined,
      code: 'RATE_LIMITED',
    });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);

    // Another key has its own budget; health and metrics are never limited.
    expect((await get(app, '/api/v1/segments', { 'x-api-key': 'beta' })).status).toBe(200);
    for (let i = 0; i < 10; i++) {
      expect((await get(app, '/health/live')).status).toBe(200);
      expect((await get(app, '/metrics')).status).toBe(200);
    }
  });

  it('without API keys, counts per client address', async () => {
    const app = await start({ RATE_LIMIT_PER_MINUTE: '3' });
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await get(app, '/api/v1/segments')).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
  });

  it('does not let a client pick its own address with X-Forwarded-For, unless its peer is a trusted proxy', async () => {
    const spoofed = (i: number) => ({ 'x-forwarded-for': `203.0.113.${i}` });
    const direct = await start({ RATE_LIMIT_PER_MINUTE: '3' });
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await get(direct, '/api/v1/segments', spoofed(i))).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429]);

    // Behind a proxy the operator names, the address it forwards is the client's: each counts on its own.
    const proxied = await start({ RATE_LIMIT_PER_MINUTE: '3', TRUST_PROXY: '127.0.0.1' });
    const perClient = [];
    for (let i = 0; i < 5; i++) perClient.push((await get(proxied, '/api/v1/segments', spoofed(i))).status);
    expect(perClient).toEqual([200, 200, 200, 200, 200]);
    for (let i = 0; i < 3; i++) await get(proxied, '/api/v1/segments', spoofed(9));
    expect((await get(proxied, '/api/v1/segments', spoofed(9))).status).toBe(429);
  });

  it.each(['nonsense', '10.0.0.0/33', '1.2.3.4/8/1', '::1/129'])(
    'rejects TRUST_PROXY=%s at start-up, naming it',
    (value) => {
      expect(() => loadConfig({ TRUST_PROXY: value })).toThrow(
        new ConfigError(`TRUST_PROXY must list IP addresses or CIDR ranges (10.0.0.0/8), got "${value}"`),
      );
    },
  );

  /** Status counts of `total` GETs sent by `workers` kept-alive connections, each with its own headers. */
  const flood = async (app: TestApp, total: number, workers: number, headers: () => Record<string, string>) => {
    const statuses = new Map<number, number>();
    let sent = 0;
    await Promise.all(
      Array.from({ length: workers }, async () => {
        while (sent < total) {
          sent += 1;
          const answer = await rawRequest(app.baseUrl, {
            method: 'GET',
            path: '/api/v1/segments',
            headers: headers(),
            keepAlive: true,
          });
          statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
        }
      }),
    );
    return statuses;
  };

  const trackedCallers = async (app: TestApp) =>
    Number(/^segments_rate_limit_callers (\d+)$/m.exec((await get(app, '/metrics')).text)?.[1] ?? 'NaN');

  it('counts 5,000 random keys against their client address, and tracks one caller for them', async () => {
    const app = await start({ RATE_LIMIT_PER_MINUTE: '600' });
    const started = Date.now();
    const statuses = await flood(app, 5_000, 32, () => ({ 'x-api-key': randomUUID() }));
    // One address: 600 in each minute-long window the run touched (a loaded machine takes minutes), the rest 429.
    const windows = Math.floor((Date.now() - started) / 60_000) + 1;
    expect(statuses.get(200)).toBeLessThanOrEqual(600 * windows);
    expect(statuses.get(429)).toBeGreaterThan(0);
    expect((statuses.get(200) ?? 0) + (statuses.get(429) ?? 0)).toBe(5_000);
    // 5,000 distinct keys would be 5,000 callers if a random key escaped its address; memory stays one caller.
    expect(await trackedCallers(app)).toBeLessThanOrEqual(1);
  }, 300_000);

  it('limits failed key checks per address: a flood of wrong keys turns from 401 to 429', async () => {
    const app = await start({ API_KEYS: 'alpha', RATE_LIMIT_PER_MINUTE: '50' });
    const statuses = await flood(app, 200, 4, () => ({ 'x-api-key': randomUUID() }));
    expect(statuses.get(401)).toBeLessThanOrEqual(100);
    expect((statuses.get(401) ?? 0) + (statuses.get(429) ?? 0)).toBe(200);
    // The valid key has a budget of its own.
    expect((await get(app, '/api/v1/segments', { 'x-api-key': 'alpha' })).status).toBe(200);
  });

  it('is off when RATE_LIMIT_PER_MINUTE is unset', async () => {
    const app = await start({});
    const statuses = new Set<number>();
    for (let i = 0; i < 100; i++) statuses.add((await get(app, '/api/v1/segments')).status);
    expect([...statuses]).toEqual([200]);
  });

  it('rejects a malformed RATE_LIMIT_PER_MINUTE at start-up, naming it', () => {
    for (const value of ['abc', '-1', '1.5', '10000001']) {
      expect(() => loadConfig({ RATE_LIMIT_PER_MINUTE: value })).toThrow(ConfigError);
      expect(() => loadConfig({ RATE_LIMIT_PER_MINUTE: value })).toThrow(/RATE_LIMIT_PER_MINUTE/);
    }
    expect(loadConfig({}).rateLimitPerMinute).toBe(0);
    expect(loadConfig({ RATE_LIMIT_PER_MINUTE: '600' }).rateLimitPerMinute).toBe(600);
  });
});
