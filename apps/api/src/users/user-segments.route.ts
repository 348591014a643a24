import { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { getSchemaPath, OperationObject } from '@nestjs/swagger';
import { GetUserSegments } from '@app/application';
import { Membership } from '@app/domain';
import { USER_ID_SCHEMA, userIdParam } from '../common/path-params';
import { apiErrorCodes, errorResponsesOf } from '../http/errors/api-errors.decorator';
import { sendError } from '../http/errors/error.filter';
import { MembershipResponse, UserSegmentsResponse } from './dto/user.responses';
import { digestOf, entityTagOf, noneMatchHits } from './entity-tag';

/** The route, as Fastify writes its path; OpenAPI writes it `/api/v1/users/{user_id}/segments`. */
export const USER_SEGMENTS_URL = '/api/v1/users/:user_id/segments';

/** Its OpenAPI operation, which buildOpenApiDocument adds to the document beside the controllers' own. */
export function userSegmentsOperation(): OperationObject {
  return {
    operationId: 'getUserSegments',
    parameters: [
      {
        name: 'user_id',
        required: true,
        in: 'path',
        description: 'Integer from 1 to 9007199254740991',
        schema: USER_ID_SCHEMA,
      },
      {
        name: 'If-None-Match',
        in: 'header',
        description: 'The ETag of an earlier answer: 304 without a body while the answer is the same',
        required: false,
        schema: { type: 'string' },
      },
    ],
    responses: {
      200: {
        description: "The user's active segments; [] for an unknown user",
        headers: {
          ETag: {
            description: 'A strong entity tag of this answer',
            schema: { type: 'string', example: '"1000-3q2Vw8ZrQk1nT0aB"' },
          },
          'Cache-Control': {
            description: '`no-cache`: revalidate with If-None-Match',
            schema: { type: 'string', example: 'no-cache' },
          },
        },
        content: { 'application/json': { schema: { $ref: getSchemaPath(UserSegmentsResponse) } } },
      },
      304: { description: 'Not modified: If-None-Match names the current ETag (no body)' },
      ...errorResponsesOf(apiErrorCodes('VALIDATION_FAILED')),
    },
    summary: "The user's active segments, ordered by slug",
    tags: ['users'],
  };
}

/**
 * GET (and HEAD) /api/v1/users/{id}/segments, asked on every page view: a Fastify route of its own,
 * without Nest's router, pipes and class-based responses (1-8 µs of a read's CPU, docs/performance.md,
 * "The hot read, layer by layer"). Every Fastify hook (request id, Accept, security headers, API key and rate
 * limit, metrics, access log) runs as for any route, and errors get the one error shape (sendError, as
 * the ErrorFilter answers Nest's routes).
 *
 * With the read cache on, the body is rendered once per answer it holds: a cached user's memberships
 * are the same array on every hit, so its JSON (and entity tag) is remembered beside it and goes when
 * the array goes. With the cache off every array is new, and remembering it would only cost. The answer
 * carries a strong ETag and `Cache-Control: no-cache`; a request whose If-None-Match names the tag gets
 * 304 without a body.
 */
export function registerUserSegmentsRoute(
  fastify: FastifyInstance,
  getSegments: GetUserSegments,
  readCacheOn: boolean,
): void {
  const render = (memberships: Membership[]) => {
    const json = JSON.stringify(memberships.map(MembershipResponse.from));
    return { json, digest: digestOf(json) };
  };
  const rendered = new WeakMap<Membership[], { json: string; digest: string }>();
  const renderedOnce = (memberships: Membership[]) => {
    let segments = rendered.get(memberships);
    if (segments === undefined) {
      segments = render(memberships);
      rendered.set(memberships, segments);
    }
    return segments;
  };
  const segmentsOf = readCacheOn ? renderedOnce : render;
  fastify.get(
    USER_SEGMENTS_URL,
    async (request: FastifyRequest<{ Params: { user_id: string } }>, reply: FastifyReply) => {
      // An empty parameter names no route (`/users//segments`), as for the routes Nest serves.
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
    },
  );
}
