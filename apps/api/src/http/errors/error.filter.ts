import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import { FastifyReply, FastifyRequest } from 'fastify';
import { allowedMethods } from '../request/allowed-methods';
import { errorBodyOf, toErrorResponse } from './error-mapping';

const logger = new Logger('Errors');

/** Answers `exception` in the one error shape; routes served outside Nest's pipeline call it too. */
export function sendError(exception: unknown, request: FastifyRequest, reply: FastifyReply): void {
  // The request's own read failing (the client hung up mid-body, or Node's request timeout cut it: its
  // ECONNRESET is no database's) is the request's fault: 408, as the timeout's own answer says.
  const unread = exception === request.raw.errored;
  let body = unread ? errorBodyOf('REQUEST_TIMEOUT', 'the request did not arrive in full') : toErrorResponse(exception);
  if (body.code === 'ROUTE_NOT_FOUND') {
    const allow = allowedMethods(request.server, request.url);
    // A path that routes this very method yet was not found (an empty parameter: `/segments/`) is no route.
    if (allow.length > 0 && !allow.includes(request.method)) {
      body = errorBodyOf('METHOD_NOT_ALLOWED', `${request.method} is not allowed here; use ${allow.join(', ')}`);
      reply.header('Allow', allow.join(', '));
    }
  }
  if (body.statusCode >= 500) {
    logger.error(
      { reqId: request.id, err: exception, code: body.code },
      (exception as Error)?.message ?? String(exception),
    );
  }
  if (body.statusCode === 503) reply.header('Retry-After', '1');
  void reply.status(body.statusCode).send(body);
}

/** The one place where errors become HTTP answers. */
@Catch()
export class ErrorFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    sendError(exception, http.getRequest<FastifyRequest>(), http.getResponse<FastifyReply>());
  }
}
