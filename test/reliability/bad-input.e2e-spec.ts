import fc from 'fast-check';
import { startTestApp, TestApp } from '../support/test-app';
import {
  badCursor,
  badDescription,
  badExpiresAt,
  badLimit,
  badPercent,
  badSlugText,
  badSlugValue,
  badTime,
  badTtl,
  badUserIdText,
  badUserIdValue,
} from './support/bad-values';
import {
  BodyShape,
  BrokenBody,
  brokenBodies,
  malformedJson,
  oversizeBodies,
  wrongContentTypes,
} from './support/body-breakers';
import { expectErrorAnswer } from './support/error-shape';
import { encodePathSegment, rawRequest, RawRequest } from './support/raw-http';
import { snapshotTables } from './support/table-snapshot';
import { seedFastCheck } from './support/seeded-random';

seedFastCheck(fc);

/**
 * Generated bad input at every endpoint: each answer is a 4xx in the contract's error shape (413 for
 * bodies over 1 MiB, 415 for non-JSON bodies), never a 5xx, and the database is unchanged afterwards.
 */
const EXISTING = ['FUZZ_A', 'FUZZ_B', 'FUZZ.c-1'];
const KNOWN_USERS = [1, 2, 3, 4, 5];

const existingSlug = fc.constantFrom(...EXISTING);
const validUserId = fc.oneof(fc.constantFrom(...KNOWN_USERS), fc.integer({ min: 1_000_000, max: 2_000_000 }));
/** Slugs with the right form that name no segment. */
const unknownSlug = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,30}$/).filter((slug) => !EXISTING.includes(slug));

const segmentCreation: BodyShape = {
  valid: fc.record(
    {
      slug: unknownSlug,
      description: fc.oneof(fc.string({ maxLength: 50 }), fc.constant(null)),
      auto_percent: fc.integer({ min: 1, max: 10_000 }).map((hundredths) => hundredths / 100),
    },
    { requiredKeys: ['slug'] },
  ),
  badFields: { slug: badSlugValue, description: badDescription, auto_percent: badPercent },
};

const segmentUpdate: BodyShape = {
  valid: fc.oneof(
    fc.record({ description: fc.oneof(fc.string({ maxLength: 50 }), fc.constant(null)) }),
    fc.record({
      auto_percent: fc.oneof(
        fc.integer({ min: 1, max: 10_000 }).map((h) => h / 100),
        fc.constant(null),
      ),
    }),
  ),
  badFields: { description: badDescription, auto_percent: badPercent },
  badWholes: fc.constantFrom({}, { slug: 'FUZZ_A' }, { members: 3 }),
};

const badSlugList = fc.oneof(
  badSlugValue.filter((value) => !Array.isArray(value)),
  fc.array(badSlugValue, { minLength: 1, maxLength: 3 }),
  fc.array(existingSlug, { minLength: 101, maxLength: 120 }),
);
const badAddList = fc.oneof(
  badSlugList,
  fc.array(
    fc.oneof(
      badTtl.map((ttl) => ({ slug: 'FUZZ_A', ttl })),
      badExpiresAt.map((expires_at) => ({ slug: 'FUZZ_A', expires_at })),
      fc.constant({ slug: 'FUZZ_A', ttl: 'P1D', expires_at: '2031-01-01T00:00:00Z' }),
      fc.constant({ slug: 'FUZZ_A', extra: 1 }),
      fc.constant({ ttl: 'P1D' }),
      badSlugValue.map((slug) => ({ slug })),
    ),
    { minLength: 1, maxLength: 3 },
  ),
);
const changeSet: BodyShape = {
  valid: fc
    .tuple(
      fc.subarray(EXISTING),
      fc.subarray(EXISTING),
      fc.constantFrom({}, { ttl: 'P1D' }, { expires_at: '2031-01-01T00:00:00Z' }),
    )
    .filter(([add, remove]) => add.length + remove.length > 0)
    .map(([add, remove, expiry]) => ({ add, remove: remove.filter((slug) => !add.includes(slug)), ...expiry })),
  // null stands for an absent optional field, which is no error.
  badFields: {
    add: badAddList.filter((value) => value !== null),
    remove: badSlugList.filter((value) => value !== null),
    ttl: badTtl.filter((value) => value !== null),
    expires_at: badExpiresAt.filter((value) => value !== null),
  },
  badWholes: fc.oneof(
    fc.constantFrom(
      {},
      { add: [], remove: [] },
      { add: ['FUZZ_A'], remove: ['FUZZ_A'] },
      { add: ['FUZZ_A', 'FUZZ_A'] },
      { add: ['FUZZ_A'], ttl: 'P1D', expires_at: '2031-01-01T00:00:00Z' },
    ),
    // Well-formed, but one segment does not exist: 404, and nothing of the rest may apply.
    fc
      .tuple(fc.subarray(EXISTING), unknownSlug, fc.boolean())
      .map(([known, missing, asRemoval]) =>
        asRemoval ? { add: known, remove: [missing] } : { add: [...known, missing] },
      ),
  ),
};

const registration: BodyShape = {
  valid: fc.record({ user_ids: fc.array(fc.integer({ min: 1, max: 10 }), { minLength: 1, maxLength: 5 }) }),
  badFields: {
    user_ids: fc.oneof(
      badUserIdValue.filter((value) => !Array.isArray(value)),
      fc.constant([]),
      fc
        .tuple(fc.array(fc.integer({ min: 100, max: 200 }), { maxLength: 3 }), badUserIdValue)
        .map(([good, bad]) => [...good, bad]),
      fc.constant(Array.from({ length: 10_001 }, (_, index) => index + 100)),
    ),
  },
};

interface BodyEndpoint {
  method: string;
  path: fc.Arbitrary<string>;
  shape: BodyShape;
}

const BODY_ENDPOINTS: Record<string, BodyEndpoint> = {
  'POST /api/v1/segments': { method: 'POST', path: fc.constant('/api/v1/segments'), shape: segmentCreation },
  'PATCH /api/v1/segments/{slug}': {
    method: 'PATCH',
    path: existingSlug.map((slug) => `/api/v1/segments/${slug}`),
    shape: segmentUpdate,
  },
  'PATCH /api/v1/users/{id}/segments': {
    method: 'PATCH',
    path: validUserId.map((id) => `/api/v1/users/${id}/segments`),
    shape: changeSet,
  },
  'POST /api/v1/users': { method: 'POST', path: fc.constant('/api/v1/users'), shape: registration },
};

const bodyRequests = (endpointBodies: (endpoint: BodyEndpoint) => fc.Arbitrary<BrokenBody>) =>
  fc.oneof(
    ...Object.values(BODY_ENDPOINTS).map((endpoint) =>
      fc
        .tuple(endpoint.path, endpointBodies(endpoint))
        .map(([path, body]) => ({ method: endpoint.method, path, body })),
    ),
  );

describe('bad input, generated', () => {
  let t: TestApp;
  let sent = 0;
  let before: Record<string, string>;

  beforeAll(async () => {
    t = await startTestApp();
    await t.http.post('/api/v1/segments').send({ slug: 'FUZZ_A', description: 'manual' }).expect(201);
    await t.http.post('/api/v1/segments').send({ slug: 'FUZZ_B', auto_percent: 50 }).expect(201);
    await t.http.post('/api/v1/segments').send({ slug: 'FUZZ.c-1' }).expect(201);
    await t.http.post('/api/v1/users').send({ user_ids: KNOWN_USERS }).expect(200);
    await t.http
      .patch('/api/v1/users/1/segments')
      .send({ add: ['FUZZ_A'] })
      .expect(200);
    await t.http
      .patch('/api/v1/users/2/segments')
      .send({ add: [{ slug: 'FUZZ.c-1', ttl: 'P30D' }] })
      .expect(200);
    before = await snapshotTables(t);
  });

  afterAll(async () => {
    console.log(`bad-input fuzzing sent ${sent} requests`);
    await t.close();
  });

  async function send(what: string, request: RawRequest, status?: number): Promise<void> {
    sent += 1;
    expectErrorAnswer(what, await rawRequest(t.baseUrl, request), status);
  }

  async function sendBody(method: string, path: string, body: BrokenBody): Promise<void> {
    const what = `${method} ${path} with ${body.how}: ${body.text.slice(0, 200)}`;
    await send(what, { method, path, headers: { 'content-type': body.contentType }, body: body.text }, body.status);
  }

  async function expectDatabaseUnchanged(): Promise<void> {
    expect(await snapshotTables(t)).toEqual(before);
  }

  it('rejects user ids in paths that are not integers from 1 to 2^53-1', async () => {
    const endpoint = fc.constantFrom(
      ['GET', (id: string) => `/api/v1/users/${id}/segments`],
      ['PATCH', (id: string) => `/api/v1/users/${id}/segments`],
      ['GET', (id: string) => `/api/v1/users/${id}/history`],
    ) as fc.Arbitrary<[string, (id: string) => string]>;
    await fc.assert(
      fc.asyncProperty(endpoint, badUserIdText, async ([method, path], id) => {
        const body = method === 'PATCH' ? JSON.stringify({ add: ['FUZZ_A'] }) : undefined;
        await send(`${method} user id ${JSON.stringify(id.slice(0, 80))}`, {
          method,
          path: path(encodePathSegment(id)),
          headers: body ? { 'content-type': 'application/json' } : {},
          body,
        });
      }),
      { numRuns: 400 },
    );
    await expectDatabaseUnchanged();
  });

  it('rejects slugs in paths that are malformed or name no segment', async () => {
    const endpoint = fc.constantFrom(
      ['GET', (slug: string) => `/api/v1/segments/${slug}`],
      ['PATCH', (slug: string) => `/api/v1/segments/${slug}`],
      ['DELETE', (slug: string) => `/api/v1/segments/${slug}`],
      ['GET', (slug: string) => `/api/v1/segments/${slug}/members`],
    ) as fc.Arbitrary<[string, (slug: string) => string]>;
    await fc.assert(
      fc.asyncProperty(endpoint, fc.oneof(badSlugText, unknownSlug), async ([method, path], slug) => {
        const body = method === 'PATCH' ? JSON.stringify({ description: 'changed' }) : undefined;
        await send(`${method} slug ${JSON.stringify(slug.slice(0, 80))}`, {
          method,
          path: path(encodePathSegment(slug)),
          headers: body ? { 'content-type': 'application/json' } : {},
          body,
        });
      }),
      { numRuns: 400 },
    );
    await expectDatabaseUnchanged();
  });

  it.each(Object.keys(BODY_ENDPOINTS))(
    'rejects bad fields, unknown fields, duplicate keys and bad combinations at %s',
    async (name) => {
      const endpoint = BODY_ENDPOINTS[name];
      await fc.assert(
        fc.asyncProperty(endpoint.path, brokenBodies(endpoint.shape), (path, body) =>
          sendBody(endpoint.method, path, body),
        ),
        { numRuns: 300 },
      );
      await expectDatabaseUnchanged();
    },
  );

  it('rejects malformed JSON, NUL bytes, deep nesting and bare values at every body endpoint', async () => {
    await fc.assert(
      fc.asyncProperty(
        bodyRequests((endpoint) => malformedJson(endpoint.shape.valid)),
        ({ method, path, body }) => sendBody(method, path, body),
      ),
      { numRuns: 400 },
    );
    await expectDatabaseUnchanged();
  });

  it('answers 415 to bodies that are not JSON', async () => {
    await fc.assert(
      fc.asyncProperty(
        bodyRequests((endpoint) => wrongContentTypes(endpoint.shape.valid)),
        ({ method, path, body }) => sendBody(method, path, body),
      ),
      { numRuns: 100 },
    );
    await expectDatabaseUnchanged();
  });

  it('answers 406 when Accept excludes JSON, before anything changes; JSON in any form of Accept passes', async () => {
    for (const accept of ['text/html', 'text/csv, application/xml', 'application/json;q=0, */*', 'image/*']) {
      const change = await t.http
        .patch('/api/v1/users/3/segments')
        .set('accept', accept)
        .send({ add: ['FUZZ_A'] });
      expect({ accept, status: change.status, code: change.body.code }).toEqual({
        accept,
        status: 406,
        code: 'NOT_ACCEPTABLE',
      });
      const read = await t.http.get('/api/v1/users/1/segments').set('accept', accept);
      expect({ accept, status: read.status }).toEqual({ accept, status: 406 });
    }
    for (const accept of [
      'application/json',
      'application/*',
      'text/html, */*;q=0.1',
      'APPLICATION/JSON; q=0.5',
      '*/*',
    ]) {
      const read = await t.http.get('/api/v1/users/1/segments').set('accept', accept);
      expect({ accept, status: read.status }).toEqual({ accept, status: 200 });
    }
    await expectDatabaseUnchanged();
  });

  it('answers 413 to bodies over 1 MiB', async () => {
    await fc.assert(
      fc.asyncProperty(
        bodyRequests((endpoint) => oversizeBodies(endpoint.shape.valid)),
        ({ method, path, body }) => sendBody(method, path, body),
      ),
      { numRuns: 24 },
    );
    await expectDatabaseUnchanged();
  });

  it('rejects bad, repeated and unknown query parameters', async () => {
    const query = fc.oneof(
      fc.tuple(
        fc.constantFrom('/api/v1/segments', '/api/v1/segments/FUZZ_A/members'),
        badLimit.map((v) => `limit=${encodePathSegment(v)}`),
      ),
      fc.tuple(
        fc.constantFrom('/api/v1/segments', '/api/v1/segments/FUZZ_B/members'),
        badCursor.map((v) => `cursor=${encodePathSegment(v)}`),
      ),
      fc.tuple(
        validUserId.map((id) => `/api/v1/users/${id}/history`),
        fc.tuple(fc.constantFrom('from', 'to'), badTime).map(([name, v]) => `${name}=${encodePathSegment(v)}`),
      ),
      fc.tuple(
        fc.constantFrom('/api/v1/segments', '/api/v1/segments/FUZZ_A/members'),
        fc.constantFrom('limit=1&limit=2', 'cursor=a&cursor=b', 'limit[]=1', 'limit[a]=1'),
      ),
      fc.tuple(
        fc.constantFrom('/api/v1/segments', '/api/v1/segments/FUZZ_A/members', '/api/v1/users/1/history'),
        fc
          .stringMatching(/^[a-z_]{1,12}$/)
          .filter((name) => !['limit', 'cursor', 'from', 'to'].includes(name))
          .map((name) => `${name}=1`),
      ),
    );
    await fc.assert(
      fc.asyncProperty(query, ([path, search]) =>
        send(`GET ${path}?${search}`, { method: 'GET', path: `${path}?${search}` }),
      ),
      { numRuns: 400 },
    );
    await expectDatabaseUnchanged();
  });

  it('answers a wrong method on a route with 405 and Allow, and a path that is no route with 404', async () => {
    const request = fc.oneof(
      fc.tuple(fc.constantFrom('PUT', 'DELETE', 'PATCH'), fc.constant('/api/v1/segments'), fc.constant(405)),
      fc.tuple(fc.constantFrom('POST', 'PUT'), fc.constant('/api/v1/segments/FUZZ_A'), fc.constant(405)),
      fc.tuple(fc.constantFrom('POST', 'PUT', 'DELETE'), fc.constant('/api/v1/users/1/segments'), fc.constant(405)),
      fc.tuple(
        fc.constantFrom('GET', 'POST', 'DELETE'),
        fc.constantFrom(
          '/api/v1/users/1',
          '/api/v1/users/1/segments/FUZZ_A',
          '/api/v2/segments',
          '/api/v1',
          '/api/v1/segments/FUZZ_A/members/1',
        ),
        fc.constant(404),
      ),
      fc.tuple(
        fc.constantFrom('GET', 'POST'),
        fc.webPath().map((path) => `/api/v1/zz/${path.replace(/^\//, '')}`),
        fc.constant(404),
      ),
    );
    await fc.assert(
      fc.asyncProperty(request, async ([method, path, status]) => {
        const response = await rawRequest(t.baseUrl, { method, path });
        sent += 1;
        expectErrorAnswer(`${method} ${path}`, response, status);
        expect(response.headers.allow === undefined).toBe(status === 404);
      }),
      { numRuns: 150 },
    );
    await expectDatabaseUnchanged();
  });
});
