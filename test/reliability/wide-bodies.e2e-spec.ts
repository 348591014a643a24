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
    expect((answer.json as { message: string }).message).toContain('property k0 should not exist');
  });
});
