import { FastifyReply, FastifyRequest } from 'fastify';

/**
 * Fastify answers `Connection: close` after any error of a body parser, since the client may still be
 * sending. When the whole body was read (Node parsed the request to its end: a body refused for its
 * shape, its encoding or as malformed JSON), the next bytes on the connection can only be the next
 * request, so the connection stays open: a client that sends a refused body does not cost the service
 * a new connection per request (accept, handshake, close: a quarter of the CPU such a 400 took on the
 * 2-core test machine). A body not read to its end (over the size limit, an upload cut short) still
 * closes its connection. Registered before the shutdown hook, which may say `close` again.
 */
export function keepConnectionsWhoseBodyWasRead(
  request: FastifyRequest,
  reply: FastifyReply,
  payload: unknown,
  done: (error: null, payload: unknown) => void,
): void {
  if (reply.statusCode < 500 && request.raw.complete && reply.getHeader('connection') === 'close')
    reply.removeHeader('connection');
  done(null, payload);
}
