import { FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { GetUserSegments } from '@app/application';
import { Membership } from '@app/domain';
import { userIdParam } from '../common/path-params';
import { sendError } from '../http/errors/error.filter';
import { MembershipResponse } from './dto/user.responses';
import { digestOf, entityTagOf, noneMatchHits } from './entity-tag';

/** UsersController.segments' route, as Nest registers it with Fastify. */
const USER_SEGMENTS_URL = '/api/v1/users/:user_id/segments';

/**
 * Serves GET /api/v1/users/{id}/segments, asked on every page view, without Nest's per-request
 * pipeline (router proxy, pipes, the class-based response): UsersController.segments stays its
 * definition and documentation, and its handler is swapped for this one when Nest registers the route.
 * Every Fastify hook (request id, Accept, security headers, API key and rate limit, metrics, access log)
 * still runs, errors get the one error shape, and the answer is the same bytes.
 *
 * The body is rendered once per answer the read cache holds: a cached user's memberships are the same
 * array on every hit, so its JSON (and its entity tag) is remembered beside it and goes when the cache
 * lets the array go. The answer carries a strong ETag and `Cache-Control: no-cache`; a request whose
 * If-None-Match names the tag gets 304 without a body.
 */
export function serveUserSegmentsDirectly(app: NestFastifyApplication): void {
  const getSegments = app.get(GetUserSegments);
  const rendered = new WeakMap<Membership[], { json: string; digest: string }>();
  const segmentsOf = (memberships: Membership[]) => {
    let segments = rendered.get(memberships);
    if (segments === undefined) {
      const json = JSON.stringify(memberships.map(MembershipResponse.from));
      segments = { json, digest: digestOf(json) };
      rendered.set(memberships, segments);
    }
    return segments;
  };
  const handler = async (request: FastifyRequest<{ Params: { user_id: string } }>, reply: FastifyReply) => {
    // An empty parameter names no route, as Nest's own wrapper of a handler decides (`/users//segments`).
    if (request.params.user_id === '') return reply.callNotFound();
    try {
      const userId = userIdParam(request.params.user_id);
      const { json, digest } = segmentsOf(await getSegments.execute(userId));
      const tag = entityTagOf(userId, digest);
      void reply.header('ETag', tag).header('Cache-Control', 'no-cache');
      if (noneMatchHits(request.headers['if-none-match'], tag)) return reply.code(304).send();
      return reply.type('application/json; charset=utf-8').send(`{"user_id":${userId},"segments":${json}}`);
    } catch (error) {
      sendError(error, request, reply);
      return reply;
    }
  };
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRoute', (route: RouteOptions) => {
      if (route.url === USER_SEGMENTS_URL && (route.method === 'GET' || route.method === 'HEAD')) {
        route.handler = handler as RouteOptions['handler'];
      }
    });
}
