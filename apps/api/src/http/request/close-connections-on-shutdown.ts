import { NestFastifyApplication } from '@nestjs/platform-fastify';

/**
 * On shutdown the server stops accepting and closes the connections idle at that moment. A kept-alive
 * connection that is busy then would stay open after its answer until the keep-alive timeout (72 s),
 * holding the exit far past the 10 s allowed. So, from the moment closing starts, every answer says
 * `Connection: close`, and each finished answer closes the connections that have fallen idle.
 */
export function closeConnectionsOnShutdown(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance();
  let closing = false;
  fastify.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  fastify.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) void reply.header('connection', 'close');
    done(null, payload);
  });
  fastify.addHook('onResponse', (_request, _reply, done) => {
    if (closing) setImmediate(() => fastify.server.closeIdleConnections());
    done();
  });
}
