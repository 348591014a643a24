import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildOpenApiDocumentOffline, serializeOpenApi } from '../apps/api/src/openapi-offline';
import { ObservedRequest, OPENAPI_FILE, OpenApiContract } from './support/openapi-contract';
import { startTestApp, TestApp } from './support/test-app';

interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  description?: string;
  example?: unknown;
  examples?: unknown;
  schema?: { example?: unknown };
}

interface Operation {
  operationId?: string;
  summary?: string;
  parameters?: Array<Parameter | { $ref: string }>;
  requestBody?: { content: Record<string, { examples?: Record<string, { value: unknown }> }> };
  responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}

const committed = () => readFileSync(OPENAPI_FILE, 'utf8');
const document = JSON.parse(committed()) as { paths: Record<string, Record<string, Operation>> };
const operations = Object.entries(document.paths).flatMap(([path, item]) =>
  Object.entries(item).map(([method, operation]) => ({ path, method, operation })),
);
const inlineParameters = (operation: Operation) =>
  (operation.parameters ?? []).filter((p): p is Parameter => !('$ref' in p));
/** A required parameter's example, or the one an optional parameter's description gives as a hint. */
const exampleOf = (p: Parameter) =>
  p.example ?? p.schema?.example ?? /for example `([^`]+)`/i.exec(p.description ?? '')?.[1];

describe('docs/openapi.json', () => {
  it('is what the code describes (run `npm run openapi` after changing the API)', async () => {
    expect(committed()).toBe(serializeOpenApi(await buildOpenApiDocumentOffline()));
  });

  it.each(operations.map(({ path, method, operation }) => [`${method.toUpperCase()} ${path}`, operation]))(
    '%s has an id, a summary, a success answer and errors in the one error shape',
    (_name, operation) => {
      expect(operation.operationId).toMatch(/^[A-Za-z]+$/);
      expect(operation.summary).toEqual(expect.any(String));
      const statuses = Object.keys(operation.responses);
      expect(statuses.some((status) => status.startsWith('2'))).toBe(true);
      for (const status of statuses.filter((s) => Number(s) >= 400)) {
        expect(JSON.stringify(operation.responses[status].content?.['application/json']?.schema)).toContain(
          '#/components/schemas/ErrorResponse',
        );
      }
    },
  );

  // Swagger UI's Try it out fills a parameter with its example and sends it: an optional one must start empty.
  it('gives optional parameters no example to prefill, only a hint in their description', () => {
    const optional = operations.flatMap(({ path, method, operation }) =>
      inlineParameters(operation)
        .filter((p) => !p.required)
        .map((p) => ({ at: `${method.toUpperCase()} ${path} ${p.name}`, p })),
    );
    const prefilled = optional.filter(({ p }) =>
      [p.example, p.examples, p.schema?.example].some((e) => e !== undefined),
    );
    expect(prefilled.map(({ at }) => at)).toEqual([]);
    const hinted = Object.fromEntries(optional.map(({ at, p }) => [at, exampleOf(p)]));
    expect(hinted).toMatchObject({
      'GET /api/v1/users/{user_id}/history from': '2023-08-01T00:00:00Z',
      'GET /api/v1/users/{user_id}/history to': '2023-09-01T00:00:00Z',
      'GET /api/v1/reports/history user_id': '1000',
    });
  });
});

describe('the served document and its examples', () => {
  let t: TestApp;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'segments-openapi-'));
    t = await startTestApp({ env: { DATA_DIR: dataDir } });
  });
  afterAll(async () => {
    await t.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves docs/openapi.json at /docs-json', async () => {
    const served = await t.http.get('/docs-json').expect(200);
    expect(served.body).toEqual(document);
  });

  it('names the service in the docs page title', async () => {
    const page = await t.http.get('/docs').redirects(1).expect(200);
    expect(page.text).toContain('<title>Segmentation service API</title>');
  });

  /** Creating before changing before reading before deleting, so each example finds what it names. */
  const METHOD_ORDER = ['post', 'put', 'patch', 'get', 'delete'];
  const inOrder = [...operations].sort((a, b) => METHOD_ORDER.indexOf(a.method) - METHOD_ORDER.indexOf(b.method));

  it('answers every documented example with success, in the documented shape', async () => {
    const sent: string[] = [];
    for (const { path, method, operation } of inOrder) {
      const parameters = inlineParameters(operation);
      const example = exampleOf;
      let url = path;
      for (const p of parameters.filter((p) => p.in === 'path')) {
        if (example(p) === undefined) throw new Error(`${path}: path parameter ${p.name} has no example`);
        url = url.replace(`{${p.name}}`, encodeURIComponent(String(example(p))));
      }
      const query = (all: boolean) =>
        Object.fromEntries(
          parameters
            .filter((p) => p.in === 'query' && (p.required || all) && example(p) !== undefined)
            .map((p) => [p.name, String(example(p))]),
        );
      const queries = [query(false), query(true)].filter(
        (q, i, all) => i === 0 || JSON.stringify(q) !== JSON.stringify(all[0]),
      );
      const bodies = operation.requestBody
        ? Object.values(operation.requestBody.content['application/json']?.examples ?? {}).map((e) => e.value)
        : [undefined];
      if (bodies.length === 0) throw new Error(`${method.toUpperCase()} ${path}: its request body has no examples`);
      for (const q of queries) {
        for (const body of bodies) {
          const call = t.http[method as 'get' | 'post' | 'patch' | 'delete'](url).query(q);
          const response = await (body === undefined ? call : call.send(body as object));
          sent.push(
            `${method.toUpperCase()} ${url} ${JSON.stringify(q)} ${JSON.stringify(body) ?? ''} -> ${response.status}`,
          );
          expect({ request: sent.at(-1), ok: response.status < 300 }).toEqual({ request: sent.at(-1), ok: true });
        }
      }
    }
    expect(sent.length).toBeGreaterThanOrEqual(operations.length);
  });
});

describe('the API key in the served document', () => {
  const KEYS = [{ bearer: [] }, { 'api-key': [] }];

  // A key the service ignores would put a lock icon on every operation of the docs page.
  it('is not named without API_KEYS (as committed)', () => {
    const committedDocument = JSON.parse(committed()) as { security?: unknown; components: object };
    expect(committedDocument.security).toEqual([]);
    expect(committedDocument.components).not.toHaveProperty('securitySchemes');
  });

  it('is required with API_KEYS set, with no JWT format claimed', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'segments-openapi-keys-'));
    const t = await startTestApp({ env: { DATA_DIR: dataDir, API_KEYS: 'key-for-the-docs-test' } });
    try {
      const served = await t.http.get('/docs-json').expect(200);
      expect(served.body.security).toEqual(KEYS);
      expect(served.body.components.securitySchemes).toEqual({
        bearer: { type: 'http', scheme: 'bearer', description: 'One of API_KEYS' },
        'api-key': { type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'One of API_KEYS' },
      });
      expect(served.body.paths['/health/live'].get.security).toEqual([]);
    } finally {
      await t.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('the request check (a validating proxy in front of the service)', () => {
  const contract = OpenApiContract.fromFile();
  const request = (overrides: Partial<ObservedRequest>): ObservedRequest => ({
    method: 'PATCH',
    route: '/api/v1/users/:user_id/segments',
    params: { user_id: '1000' },
    query: {},
    headers: { 'content-type': 'application/json' },
    body: { add: ['A', { slug: 'B', ttl: 'P1M2DT3H' }], remove: ['C'] },
    ...overrides,
  });
  const report = (query: Record<string, string>) =>
    request({ method: 'GET', route: '/api/v1/reports/history', params: {}, query, body: undefined });
  const segment = (body: object) => request({ method: 'POST', route: '/api/v1/segments', params: {}, body });
  let keysRequired: OpenApiContract;
  beforeAll(async () => {
    keysRequired = new OpenApiContract(
      JSON.parse(serializeOpenApi(await buildOpenApiDocumentOffline({ API_KEYS: 'k' }))),
    );
  });

  it.each([
    ['a change set', request({})],
    ['a report for one user', report({ period: '2026-01', user_id: '1000', lang: 'en' })],
    ['an auto percent with 2 decimals', segment({ slug: 'A', auto_percent: 0.29 })],
    ['no key when none is required', request({})],
  ])('accepts %s', (_case, observed) => {
    expect(contract.requestProblems(observed)).toEqual([]);
  });

  it.each([
    ['an empty change set', request({ body: {} })],
    ['a change set of options only', request({ body: { ttl: 'P1D' } })],
    ['a ttl that is no duration', request({ body: { add: ['A'], ttl: '2 days' } })],
    ['a ttl with nothing after T', request({ body: { add: ['A'], ttl: 'P1DT' } })],
    ['an unknown field', request({ body: { add: ['A'], extra: true } })],
    ['a fractional user id', request({ params: { user_id: '1.5' } })],
    ['a fractional user_id in a query', report({ period: '2026-01', user_id: '1.5' })],
    ['a report without its period', report({})],
    ['an auto percent with 3 decimals', segment({ slug: 'A', auto_percent: 0.125 })],
    ['an empty segment change', request({ route: '/api/v1/segments/:slug', params: { slug: 'A' }, body: {} })],
  ])('rejects %s', (_case, observed) => {
    expect(contract.requestProblems(observed)).toEqual([expect.stringMatching(/^request /)]);
  });

  it('requires a key where the document does, in either header', () => {
    expect(keysRequired.requestProblems(request({}))).toEqual([
      expect.stringContaining('carries none of the credentials'),
    ]);
    const withHeader = (headers: Record<string, string>) =>
      request({ headers: { 'content-type': 'application/json', ...headers } });
    expect(keysRequired.requestProblems(withHeader({ authorization: 'Bearer k' }))).toEqual([]);
    expect(keysRequired.requestProblems(withHeader({ 'x-api-key': 'k' }))).toEqual([]);
  });
});

describe('the response check', () => {
  const contract = OpenApiContract.fromFile();
  const json = (body: unknown) => JSON.stringify(body);
  const segment = {
    slug: 'A',
    description: null,
    auto_percent: null,
    members: 0,
    created_at: '2030-01-15T12:00:00.000Z',
  };
  const observed = (overrides: object) => ({
    method: 'GET',
    route: '/api/v1/segments/:slug',
    status: 200,
    contentType: 'application/json; charset=utf-8',
    body: json(segment),
    ...overrides,
  });

  it('accepts a documented answer', () => {
    expect(contract.problems(observed({}))).toEqual([]);
    const notFound = {
      statusCode: 404,
      error: 'Not Found',
      code: 'SEGMENT_NOT_FOUND',
      message: 'x',
      details: { slugs: ['A'] },
    };
    expect(contract.problems(observed({ status: 404, body: json(notFound) }))).toEqual([]);
  });

  it.each([
    ['an undocumented field', observed({ body: json({ ...segment, extra: 1 }) })],
    ['a missing field', observed({ body: json({ ...segment, members: undefined }) })],
    ['a wrong type', observed({ body: json({ ...segment, members: '0' }) })],
    ['a malformed time', observed({ body: json({ ...segment, created_at: 'yesterday' }) })],
    [
      'an undocumented status',
      observed({
        status: 409,
        body: json({ statusCode: 409, error: 'Conflict', code: 'SEGMENT_EXISTS', message: 'x' }),
      }),
    ],
    [
      'a code the status does not list',
      observed({
        status: 404,
        body: json({ statusCode: 404, error: 'Not Found', code: 'REPORT_NOT_FOUND', message: 'x' }),
      }),
    ],
    ['another content type', observed({ contentType: 'text/html' })],
    ['a body where none is documented', observed({ method: 'DELETE', status: 204, body: 'x' })],
    ['an undocumented route', observed({ route: '/api/v1/secret', status: 200 })],
    [
      'an unmatched route without the error shape',
      observed({ route: undefined, status: 404, body: json({ message: 'no' }) }),
    ],
  ])('rejects %s', (_case, response) => {
    expect(contract.problems(response)).toEqual([expect.any(String)]);
  });
});
