import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { ErrorFilter } from './http/error.filter';
import { setupSwagger } from './http/swagger';
import { createValidationPipe } from './http/validation.pipe';
import { Metrics } from './metrics/metrics';

export const BODY_LIMIT_BYTES = 1024 * 1024;

export function createHttpAdapter(): FastifyAdapter {
  return new FastifyAdapter({ bodyLimit: BODY_LIMIT_BYTES, return503OnClosing: true });
}

/** Everything an app needs besides its module: validation, the error filter, docs and request metrics. */
export function configureApp(app: NestFastifyApplication): NestFastifyApplication {
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new ErrorFilter());
  const metrics = app.get(Metrics);
  const fastify = app.getHttpAdapter().getInstance();
  // The API speaks JSON only: a text body is 415, not a string handed to validation.
  fastify.removeContentTypeParser('text/plain');
  fastify.addHook('onResponse', (request, reply, done) => {
      metrics.httpDuration.observe(
        { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) },
        reply.elapsedTime / 1000,
      );
      done();
    });
  setupSwagger(app);
  return app;
}
