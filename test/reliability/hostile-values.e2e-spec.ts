import { startTestApp, TestApp } from '../support/test-app';
import { expectErrorAnswer } from './support/error-shape';
import { rawRequest } from './support/raw-http';

/**
 * Values that passed validation and then failed (a 500) or were stored altered, and the answers the
 * contract gives instead: lengths in code points, no lone surrogates, expiries at most 100 years ahead,
 * report periods from 1970-01, 405 for a wrong method on an existing path.
 */
describe('hostile values', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
    await t.http.post('/api/v1/segments').send({ slug: 'HOSTILE_A' }).expect(201);
  });
  afterAll(() => t.close());

  const send = (method: string, path: string, json?: string) =>
    rawRequest(t.baseUrl, { method, path, headers: json ? { 'content-type': 'application/json' } : {}, body: json });

  describe('description lengths count code points, as PostgreSQL does', () => {
    // U+2764 U+FE0F: two code points; class-validator's isLength counts the pair as one.
    const hearts = (count: number) => '❤️'.repeat(count);

    it('rejects 600 code points with 400, on creation and on change', async () => {
      const created = await send(
        'POST',
        '/api/v1/segments',
        JSON.stringify({ slug: 'HEARTS_600', description: hearts(300) }),
      );
      expectErrorAnswer('600 code points on creation', created, 400);
      const changed = await send('PATCH', '/api/v1/segments/HOSTILE_A', JSON.stringify({ description: hearts(300) }));
      expectErrorAnswer('600 code points on change', changed, 400);
    });

    it('stores 500 code points unchanged', async () => {
      const created = await t.http
        .post('/api/v1/segments')
        .send({ slug: 'HEARTS_500', description: hearts(250) })
        .expect(201);
      expect(created.body.description).toBe(hearts(250));
    });
  });

  describe('text that is not valid UTF-16', () => {
    it.each([
      [
        'a lone high surrogate in a description',
        'POST',
        '/api/v1/segments',
        '{"slug":"LONE_1","description":"ab\\ud800cd"}',
      ],
      ['a lone low surrogate in a description', 'PATCH', '/api/v1/segments/HOSTILE_A', '{"description":"\\udc00"}'],
      ['a lone surrogate in a slug list', 'PATCH', '/api/v1/users/7/segments', '{"add":["HOSTILE_A\\ud83d"]}'],
      ['a lone surrogate in a field name', 'POST', '/api/v1/segments', '{"slug":"LONE_2","\\ud800":1}'],
    ])('rejects %s with 400 and stores nothing', async (_what, method, path, json) => {
      expectErrorAnswer(json, await send(method, path, json), 400);
      const stored = await t.sql<{ n: number }>(
        `SELECT count(*)::int AS n FROM segments WHERE slug LIKE 'LONE%' OR description LIKE '%' || chr(65533) || '%'`,
      );
      expect(stored[0].n).toBe(0);
    });

    it.each([
      ['bytes that are no UTF-8 at all', Buffer.from([0xff, 0xfe])],
      ['an overlong encoding of "/"', Buffer.from([0xc0, 0xaf])],
    ])('rejects a body whose text holds %s with 400 and stores nothing', async (_what, bytes) => {
      const body = Buffer.concat([Buffer.from('{"slug":"BADUTF8","description":"'), bytes, Buffer.from('"}')]);
      const answer = await rawRequest(t.baseUrl, {
        method: 'POST',
        path: '/api/v1/segments',
        headers: { 'content-type': 'application/json' },
        body,
      });
      expect({ status: answer.status, code: (answer.json as { code?: string } | undefined)?.code }).toEqual({
        status: 400,
        code: 'VALIDATION_FAILED',
      });
      expect(await t.sql(`SELECT 1 FROM segments WHERE slug = 'BADUTF8'`)).toEqual([]);
    });

    it('accepts a proper surrogate pair', async () => {
      const created = await t.http.post('/api/v1/segments').send({ slug: 'PAIR', description: 'a😀b' }).expect(201);
      expect(created.body.description).toBe('a😀b');
    });
  });

  describe('expiries at most 100 years ahead, whichever form gives them', () => {
    it.each([{ ttl: 'PT900000H' }, { ttl: 'P37199D' }, { ttl: 'P100YT1S' }, { expires_at: '2300-01-01T00:00:00Z' }])(
      'rejects %j with 400',
      async (expiry) => {
        const answer = await send(
          'PATCH',
          '/api/v1/users/7/segments',
          JSON.stringify({ add: [{ slug: 'HOSTILE_A', ...expiry }] }),
        );
        expectErrorAnswer(JSON.stringify(expiry), answer, 400);
      },
    );

    it('accepts P100Y', async () => {
      await t.http
        .patch('/api/v1/users/8/segments')
        .send({ add: ['HOSTILE_A'], ttl: 'P100Y' })
        .expect(200);
    });
  });

  describe('report periods', () => {
    it.each(['0000-01', '0099-12', '1969-12'])('rejects %s (before 1970) with INVALID_PERIOD', async (period) => {
      const answer = await send('GET', `/api/v1/reports/history?period=${period}`);
      expectErrorAnswer(period, answer, 400);
      expect((answer.json as { code: string }).code).toBe('INVALID_PERIOD');
    });

    it('accepts 1970-01', async () => {
      const report = await t.http.get('/api/v1/reports/history?period=1970-01').expect(200);
      expect(report.body).toMatchObject({ period: '1970-01', rows: 0 });
    });
  });

  describe('methods', () => {
    it.each([
      ['DELETE', '/api/v1/users', 'POST'],
      ['PUT', '/api/v1/segments/HOSTILE_A', 'GET, HEAD, PATCH, DELETE'],
      ['POST', '/api/v1/users/7/history', 'GET, HEAD'],
      ['DELETE', '/health/live', 'GET, HEAD'],
    ])('answers %s %s with 405 METHOD_NOT_ALLOWED and Allow: %s', async (method, path, allow) => {
      const answer = await send(method, path);
      expectErrorAnswer(`${method} ${path}`, answer, 405);
      expect((answer.json as { code: string }).code).toBe('METHOD_NOT_ALLOWED');
      expect(answer.headers.allow).toBe(allow);
    });

    it.each([
      ['GET', '/api/v1/segments/'],
      ['PATCH', '/api/v1/segments/'],
      ['GET', '/api/v1/reports/files/'],
    ])(
      'answers %s %s (an empty parameter) with 404 ROUTE_NOT_FOUND, not a 405 that allows the same method',
      async (method, path) => {
        const answer = await send(method, path, method === 'PATCH' ? '{"description":"x"}' : undefined);
        expect({ status: answer.status, code: (answer.json as { code?: string } | undefined)?.code }).toEqual({
          status: 404,
          code: 'ROUTE_NOT_FOUND',
        });
      },
    );

    it.each(['/api/v1/segments/%ZZ', '/api/v1/segments/%FF%FE', '/api/v1/segments/%ED%A0%80'])(
      'answers a path that is no valid URL (%s) in the one error shape, with a request id',
      async (path) => {
        const answer = await send('GET', path);
        expect({ status: answer.status, code: (answer.json as { code?: string } | undefined)?.code }).toEqual({
          status: 400,
          code: 'BAD_REQUEST',
        });
        expect(answer.headers['x-request-id']).toEqual(expect.any(String));
      },
    );

    it('still answers an unknown path with 404 ROUTE_NOT_FOUND', async () => {
      const answer = await send('DELETE', '/api/v1/nothing-here');
      expectErrorAnswer('unknown path', answer, 404);
      expect((answer.json as { code: string }).code).toBe('ROUTE_NOT_FOUND');
      expect(answer.headers.allow).toBeUndefined();
    });
  });
});
