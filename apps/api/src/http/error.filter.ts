import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import { FastifyReply, FastifyRequest } from 'fastify';
import { toErrorResponse } from './error-mapping';

/** The one place where errors become HTTP answers. */
@Catch()
export class ErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const body = toErrorResponse(exception);
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    // A client that hung up mid-body fails the read with ECONNRESET: not a server fault (the access
    // log has its "request aborted" line), and not the database's.
    if (body.statusCode >= 500 && !request.raw.destroyed) {
      this.logger.error({ reqId: request.id, err: exception, code: body.code }, (exception as Error)?.message ?? String(exception));
    }
    const reply = http.getResponse<FastifyReply>();
    if (body.statusCode === 503) reply.header('Retry-After', '1');
    void reply.status(body.statusCode).send(body);
  }
}
