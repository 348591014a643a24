import { connect } from 'node:net';
import { startTestApp, TestApp } from '../support/test-app';
import { expectErrorAnswer } from './support/error-shape';
import { rawRequest } from './support/raw-http';

/**
 * Bodies whose shape made validation quadratic (class-transformer dedupes an object's keys pairwise):
 * 90,000 unknown keys kept an instance busy for seconds. They are refused by a linear scan of the raw
 * bytes before JSON.parse (which alone takes over 100 ms for such an object) and before any transforming. (How long they take is measured by the bench, not asserted here.)
 */
const wideObject = (keys: number) => Object.fromEntries(Array.from({ length: keys }, (_, index) => [`k${index}`, 1]));

describe('wide bodies', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const post = (path: string, body: unknown, method = 'POST') =>
    rawRequest(t.baseUrl, {
      method,
      path,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it.each([
    ['90,000 unknown fields at the top', () => ({ slug: 'WIDE', ...wideObject(90_000) })],
    ['an unknown field holding 85,000 keys', () => ({ slug: 'WIDE', extra: wideObject(85_000) })],
    ['a known field holding 85,000 keys', () => ({ slug: 'WIDE', description: wideObject(85_000) })],
  ])('refuses %s as too wide', async (_what, body) => {
    const answer = await post('/api/v1/segments', body());
    expectErrorAnswer('wide body', answer, 400);
    expect((answer.json as { message: string }).message).toBe('an object has more than 32 fields');
  });

  it('refuses a change set whose add item holds 85,000 keys as too wide', async () => {
    const answer = await post('/api/v1/users/1/segments', { add: [{ slug: 'WIDE', ...wideObject(85_000) }] }, 'PATCH');
    expectErrorAnswer('wide add item', answer, 400);
    expect((answer.json as { message: string }).message).toBe('an object has more than 32 fields');
  });

  it('refuses a wide body before parsing it: a wide body that is not even valid JSON is refused for its width', async () => {
    const text = `${JSON.stringify({ slug: 'WIDE', ...wideObject(90_000) }).slice(0, -1)},}`;
    const answer = await rawRequest(t.baseUrl, {
      method: 'POST',
      path: '/api/v1/segments',
      headers: { 'content-type': 'application/json' },
      body: text,
    });
    expectErrorAnswer('wide malformed body', answer, 400);
    expect(answer.json).toMatchObject({ code: 'VALIDATION_FAILED', message: 'an object has more than 32 fields' });
  });

  it('still names a few unknown fields one by one', async () => {
    const answer = await post('/api/v1/segments', { slug: 'WIDE', ...wideObject(3) });
    expectErrorAnswer('three unknown fields', answer, 400);
    expect((answer.json as { message: string }).message).toContain('unknown field: k0');
  });

  /** Writes `text` on one new connection and resolves everything the server sent until it closed or went quiet. */
  const onOneConnection = (text: string) =>
    new Promise<string>((resolve, reject) => {
      const url = new URL(t.baseUrl);
      const socket = connect({ host: '127.0.0.1', port: Number(url.port) });
      let answer = '';
      const quiet = () => setTimeout(() => socket.destroy(), 1_000);
      let timer = quiet();
      socket.on('data', (chunk) => {
        answer += chunk.toString('latin1');
        clearTimeout(timer);
        timer = quiet();
      });
      socket.on('error', reject);
      socket.on('close', () => {
        clearTimeout(timer);
        resolve(answer);
      });
      socket.write(text);
    });

  it.each([
    ['arrays 5,000 deep', 'PATCH', '/api/v1/users/1/segments', `{"add":${'['.repeat(5_000)}${']'.repeat(5_000)}}`],
    ['90,000 fields', 'POST', '/api/v1/segments', JSON.stringify({ slug: 'WIDE', ...wideObject(90_000) })],
    ['malformed JSON', 'POST', '/api/v1/segments', '{"slug":'],
  ])('keeps the connection open after refusing a body of %s it read to its end', async (_what, method, path, body) => {
    const answer = await onOneConnection(
      `${method} ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}` +
        'GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n',
    );
    // Both requests are answered on the one connection: the refusal, then the next request.
    expect(answer.match(/HTTP\/1\.1 \d{3}/g)).toEqual(['HTTP/1.1 400', 'HTTP/1.1 200']);
    expect(answer.toLowerCase()).not.toContain('connection: close');
  });

  it('still closes the connection when it refuses a body it did not read (over the size limit)', async () => {
    const answer = await onOneConnection(
      'POST /api/v1/segments HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2097152\r\n\r\n{',
    );
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer.toLowerCase()).toContain('connection: close');
  });
});
