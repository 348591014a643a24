import { isUtf8 } from 'node:buffer';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { InvalidInputError } from '@app/domain';
import { jsonTextShapeProblem, requestShapeProblem } from './request-shape';

type BodyParserArgs = Parameters<FastifyAdapter['useBodyParser']>;
type BodyParser = NonNullable<BodyParserArgs[3]>;

/**
 * Takes an empty JSON body of a DELETE for none. Refuses a JSON body that is not UTF-8 (decoding would silently replace the bad bytes with U+FFFD), or
 * too deep, wide or long (request-shape.ts), before it is parsed.
 */
const shapeCheckedFirst =
  (parse: BodyParser): BodyParser =>
  (request, body, done) => {
    // A DELETE carries no body, but some clients send the JSON content type on every request.
    if (request.method === 'DELETE' && body.length === 0) return done(null, undefined);
    if (Buffer.isBuffer(body) && !isUtf8(body))
      return done(InvalidInputError.of('body', 'the body is not valid UTF-8'), undefined);
    const problem = Buffer.isBuffer(body) ? jsonTextShapeProblem(body) : undefined;
    if (problem) return done(InvalidInputError.of('body', problem), undefined);
    return parse(request, body, (error, value) =>
      error ? done(prototypeKeyProblem(body) ?? error, undefined) : done(null, value),
    );
  };

/**
 * Fastify's parser refuses a `__proto__` key (or `constructor.prototype`) as if the body were not JSON.
 * It is JSON, with a field no request has: VALIDATION_FAILED naming it, as for any unknown field. Only
 * JSON.parse runs on it here, which makes `__proto__` an own field and sets no prototype; the value
 * goes no further.
 */
function prototypeKeyProblem(body: string | Buffer): InvalidInputError | undefined {
  let value: unknown;
  try {
    value = JSON.parse(body.toString());
  } catch {
    return undefined;
  }
  const problem = requestShapeProblem(value, 'body');
  return problem && InvalidInputError.of(problem.field, problem.message);
}

/**
 * The API speaks JSON only. Nest registers an `application/x-www-form-urlencoded` parser at start-up;
 * this adapter declines it, so a form body is 415 like any other non-JSON body. (A form post is a
 * "simple" cross-site request a browser sends without asking: accepting it would invite CSRF.)
 * JSON bodies are checked for their shape before they are parsed.
 */
export class JsonOnlyFastifyAdapter extends FastifyAdapter {
  override useBodyParser(...[type, rawBody, options, parser]: BodyParserArgs): void {
    if (type === 'application/x-www-form-urlencoded') return;
    super.useBodyParser(
      type,
      rawBody,
      options,
      type === 'application/json' && parser ? shapeCheckedFirst(parser) : parser,
    );
  }
}
