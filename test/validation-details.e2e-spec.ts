import { errorShapeProblem } from './reliability/support/error-shape';
import { rawRequest, RawResponse } from './reliability/support/raw-http';
import { startTestApp, TestApp } from './support/test-app';

/**
 * Every VALIDATION_FAILED answers one `details` shape, whatever found the problem (the validators, a path
 * parameter, a use case, the query-string hook, the body reader): `{"errors": [{"field", "messages"}]}`, each
 * field once, `body` for the body as a whole, and a `message` that is the messages joined. Before, a ttl gave
 * `{"ttl": ...}`, a user id `{"user_id": ...}`, a slug listed twice `{"slugs": [...]}`, and an empty change set,
 * an empty segment PATCH or `from` after `to` no details at all.
 */
const SLUG = 'VD_A';

interface Case {
  name: string;
  method: string;
  path: string;
  /** A JSON value, or the raw bytes of a body that is not one. */
  body?: unknown;
  raw?: Buffer;
  errors: Array<{ field: string; messages: string[] }>;
}

const TTL_ZERO = 'ttl "P0D" is zero; it must be a positive duration';
const USER_ID_RULE = 'user_id must be an integer from 1 to 9007199254740991';
const SLUG_PATH_RULE =
  'slug must be 1-100 characters of letters, digits, "_", "." or "-", starting with a letter or digit';
const LIMIT_RULE = 'limit must be an integer from 1 to 1000';

/** A name or value of 100 KB, and the 64 code points and "…" an answer echoes of it. */
const HUGE = 'x'.repeat(100 * 1024);
const HUGE_ECHO = `${'x'.repeat(64)}…`;
/** 🙂 is two UTF-16 code units: the echo cuts code points, never a surrogate pair in half. */
const HUGE_EMOJI = '🙂'.repeat(1000);
const HUGE_EMOJI_ECHO = `${'🙂'.repeat(64)}…`;

/** The cases of issue 25, then each endpoint's typical mistake. */
const CASES: Case[] = [
  {
    name: 'a zero ttl for the whole change set',
    method: 'PATCH',
    path: '/api/v1/users/1/segments',
    body: { add: [SLUG], ttl: 'P0D' },
    errors: [{ field: 'ttl', messages: [TTL_ZERO] }],
  },
  {
    name: 'a zero ttl of one add item',
    method: 'PATCH',
    path: '/api/v1/users/1/segments',
    body: { add: ['VD_B', { slug: SLUG, ttl: 'P0D' }] },
    errors: [{ field: 'add[1].ttl', messages: [TTL_ZERO] }],
  },
  {
    name: 'user id 0 in the path',
    method: 'GET',
    path: '/api/v1/users/0/segments',
    errors: [{ field: 'user_id', messages: [`${USER_ID_RULE}, got "0"`] }],
  },
  {
    name: 'a slug listed twice in add',
    method: 'PATCH',
    path: '/api/v1/users/1/segments',
    body: { add: [SLUG, { slug: SLUG }] },
    errors: [{ field: 'add[1]', messages: [`segment ${SLUG} is listed twice in add`] }],
  },
  {
    name: 'from after to',
    method: 'GET',
    path: '/api/v1/users/1/history?from=2023-09-01T00:00:00Z&to=2023-08-01T00:00:00Z',
    errors: [
      { field: 'from', messages: ['from must not be later than to'] },
      { field: 'to', messages: ['from must not be later than to'] },
    ],
  },
  {
    name: 'an empty change set',
    method: 'PATCH',
    path: '/api/v1/users/1/segments',
    body: { add: [], remove: [] },
    errors: [{ field: 'body', messages: ['the change set is empty: give at least one slug in add or remove'] }],
  },
  {
    name: 'an empty segment PATCH',
    method: 'PATCH',
    path: `/api/v1/segments/${SLUG}`,
    body: {},
    errors: [{ field: 'body', messages: ['nothing to change: give description and/or auto_percent'] }],
  },
  {
    name: 'an unknown body field',
    method: 'POST',
    path: '/api/v1/segments',
    body: { slug: 'VD_NEW', order: 1 },
    errors: [{ field: 'order', messages: ['unknown field: order'] }],
  },
  {
    name: 'an unknown field every object inherits',
    method: 'POST',
    path: '/api/v1/segments',
    raw: Buffer.from('{"slug":"VD_NEW","constructor":1}'),
    errors: [{ field: 'constructor', messages: ['unknown field: constructor'] }],
  },
  {
    name: 'a __proto__ field (valid JSON: the key is unknown, it sets no prototype)',
    method: 'POST',
    path: '/api/v1/users',
    raw: Buffer.from('{"user_ids":[1],"__proto__":5}'),
    errors: [{ field: '__proto__', messages: ['unknown field: __proto__'] }],
  },
  {
    name: 'a __proto__ field inside an add item',
    method: 'PATCH',
    path: '/api/v1/users/1/segments',
    raw: Buffer.from(`{"add":[{"slug":"${SLUG}","__proto__":{"admin":true}}]}`),
    errors: [{ field: 'add[0].__proto__', messages: ['unknown field: add[0].__proto__'] }],
  },
  {
    name: 'a constructor.prototype field',
    method: 'POST',
    path: '/api/v1/segments',
    raw: Buffer.from('{"slug":"VD_NEW","constructor":{"prototype":{"admin":true}}}'),
    errors: [{ field: 'constructor', messages: ['unknown field: constructor'] }],
  },
  {
    name: 'a 100 KB unknown field name',
    method: 'POST',
    path: '/api/v1/segments',
    body: { slug: 'VD_NEW', [HUGE]: 1 },
    errors: [{ field: HUGE_ECHO, messages: [`unknown field: ${HUGE_ECHO}`] }],
  },
  {
    name: 'a long unknown field name of characters beyond the BMP',
    method: 'POST',
    path: '/api/v1/segments',
    body: { slug: 'VD_NEW', [HUGE_EMOJI]: 1 },
    errors: [{ field: HUGE_EMOJI_ECHO, messages: [`unknown field: ${HUGE_EMOJI_ECHO}`] }],
  },
  {
    name: 'a 10 KB unknown query parameter name',
    method: 'GET',
    path: `/api/v1/users/1/segments?${'q'.repeat(10 * 1024)}=1`,
    errors: [{ field: `${'q'.repeat(64)}…`, messages: [`unknown query parameter: ${'q'.repeat(64)}…`] }],
  },
  {
    name: 'a 10 KB unknown query parameter name of a route with query options',
    method: 'GET',
    path: `/api/v1/segments?${'q'.repeat(10 * 1024)}=1`,
    errors: [{ field: `${'q'.repeat(64)}…`, messages: [`unknown query parameter: ${'q'.repeat(64)}…`] }],
  },
  {
    name: 'a 10 KB user id in the path',
    method: 'GET',
    path: `/api/v1/users/${'9'.repeat(10 * 1024)}/segments`,
    errors: [{ field: 'user_id', messages: [`${USER_ID_RULE}, got "${'9'.repeat(64)}…"`] }],
  },
  {
    name: 'an unknown query parameter of a route with query options',
    method: 'GET',
    path: '/api/v1/segments?order=slug',
    errors: [{ field: 'order', messages: ['unknown query parameter: order'] }],
  },
  {
    name: 'an unknown query parameter of a route without any',
    method: 'GET',
    path: '/api/v1/users/1/segments?order=slug',
    errors: [{ field: 'order', messages: ['unknown query parameter: order'] }],
  },
  {
    name: 'expires_at and ttl together',
    method: 'PATCH',
    path: '/api/v1/users/1/segments',
    body: { add: [SLUG], ttl: 'P1D', expires_at: '2099-01-01T00:00:00Z' },
    errors: [
      { field: 'expires_at', messages: ['change set: give either expires_at or ttl, not both'] },
      { field: 'ttl', messages: ['change set: give either expires_at or ttl, not both'] },
    ],
  },
  {
    name: 'an expiry in the past',
    method: 'PATCH',
    path: '/api/v1/users/1/segments',
    body: { add: [{ slug: SLUG, expires_at: '2000-01-01T00:00:00Z' }] },
    errors: [
      { field: 'add[0].expires_at', messages: [`add ${SLUG}: expires_at 2000-01-01T00:00:00Z is not in the future`] },
    ],
  },
  {
    name: 'a body that is not an object',
    method: 'POST',
    path: '/api/v1/segments',
    body: ['VD_NEW'],
    errors: [{ field: 'body', messages: ['the body must be a JSON object'] }],
  },
  {
    name: 'a body that is not UTF-8',
    method: 'POST',
    path: '/api/v1/segments',
    raw: Buffer.from([...Buffer.from('{"slug":"'), 0xff, ...Buffer.from('"}')]),
    errors: [{ field: 'body', messages: ['the body is not valid UTF-8'] }],
  },
  {
    name: 'a NUL character in a field',
    method: 'POST',
    path: '/api/v1/segments',
    body: { slug: 'VD_NEW', description: 'a\u0000b' },
    errors: [{ field: 'description', messages: ['text must not contain NUL characters (U+0000)'] }],
  },
  {
    name: 'POST /segments: a bad slug',
    method: 'POST',
    path: '/api/v1/segments',
    body: { slug: 'no spaces' },
    errors: [{ field: 'slug', messages: ['slug must hold 1-100 characters matching ^[A-Za-z0-9][A-Za-z0-9_.-]*$'] }],
  },
  {
    name: 'POST /segments: auto_percent out of range',
    method: 'POST',
    path: '/api/v1/segments',
    body: { slug: 'VD_NEW', auto_percent: 0 },
    errors: [
      { field: 'auto_percent', messages: ['auto_percent must be a number with 0 < p <= 100 and at most 2 decimals'] },
    ],
  },
  {
    name: 'GET /segments: a bad limit',
    method: 'GET',
    path: '/api/v1/segments?limit=0',
    errors: [{ field: 'limit', messages: [LIMIT_RULE] }],
  },
  {
    name: 'GET /segments/{slug}: a bad slug',
    method: 'GET',
    path: '/api/v1/segments/bad!slug',
    errors: [{ field: 'slug', messages: [SLUG_PATH_RULE] }],
  },
  {
    name: 'PATCH /segments/{slug}: a description too long',
    method: 'PATCH',
    path: `/api/v1/segments/${SLUG}`,
    body: { description: 'x'.repeat(501) },
    errors: [
      { field: 'description', messages: ['description must hold at most 500 characters (Unicode code points)'] },
    ],
  },
  {
    name: 'DELETE /segments/{slug}: a bad slug',
    method: 'DELETE',
    path: '/api/v1/segments/bad!slug',
    errors: [{ field: 'slug', messages: [SLUG_PATH_RULE] }],
  },
  {
    name: 'GET /segments/{slug}/members: a bad limit',
    method: 'GET',
    path: `/api/v1/segments/${SLUG}/members?limit=abc`,
    errors: [{ field: 'limit', messages: [LIMIT_RULE] }],
  },
  {
    name: 'PATCH /users/{user_id}/segments: an add item that is no slug',
    method: 'PATCH',
    path: '/api/v1/users/1/segments',
    body: { add: [SLUG, 5] },
    errors: [{ field: 'add[1]', messages: ['add[1] must be a slug or an object'] }],
  },
  {
    name: 'PATCH /users/{user_id}/segments: unknown fields of an add item',
    method: 'PATCH',
    path: '/api/v1/users/1/segments',
    body: { add: [{ slug: 'A', foo: 1, bar: 2 }] },
    errors: [
      { field: 'add[0].foo', messages: ['unknown field: add[0].foo'] },
      { field: 'add[0].bar', messages: ['unknown field: add[0].bar'] },
    ],
  },
  {
    name: 'PATCH /users/{user_id}/segments: an add item without a slug',
    method: 'PATCH',
    path: '/api/v1/users/1/segments',
    body: { add: [SLUG, {}] },
    errors: [
      {
        field: 'add[1].slug',
        messages: ['add[1].slug must hold 1-100 characters matching ^[A-Za-z0-9][A-Za-z0-9_.-]*$'],
      },
    ],
  },
  {
    name: 'PATCH /users/{user_id}/segments: an add item with a ttl that is no string',
    method: 'PATCH',
    path: '/api/v1/users/1/segments',
    body: { add: [{ slug: SLUG, ttl: 5 }] },
    errors: [{ field: 'add[0].ttl', messages: ['add[0].ttl must be an ISO 8601 duration string'] }],
  },
  {
    name: 'PATCH /users/{user_id}/segments: an add item that is a bad slug',
    method: 'PATCH',
    path: '/api/v1/users/1/segments',
    body: { add: ['no spaces'] },
    errors: [
      {
        field: 'add[0]',
        messages: ['add[0] "no spaces" is not a slug (1-100 characters matching ^[A-Za-z0-9][A-Za-z0-9_.-]*$)'],
      },
    ],
  },
  {
    name: 'PATCH /users/{user_id}/segments: more than 100 slugs to remove',
    method: 'PATCH',
    path: '/api/v1/users/1/segments',
    body: { remove: Array.from({ length: 101 }, (_, i) => `VD_${i}`) },
    errors: [{ field: 'remove', messages: ['remove must contain no more than 100 elements'] }],
  },
  {
    name: 'GET /users/{user_id}/segments: a user id that is not a number',
    method: 'GET',
    path: '/api/v1/users/abc/segments',
    errors: [{ field: 'user_id', messages: [`${USER_ID_RULE}, got "abc"`] }],
  },
  {
    name: 'POST /users: no user ids',
    method: 'POST',
    path: '/api/v1/users',
    body: { user_ids: [] },
    errors: [{ field: 'user_ids', messages: ['user_ids must contain at least 1 elements'] }],
  },
  {
    name: 'POST /users/lookup: user id 0',
    method: 'POST',
    path: '/api/v1/users/lookup',
    body: { user_ids: [0] },
    errors: [{ field: 'user_ids', messages: ['each user_ids item must be an integer from 1 to 9007199254740991'] }],
  },
  {
    name: 'GET /users/{user_id}/history: a from that is no time',
    method: 'GET',
    path: '/api/v1/users/1/history?from=yesterday',
    errors: [{ field: 'from', messages: ['from must be an RFC 3339 time such as 2023-08-01T00:00:00Z'] }],
  },
  {
    name: 'GET /reports/history: no period',
    method: 'GET',
    path: '/api/v1/reports/history',
    errors: [{ field: 'period', messages: ['period must be a month such as 2023-08'] }],
  },
  {
    name: 'GET /reports/history: user id 0',
    method: 'GET',
    path: '/api/v1/reports/history?period=2023-08&user_id=0',
    errors: [{ field: 'user_id', messages: [USER_ID_RULE] }],
  },
  {
    name: 'a query parameter given twice: only that it must be one string',
    method: 'GET',
    path: '/api/v1/segments?cursor=a&cursor=b',
    errors: [{ field: 'cursor', messages: ['cursor must be a string'] }],
  },
  {
    name: 'a ttl that is a number: only that it must be a string',
    method: 'PATCH',
    path: '/api/v1/users/1/segments',
    body: { add: [SLUG], ttl: 5 },
    errors: [{ field: 'ttl', messages: ['ttl must be a string'] }],
  },
  {
    name: 'user_ids null: only that it must be a list',
    method: 'POST',
    path: '/api/v1/users',
    body: { user_ids: null },
    errors: [{ field: 'user_ids', messages: ['user_ids must be an array'] }],
  },
  {
    name: 'GET /reports/files/{name}: a query parameter',
    method: 'GET',
    path: '/api/v1/reports/files/history-2023-08-all-ru.csv?download=1',
    errors: [{ field: 'download', messages: ['unknown query parameter: download'] }],
  },
];

describe('VALIDATION_FAILED details', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
    await t.http.post('/api/v1/segments').send({ slug: SLUG }).expect(201);
  });
  afterAll(() => t.close());

  const send = (c: Case): Promise<RawResponse> => {
    const body = c.raw ?? (c.body === undefined ? undefined : Buffer.from(JSON.stringify(c.body)));
    return rawRequest(t.baseUrl, {
      method: c.method,
      path: c.path,
      headers: body ? { 'content-type': 'application/json' } : {},
      ...(body ? { body } : {}),
    });
  };

  it.each(CASES)('$name: details.errors names each field', async (c) => {
    const answer = await send(c);
    expect(errorShapeProblem(answer)).toBeUndefined();
    const messages = [...new Set(c.errors.flatMap((error) => error.messages))];
    expect(answer.json).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      code: 'VALIDATION_FAILED',
      message: messages.join('; '),
      details: { errors: c.errors },
    });
  });

  it('answers a 100 KB field name in under 2 KB, the error shape intact', async () => {
    const answer = await send({
      ...CASES[0],
      method: 'POST',
      path: '/api/v1/users',
      body: { user_ids: [1], [HUGE]: 1 },
    });
    expect(errorShapeProblem(answer)).toBeUndefined();
    expect(answer.status).toBe(400);
    expect(Buffer.byteLength(answer.text)).toBeLessThan(2048);
    expect(answer.json).toMatchObject({ code: 'VALIDATION_FAILED', details: { errors: [{ field: HUGE_ECHO }] } });
  });

  it('answers a 10 KB period or report file name in under 2 KB', async () => {
    const long = 'x'.repeat(10 * 1024);
    for (const [path, code, status] of [
      [`/api/v1/reports/history?period=${long}`, 'INVALID_PERIOD', 400],
      [`/api/v1/reports/files/${long}.csv`, 'REPORT_NOT_FOUND', 404],
    ] as const) {
      const answer = await rawRequest(t.baseUrl, { method: 'GET', path });
      expect(errorShapeProblem(answer)).toBeUndefined();
      expect(answer.json).toMatchObject({ statusCode: status, code });
      expect(Buffer.byteLength(answer.text)).toBeLessThan(2048);
      expect((answer.json as { message: string }).message).toContain(`${'x'.repeat(64)}…`);
    }
  });

  it('the service speaks in its own voice, never in the validation library’s', async () => {
    for (const c of CASES) {
      const { message } = (await send(c)).json as { message: string };
      expect(message).not.toMatch(/should not exist|Validation failed|an unknown value was passed/);
    }
  });
});
