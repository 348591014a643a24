import { startTestApp, TestApp } from '../support/test-app';
import { rawRequest } from './support/raw-http';

/**
 * Helmet's headers on every answer (success, error, docs); the CSP admits Swagger UI (its scripts come
 * from this origin, the page has no inline script). test/docs-page.e2e-spec.ts drives the page in
 * Chromium, where a CSP violation would show as a console error.
 */
describe('security headers', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const headersOf = async (method: string, path: string, body?: string) =>
    (await rawRequest(t.baseUrl, { method, path, body, headers: body ? { 'content-type': 'application/json' } : {} }))
      .headers;

  it.each([
    ['GET', '/api/v1/segments', undefined],
    ['GET', '/api/v1/segments/NOPE', undefined],
    ['POST', '/api/v1/segments', '{"slug":'],
    ['GET', '/no/such/route', undefined],
    ['GET', '/health/ready', undefined],
    ['GET', '/docs', undefined],
  ])('sets them on %s %s', async (method, path, body) => {
    const headers = await headersOf(method, path, body);
    expect(headers).toEqual(
      expect.objectContaining({
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'SAMEORIGIN',
        'referrer-policy': 'no-referrer',
        'strict-transport-security': expect.stringMatching(/^max-age=\d+/),
        'cross-origin-opener-policy': 'same-origin',
        'content-security-policy': expect.stringContaining("default-src 'self'"),
      }),
    );
    expect(headers['content-security-policy']).toContain("script-src 'self'");
    expect(headers['content-security-policy']).toContain("frame-ancestors 'self'");
    expect(headers['content-security-policy']).not.toContain('upgrade-insecure-requests');
    expect(headers['x-powered-by']).toBeUndefined();
  });

  it('serves a docs page whose scripts and styles the policy allows', async () => {
    const page = await rawRequest(t.baseUrl, { method: 'GET', path: '/docs' });
    expect(page.status).toBe(200);
    const inlineScripts = [...page.text.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)].filter(
      ([, code]) => code.trim(),
    );
    expect(inlineScripts).toEqual([]);
    const assets = [...page.text.matchAll(/(?:src|href)=['"]([^'"]+)['"]/g)].map(([, url]) => url);
    expect(assets.length).toBeGreaterThan(2);
    for (const asset of assets) {
      expect(asset).not.toMatch(/^(https?:)?\/\//);
      const url = new URL(asset, `${t.baseUrl}/docs`);
      expect({ asset, status: (await rawRequest(t.baseUrl, { method: 'GET', path: url.pathname })).status }).toEqual({
        asset,
        status: 200,
      });
    }
  });
});
