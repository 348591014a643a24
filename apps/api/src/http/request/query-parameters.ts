import { Query } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import { FastifyReply, FastifyRequest } from 'fastify';
import { InvalidInputError } from '@app/domain';
import { sendError } from '../errors/error.filter';
import { fieldPath, unknownFieldMessage } from './field-errors';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route's query string has a DTO (set by QueryParameters). */
    takesQuery?: boolean;
  }
}

/**
 * `@Query()` for a route's query DTO, which the validation pipe checks (unknown names included), and a
 * mark on the route that it takes a query string at all: every other /api/v1 route takes none.
 */
export const QueryParameters =
  (): ParameterDecorator =>
  (target, key, index): void => {
    Query()(target, key, index);
    RouteConfig({ takesQuery: true })(target, key!, Object.getOwnPropertyDescriptor(target, key!)!);
  };

/**
 * 400 VALIDATION_FAILED, as the validation pipe words it, for query parameters on an /api/v1 route without
 * a query DTO (a Fastify `preParsing` hook, after the API key and rate limit, before any body is read).
 * A URL without `?` (nearly every request, the hot read included) passes on one string search; a query
 * string without parameters (`?`, `?&`) is none, as on the routes that validate theirs.
 */
export function refuseQueryParameters(
  request: FastifyRequest,
  reply: FastifyReply,
  _payload: unknown,
  done: () => void,
): void {
  if (request.url.indexOf('?') === -1) return done();
  const route = request.routeOptions;
  if (route.config.takesQuery === true || !route.url?.startsWith('/api/v1/')) return done();
  const names = Object.keys(request.query as object);
  if (names.length === 0) return done();
  const errors = names.map((name) => {
    const field = fieldPath(undefined, name);
    return { field, messages: [unknownFieldMessage('query', field)] };
  });
  sendError(new InvalidInputError(errors), request, reply);
}
