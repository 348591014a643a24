import { FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { GetUserSegments } from '@app/application';
import { Membership } from '@app/domain';
import { userIdParam } from '../common/path-params';
import { sendError } from '../http/errors/error.filter';
import { MembershipResponse } from './dto/user.responses';

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
 * array on every hit, so its JSON is remembered beside it and goes when the cache lets the array go.
 */
export function serveUserSegmentsDirectly(app: NestFastifyApplication): void {
  const getSegments = app.get(GetUserSegments);
  const rendered = new WeakMap<Membership[], string>();
  const segmentsJson = (memberships: Membership[]): string => {
    let json = rendered.get(memberships);
    if (json === undefined) {
      json = JSON.stringify(memberships.map(MembershipResponse.from));
      rendered.set(memberships, json);
    }
    return json;
  };
  const handler = async (request: FastifyRequest<{ Params: { user_id: string } }>, reply: FastifyReply) => {
    // An empty parameter names no route, as Nest's own wrapper of a handler decides (`/users//segments`).
    if (request.params.user_id === '') return reply.callNotFound();
    try {
      const userId = userIdParam(request.params.user_id);
      const memberships = await getSegments.execute(userId);
      return reply
        .type('application/json; charset=utf-8')
        .send(`{"user_id":${userId},"segments":${segmentsJson(memberships)}}`);
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
