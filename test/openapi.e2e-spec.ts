import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildOpenApiDocumentOffline, serializeOpenApi } from '../apps/api/src/http/openapi-offline';
import { OPENAPI_FILE, OpenApiContract } from './support/openapi-contract';
import { startTestApp, TestApp } from './support/test-app';

interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  example?: unknown;
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

  /** Creating before changing before reading before deleting, so each example finds what it names. */
  const METHOD_ORDER = ['post', 'put', 'patch', 'get', 'delete'];
  const inOrder = [...operations].sort((a, b) => METHOD_ORDER.indexOf(a.method) - METHOD_ORDER.indexOf(b.method));

  it('answers every documented example with success, in the documented shape', async () => {
    const sent: string[] = [];
    for (const { path, method, operation } of inOrder) {
      const parameters = (operation.parameters ?? []).filter((p): p is Parameter => !('$ref' in p));
      const example = (p: Parameter) => p.example ?? p.schema?.example;
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
      const queries = [query(false), query(true)].filter((q, i, all) => i === 0 || JSON.stringify(q) !== JSON.stringify(all[0]));
      const bodies = operation.requestBody
        ? Object.values(operation.requestBody.content['application/json']?.examples ?? {}).map((e) => e.value)
        : [undefined];
      if (bodies.length === 0) throw new Error(`${method.toUpperCase()} ${path}: its request body has no examples`);
      for (const q of queries) {
        for (const body of bodies) {
          const call = t.http[method as 'get' | 'post' | 'patch' | 'delete'](url).query(q);
          const response = await (body === undefined ? call : call.send(body as object));
          sent.push(`${method.toUpperCase()} ${url} ${JSON.stringify(q)} ${JSON.stringify(body) ?? ''} -> ${response.status}`);
          expect({ request: sent.at(-1), ok: response.status < 300 }).toEqual({ request: sent.at(-1), ok: true });
        }
      }
    }
    expect(sent.length).toBeGreaterThanOrEqual(operations.length);
  });
});

describe('the response check', () => {
  const contract = OpenApiContract.fromFile();
  const json = (body: unknown) => JSON.stringify(body);
  const segment = { slug: 'A', description: null, auto_percent: null, members: 0, created_at: '2030-01-15T12:00:00.000Z' };
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
    const notFound = { statusCode: 404, error: 'Not Found', code: 'SEGMENT_NOT_FOUND', message: 'x', details: { slugs: ['A'] } };
    expect(contract.problems(observed({ status: 404, body: json(notFound) }))).toEqual([]);
  });

  it.each([
    ['an undocumented field', observed({ body: json({ ...segment, extra: 1 }) })],
    ['a missing field', observed({ body: json({ ...segment, members: undefined }) })],
    ['a wrong type', observed({ body: json({ ...segment, members: '0' }) })],
    ['a malformed time', observed({ body: json({ ...segment, created_at: 'yesterday' }) })],
    ['an undocumented status', observed({ status: 409, body: json({ statusCode: 409, error: 'Conflict', code: 'SEGMENT_EXISTS', message: 'x' }) })],
    ['a code the status does not list', observed({ status: 404, body: json({ statusCode: 404, error: 'Not Found', code: 'REPORT_NOT_FOUND', message: 'x' }) })],
    ['another content type', observed({ contentType: 'text/html' })],
    ['a body where none is documented', observed({ method: 'DELETE', status: 204, body: 'x' })],
    ['an undocumented route', observed({ route: '/api/v1/secret', status: 200 })],
    ['an unmatched route without the error shape', observed({ route: undefined, status: 404, body: json({ message: 'no' }) })],
  ])('rejects %s', (_case, response) => {
    expect(contract.problems(response)).toEqual([expect.any(String)]);
  });
});
