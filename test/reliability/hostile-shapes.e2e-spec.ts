import fc from 'fast-check';
import { startTestApp, TestApp } from '../support/test-app';
import { isContractSlug, loneSurrogateText } from './support/bad-values';
import { expectErrorAnswer } from './support/error-shape';
import { encodePathSegment, rawRequest } from './support/raw-http';
import { snapshotTables } from './support/table-snapshot';
import { seedFastCheck } from './support/seeded-random';

seedFastCheck(fc);

/**
 * Generated hostile shapes and text: objects wider than any request has (anywhere in the body), arrays
 * nested deeper than any request has, and every kind of Unicode oddity in every text field and query
 * value. Shapes are refused with a 400 (before class-transformer sees them); oddities are either stored
 * exactly as sent (valid Unicode within the length in code points) or refused with a 4xx, never a 5xx
 * and never altered.
 */
const BODY_ENDPOINTS: Array<{ method: string; path: string; valid: Record<string, unknown>; nest: string }> = [
  { method: 'POST', path: '/api/v1/segments', valid: { slug: 'SHAPE_NEW' }, nest: 'description' },
  { method: 'PATCH', path: '/api/v1/segments/SHAPE_A', valid: { description: 'x' }, nest: 'description' },
  { method: 'PATCH', path: '/api/v1/users/1/segments', valid: { add: ['SHAPE_A'] }, nest: 'add' },
  { method: 'POST', path: '/api/v1/users', valid: { user_ids: [1] }, nest: 'user_ids' },
];

const wide = (keys: number, value: unknown) =>
  Object.fromEntries(Array.from({ length: keys }, (_, i) => [`f${i}`, value]));

const deepArray = (depth: number, leaf: unknown): unknown => {
  let value: unknown = leaf;
  for (let i = 0; i < depth; i++) value = [value];
  return value;
};

/** A wide object at the top, as a field, or as an array item of the body. */
const wideBody = fc
  .tuple(
    fc.constantFrom(...BODY_ENDPOINTS),
    fc.integer({ min: 33, max: 2_000 }),
    fc.constantFrom('top', 'field', 'item'),
    fc.jsonValue({ maxDepth: 1 }),
  )
  .map(([endpoint, keys, where, value]) => {
    const object = wide(keys, value);
    const body =
      where === 'top'
        ? { ...endpoint.valid, ...object }
        : { ...endpoint.valid, [endpoint.nest]: where === 'field' ? object : [object] };
    return { endpoint, body, how: `${keys} fields (${where})` };
  });

const deepBody = fc
  .tuple(fc.constantFrom(...BODY_ENDPOINTS), fc.integer({ min: 17, max: 3_000 }), fc.constantFrom('SHAPE_A', 1, null))
  .map(([endpoint, depth, leaf]) => ({
    endpoint,
    body: { ...endpoint.valid, [endpoint.nest]: deepArray(depth, leaf) },
    how: `arrays ${depth} deep`,
  }));

/** Valid Unicode without NUL: combining marks, ZWJ emoji, bidi controls, BOM, noncharacters, astral planes. */
const validOddText = fc
  .oneof(
    fc.string({ unit: 'grapheme', maxLength: 120 }),
    fc.string({ unit: 'binary', maxLength: 200 }),
    fc.constantFrom(
      'e\u0301',
      '👩‍👩‍👧‍👦',
      '🏳️‍🌈',
      '\u202eevil',
      '\ufeffbom',
      '\uffff\ufffe',
      '\u{10ffff}',
      '❤️'.repeat(250),
      '𝔘'.repeat(500),
      'a\u200db',
    ),
  )
  .filter((text) => !text.includes('\u0000') && [...text].length <= 500 && !/[\ud800-\udfff]/u.test(text));

/** Odd text that no slug, duration, time, period or cursor can be (so every answer is a 4xx). */
const oddText = fc
  .oneof(validOddText, loneSurrogateText, fc.constantFrom('a\u0000b', '\ud83d', '\ude00x'))
  .filter((text) => !isContractSlug(text) && !/^[\x20-\x7e]*$/.test(text));

describe('hostile shapes and text, generated', () => {
  let t: TestApp;
  let sent = 0;

  beforeAll(async () => {
    t = await startTestApp();
    await t.http.post('/api/v1/segments').send({ slug: 'SHAPE_A' }).expect(201);
  });
  afterAll(async () => {
    console.log(`hostile-shapes fuzzing sent ${sent} requests`);
    await t.close();
  });

  const send = (method: string, path: string, body?: string) => {
    sent += 1;
    return rawRequest(t.baseUrl, {
      method,
      path,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body,
    });
  };

  it('refuses objects wider, and arrays deeper, than any request has, anywhere in the body, with 400', async () => {
    const before = await snapshotTables(t);
    await fc.assert(
      fc.asyncProperty(fc.oneof(wideBody, deepBody), async ({ endpoint, body, how }) => {
        const answer = await send(endpoint.method, endpoint.path, JSON.stringify(body));
        expectErrorAnswer(`${endpoint.method} ${endpoint.path} with ${how}`, answer, 400);
      }),
      { numRuns: 200 },
    );
    expect(await snapshotTables(t)).toEqual(before);
    // The bound is patience with megabytes of generated bodies on a loaded machine, not a speed claim.
  }, 180_000);

  it('stores any valid Unicode description of at most 500 code points exactly as sent', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(validOddText, async (description) => {
        const slug = `ODD_${n++}`;
        const created = await send('POST', '/api/v1/segments', JSON.stringify({ slug, description }));
        expect(created.status).toBe(201);
        expect((created.json as { description: string }).description).toBe(description);
        const changed = await send('PATCH', '/api/v1/segments/SHAPE_A', JSON.stringify({ description }));
        expect((changed.json as { description: string }).description).toBe(description);
        const stored = await t.sql<{ description: string }>('SELECT description FROM segments WHERE slug = $1', [slug]);
        expect(stored[0].description).toBe(description);
      }),
      { numRuns: 150 },
    );
  });

  it('answers odd text in every other field and query value with a 4xx, never a 5xx', async () => {
    const place = fc.constantFrom(
      (text: string) => ['POST', '/api/v1/segments', JSON.stringify({ slug: text })],
      (text: string) => ['POST', '/api/v1/segments', JSON.stringify({ slug: 'ODD_X', description: `${text}\ud800` })],
      (text: string) => ['PATCH', '/api/v1/users/1/segments', JSON.stringify({ add: [text] })],
      (text: string) => ['PATCH', '/api/v1/users/1/segments', JSON.stringify({ remove: [text] })],
      (text: string) => [
        'PATCH',
        '/api/v1/users/1/segments',
        JSON.stringify({ add: [{ slug: 'SHAPE_A', ttl: text }] }),
      ],
      (text: string) => ['PATCH', '/api/v1/users/1/segments', JSON.stringify({ add: ['SHAPE_A'], expires_at: text })],
      (text: string) => ['GET', `/api/v1/segments?cursor=${encodePathSegment(text)}`],
      (text: string) => ['GET', `/api/v1/users/1/history?cursor=${encodePathSegment(text)}`],
      (text: string) => ['GET', `/api/v1/users/1/history?from=${encodePathSegment(text)}`],
      (text: string) => ['GET', `/api/v1/reports/history?period=${encodePathSegment(text)}`],
      (text: string) => ['GET', `/api/v1/segments/${encodePathSegment(text)}`],
      (text: string) => ['GET', `/api/v1/reports/files/${encodePathSegment(text)}`],
    );
    await fc.assert(
      fc.asyncProperty(place, oddText, async (at, text) => {
        const [method, path, body] = at(text);
        const answer = await send(method, path, body);
        expectErrorAnswer(`${method} ${path} ${body ?? ''}`.slice(0, 300), answer);
      }),
      { numRuns: 400 },
    );
  });
});
