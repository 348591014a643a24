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
    if (body.statusCode >= 500) {
      const reqId = http.getRequest<FastifyRequest>().id;
      this.logger.error({ reqId, err: exception, code: body.code }, (exception as Error)?.message ?? String(exception));
    }
    const reply = http.getResponse<FastifyReply>();
    if (body.statusCode === 503) reply.header('Retry-After', '1');
    void reply.status(body.statusCode).send(body);
  }
}
