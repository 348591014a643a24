import { FastifyInstance } from 'fastify';

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/** The methods routed for this request's path; empty when no route has the path at all. */
export function allowedMethods(server: FastifyInstance, url: string): string[] {
  const path = url.split('?', 1)[0];
  return METHODS.filter((method) => server.findRoute({ method, url: path }) !== null);
}
