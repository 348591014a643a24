import createClient from 'openapi-fetch';
import type { components, paths } from '../../libs/client/src/openapi';

/**
 * What a client generated from docs/openapi.json (openapi-typescript + openapi-fetch) sees. Every
 * operation is called once with what the service accepts; `rejectedAtCompileTime` holds calls the
 * service rejects, each of which must fail to type-check (`@ts-expect-error` fails when it compiles).
 * TypeScript has no integers, patterns or multipleOf: those rules are left to the validating replay.
 */
export type SegmentsClient = ReturnType<typeof createClient<paths>>;

export function segmentsClient(baseUrl: string): SegmentsClient {
  return createClient<paths>({ baseUrl });
}

/** Every operation in an order where each finds what it needs; returns what the calls answered. */
export async function useEveryOperation(client: SegmentsClient, period: string) {
  const created = await client.POST('/api/v1/segments', { body: { slug: 'CLIENT_MANUAL', description: 'From a generated client' } });
  await client.POST('/api/v1/segments', { body: { slug: 'CLIENT_AUTO', auto_percent: 12.5 } });
  const registered = await client.POST('/api/v1/users', { body: { user_ids: [1000, 1001] } });
  const changed = await client.PATCH('/api/v1/users/{user_id}/segments', {
    params: { path: { user_id: 1000 } },
    body: { add: ['CLIENT_MANUAL', { slug: 'CLIENT_AUTO', ttl: 'P2D' }] },
  });
  const segments = await client.GET('/api/v1/users/{user_id}/segments', { params: { path: { user_id: 1000 } } });
  const lookedUp = await client.POST('/api/v1/users/lookup', { body: { user_ids: [1001, 1000] } });
  const history = await client.GET('/api/v1/users/{user_id}/history', {
    params: { path: { user_id: 1000 }, query: { from: '2000-01-01T00:00:00Z' } },
  });
  const list = await client.GET('/api/v1/segments', { params: { query: { limit: 1 } } });
  const one = await client.GET('/api/v1/segments/{slug}', { params: { path: { slug: 'CLIENT_AUTO' } } });
  const members = await client.GET('/api/v1/segments/{slug}/members', { params: { path: { slug: 'CLIENT_AUTO' }, query: { limit: 10 } } });
  const updated = await client.PATCH('/api/v1/segments/{slug}', { params: { path: { slug: 'CLIENT_AUTO' } }, body: { auto_percent: null } });
  const report = await client.GET('/api/v1/reports/history', { params: { query: { period, user_id: 1000, lang: 'en' } } });
  const name = report.data?.url.split('/').pop() ?? '';
  const file = await client.GET('/api/v1/reports/files/{name}', { params: { path: { name } }, parseAs: 'text' });
  const removed = await client.DELETE('/api/v1/segments/{slug}', { params: { path: { slug: 'CLIENT_MANUAL' } } });
  const missing = await client.GET('/api/v1/segments/{slug}', { params: { path: { slug: 'CLIENT_MANUAL' } } });
  const live = await client.GET('/health/live');
  const ready = await client.GET('/health/ready');
  const metrics = await client.GET('/metrics', { parseAs: 'text' });
  return {
    created: created.data?.slug,
    registered: registered.data?.registered,
    changed: changed.data?.segments.map((membership) => membership.slug),
    segments: segments.data?.segments.map((membership) => `${membership.slug}:${membership.source}`),
    lookedUp: lookedUp.data?.users.map((user) => `${user.user_id}:${user.segments.length}`),
    history: history.data?.items.map((entry) => `${entry.segment} ${entry.operation} ${entry.reason}`),
    listed: list.data?.items.length,
    members: one.data?.members,
    memberIds: members.data?.items.map((member) => member.user_id),
    updated: updated.data?.auto_percent,
    reportRows: report.data?.rows,
    file: file.data,
    removed: removed.response.status,
    missing: missing.error?.code,
    live: live.data?.status,
    ready: ready.data?.status,
    metrics: metrics.response.status,
  };
}

/** Never called: each call is one the service answers with 400, and must not compile. */
export function rejectedAtCompileTime(client: SegmentsClient): void {
  // @ts-expect-error an empty change set
  void client.PATCH('/api/v1/users/{user_id}/segments', { params: { path: { user_id: 1 } }, body: {} });
  // @ts-expect-error a change set of options only
  void client.PATCH('/api/v1/users/{user_id}/segments', { params: { path: { user_id: 1 } }, body: { ttl: 'P1D' } });
  // @ts-expect-error an empty segment change
  void client.PATCH('/api/v1/segments/{slug}', { params: { path: { slug: 'A' } }, body: {} });
  // @ts-expect-error a user id as text
  void client.GET('/api/v1/users/{user_id}/segments', { params: { path: { user_id: '1000' } } });
  // @ts-expect-error a segment without its slug
  void client.POST('/api/v1/segments', { body: { description: 'no slug' } });
  // @ts-expect-error a percent as text
  void client.POST('/api/v1/segments', { body: { slug: 'A', auto_percent: '10' } });
  // @ts-expect-error an add item that is neither a slug nor an object
  void client.PATCH('/api/v1/users/{user_id}/segments', { params: { path: { user_id: 1 } }, body: { add: [7] } });
  // @ts-expect-error user ids as text
  void client.POST('/api/v1/users', { body: { user_ids: ['1000'] } });
  // @ts-expect-error a report without its period
  void client.GET('/api/v1/reports/history', { params: { query: { user_id: 1 } } });
  // @ts-expect-error a report language the service does not write
  void client.GET('/api/v1/reports/history', { params: { query: { period: '2026-01', lang: 'de' } } });
  // @ts-expect-error a route the service does not have
  void client.GET('/api/v1/segment');
  // @ts-expect-error a method the route does not have
  void client.PUT('/api/v1/segments/{slug}', { params: { path: { slug: 'A' } }, body: { auto_percent: 1 } });
}

/**
 * openapi-fetch infers its options generically, so TypeScript's excess-property check does not reach
 * them: unknown fields and query parameters are caught where a value is typed with the generated types.
 */
export const unknownBodyField: components['schemas']['CreateSegmentDto'] = {
  slug: 'A',
  // @ts-expect-error an unknown body field
  colour: 'red',
};
export const unknownQueryParameter: paths['/api/v1/segments']['get']['parameters']['query'] = {
  limit: 1,
  // @ts-expect-error an unknown query parameter
  order: 'desc',
};
