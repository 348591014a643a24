import { randomUUID } from 'node:crypto';
import { IncomingMessage } from 'node:http';

/** The request id's header, as the API documents it. */
export const REQUEST_ID_HEADER = 'X-Request-Id';
/** Node's key for it: incoming header names are lower case. */
const HEADER_KEY = REQUEST_ID_HEADER.toLowerCase();

/** What a client may choose as its request id: short, and safe to put in a log line or a header. */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Fastify's `genReqId`: the client's `X-Request-Id` when sane, else a new UUID. */
export function requestIdOf(request: IncomingMessage): string {
  const sent = request.headers[HEADER_KEY];
  return typeof sent === 'string' && SANE_REQUEST_ID.test(sent) ? sent : randomUUID();
}

/** An `onRequest` hook: every answer, errors included, carries the request id. */
export function echoRequestId(
  request: { id: string },
  reply: { header(name: string, value: string): unknown },
  done: () => void,
): void {
  void reply.header(HEADER_KEY, request.id);
  done();
}
