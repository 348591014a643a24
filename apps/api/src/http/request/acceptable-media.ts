import { FastifyReply, FastifyRequest, HookHandlerDoneFunction, RouteOptions } from 'fastify';
import { errorBodyOf } from '../errors/error-mapping';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** What an /api route answers (set once per route by markAnswerType); undefined for the others. */
    answerType?: string;
  }
}

/** What an API route answers: report files are CSV, everything else JSON (errors included). */
const answerTypeOf = (route: string): string | undefined =>
  !route.startsWith('/api/') ? undefined : route.startsWith('/api/v1/reports/files/') ? 'text/csv' : 'application/json';

/** An `onRoute` hook, registered before the routes: each route's answer type, worked out once. */
export function markAnswerType(route: RouteOptions): void {
  route.config = { ...route.config, answerType: answerTypeOf(route.url) };
}

/** RFC 9110's qvalue: 0 to 1 with at most three decimals. */
const QVALUE = /^(0(\.\d{0,3})?|1(\.0{0,3})?)$/;

/** How closely a media range of an Accept header names `type`: 3 the type itself, 2 its major type, 1 any type, 0 not at all. */
function specificity(range: string, type: string): number {
  if (range === type) return 3;
  if (range === `${type.slice(0, type.indexOf('/'))}/*`) return 2;
  return range === '*/*' ? 1 : 0;
}

/**
 * Whether an Accept header lets the answer be `type` (RFC 9110 12.5.1): the most specific range that
 * matches decides, and q=0 means "not this".
 */
export function accepts(header: string, type: string): boolean {
  let best = 0;
  let acceptable = false;
  for (const part of header.split(',')) {
    const [range, ...params] = part.split(';').map((piece) => piece.trim().toLowerCase());
    const rank = specificity(range, type);
    if (rank <= best) continue;
    const q = params.find((param) => param.startsWith('q='))?.slice(2);
    best = rank;
    // A q that is not a qvalue (q=, q=abc) is ignored, so a client asking for JSON is never refused over it.
    acceptable = q === undefined || !QVALUE.test(q) || Number(q) > 0;
  }
  return acceptable;
}

/**
 * 406 NOT_ACCEPTABLE for an API route whose answer the request's Accept header excludes. No header,
 * or one that takes anything (the common case), passes without parsing.
 */
export function refuseUnacceptable(request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
  const header = request.headers.accept;
  if (!header || header === '*/*') return done();
  const type = request.routeOptions.config.answerType;
  if (type === undefined || accepts(header, type)) return done();
  void reply
    .status(406)
    .send(errorBodyOf('NOT_ACCEPTABLE', `this operation answers ${type}, which the Accept header excludes`));
}
