import { Socket } from 'node:net';
import { errorBodyOf } from './error-mapping';

/**
 * Node rejects some requests before Fastify or Nest see them (a request line or headers over 16 KiB,
 * a malformed request, a slow client). Fastify's own answer lacks the contract's `code`: this one
 * writes the one error shape, then closes the connection as Node would.
 */
export function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const body =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? errorBodyOf('HEADERS_TOO_LARGE', 'the request line and headers exceed 16 KiB')
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? errorBodyOf('REQUEST_TIMEOUT', 'the request did not arrive in time')
        : errorBodyOf('BAD_REQUEST', 'the request is not valid HTTP');
  const text = JSON.stringify(body);
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${body.statusCode} ${body.error}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
    );
  }
  socket.destroy();
}
