import { connect } from 'node:net';
import { LogDestination } from '../apps/api/src/logging/log-destination';
import { startTestApp, TestApp } from './support/test-app';

const API_KEY = 'log-test-key-5f0c1a9e';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A log destination that keeps the lines. */
class CapturedLog extends LogDestination {
  readonly lines: string[] = [];

  write(line: string): void {
    this.lines.push(line);
  }

  entries(): Array<Record<string, any>> {
    return this.lines.map((line) => JSON.parse(line));
  }
}

async function startWithLog(env: Record<string, string>): Promise<{ t: TestApp; log: CapturedLog }> {
  const log = new CapturedLog();
  const t = await startTestApp({ env, override: (builder) => builder.overrideProvider(LogDestination).useValue(log) });
  return { t, log };
}

describe('request ids and logs', () => {
  let t: TestApp;
  let log: CapturedLog;

  beforeAll(async () => {
    // debug: a successful read's line is written at debug (see LOG_LEVEL below).
    ({ t, log } = await startWithLog({ LOG_LEVEL: 'debug', API_KEYS: API_KEY }));
  });
  afterAll(() => t.close());

  it('echoes a sane X-Request-Id, on errors too', async () => {
    const ok = await t.http
      .get('/api/v1/users/7/segments')
      .set('X-API-Key', API_KEY)
      .set('X-Request-Id', 'req-1.a:b_c');
    expect(ok.status).toBe(200);
    expect(ok.headers['x-request-id']).toBe('req-1.a:b_c');
    const denied = await t.http.get('/api/v1/users/7/segments').set('X-Request-Id', 'req-2');
    expect(denied.status).toBe(401);
    expect(denied.headers['x-request-id']).toBe('req-2');
    const missing = await t.http.get('/no/such/route').set('X-API-Key', API_KEY).set('X-Request-Id', 'req-3');
    expect(missing.status).toBe(404);
    expect(missing.headers['x-request-id']).toBe('req-3');
  });

  it.each([
    ['absent', undefined],
    ['with a space', 'two words'],
    ['too long', 'x'.repeat(129)],
    ['with a newline-like escape', 'id%0Aforged'],
  ])('generates a UUID when the X-Request-Id is %s', async (_case, sent) => {
    const request = t.http.get('/health/live');
    const response = await (sent === undefined ? request : request.set('X-Request-Id', sent));
    expect(response.headers['x-request-id']).toMatch(UUID);
  });

  it('gives every request its own generated id', async () => {
    const [a, b] = await Promise.all([t.http.get('/health/live'), t.http.get('/health/live')]);
    expect(a.headers['x-request-id']).not.toBe(b.headers['x-request-id']);
  });

  it('writes one JSON line per request with its id, and never the API key', async () => {
    await t.http
      .get('/api/v1/users/8/segments')
      .set('Authorization', `Bearer ${API_KEY}`)
      .set('X-Request-Id', 'bearer-req')
      .expect(200);
    await t.http
      .get('/api/v1/users/8/segments')
      .set('X-API-Key', API_KEY)
      .set('X-Request-Id', 'header-req')
      .expect(200);
    await t.http
      .get('/api/v1/users/8/segments')
      .set('X-API-Key', 'wrong-key')
      .set('X-Request-Id', 'denied-req')
      .expect(401);

    const completed = (id: string) =>
      log.entries().find((entry) => entry.reqId === id && entry.msg === 'request completed');
    expect(completed('bearer-req')).toMatchObject({
      level: 'debug',
      req: {
        id: 'bearer-req',
        method: 'GET',
        url: '/api/v1/users/8/segments',
        headers: { authorization: '[redacted]' },
      },
      res: { statusCode: 200 },
      responseTime: expect.any(Number),
    });
    expect(completed('header-req')).toMatchObject({ req: { headers: { 'x-api-key': '[redacted]' } } });
    expect(completed('denied-req')).toMatchObject({ level: 'warn', res: { statusCode: 401 } });
    expect(log.lines.join('\n')).not.toContain(API_KEY);
    expect(log.lines.join('\n')).not.toContain('wrong-key');
  });

  it('logs a client that hangs up mid-body as an aborted request, not as a server error', async () => {
    const { hostname, port } = new URL(t.baseUrl.replace('[::1]', '127.0.0.1'));
    await new Promise<void>((resolve, reject) => {
      const socket = connect(Number(port), hostname, () => {
        socket.write(
          'PATCH /api/v1/users/8/segments HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
            `Content-Length: 100\r\nX-API-Key: ${API_KEY}\r\nX-Request-Id: hung-up\r\n\r\n{"add":`,
          () => setTimeout(() => socket.destroy(), 100),
        );
      });
      socket.on('close', () => resolve());
      socket.on('error', reject);
    });
    const lines = () => log.entries().filter((entry) => entry.reqId === 'hung-up');
    for (let waited = 0; lines().length === 0 && waited < 2000; waited += 20)
      await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 100));
    expect(lines()).toEqual([
      expect.objectContaining({
        level: 'warn',
        msg: 'request aborted',
        req: expect.objectContaining({ method: 'PATCH' }),
      }),
    ]);
    expect(JSON.stringify(lines())).not.toContain(API_KEY);
  });

  it('keeps health probes and metric scrapes out of the request log', async () => {
    await t.http.get('/health/live').set('X-Request-Id', 'probe-req').expect(200);
    await t.http.get('/metrics').set('X-Request-Id', 'scrape-req').expect(200);
    expect(log.entries().filter((entry) => ['probe-req', 'scrape-req'].includes(entry.reqId))).toEqual([]);
  });
});

describe('LOG_LEVEL', () => {
  it('silent writes nothing', async () => {
    const { t, log } = await startWithLog({ LOG_LEVEL: 'silent' });
    try {
      await t.http.get('/api/v1/users/9/segments').expect(200);
      await t.http.get('/no/such/route').expect(404);
    } finally {
      await t.close();
    }
    expect(log.lines).toEqual([]);
  });

  it('info (the default) logs changes and failures, and successful reads only at debug', async () => {
    const { t, log } = await startWithLog({ LOG_LEVEL: 'info' });
    try {
      await t.http.get('/api/v1/users/9/segments').set('X-Request-Id', 'read').expect(200);
      await t.http.post('/api/v1/segments').send({ slug: 'LOGGED' }).set('X-Request-Id', 'change').expect(201);
      await t.http.get('/api/v1/segments/NOPE').set('X-Request-Id', 'failed').expect(404);
    } finally {
      await t.close();
    }
    const completed = log.entries().filter((entry) => entry.msg === 'request completed');
    expect(completed.map((entry) => [entry.reqId, entry.level])).toEqual([
      ['change', 'info'],
      ['failed', 'warn'],
    ]);
  });

  it('warn keeps failed requests and drops successful ones', async () => {
    const { t, log } = await startWithLog({ LOG_LEVEL: 'warn' });
    try {
      await t.http.get('/api/v1/users/9/segments').set('X-Request-Id', 'fine').expect(200);
      await t.http.get('/api/v1/segments/NOPE').set('X-Request-Id', 'failed').expect(404);
    } finally {
      await t.close();
    }
    expect(log.entries().map((entry) => entry.reqId)).toEqual(['failed']);
  });
});
