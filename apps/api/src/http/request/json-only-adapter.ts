import { isUtf8 } from 'node:buffer';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { InvalidInputError } from '@app/domain';
import { jsonTextShapeProblem } from './request-shape';

type BodyParserArgs = Parameters<FastifyAdapter['useBodyParser']>;
type BodyParser = NonNullable<BodyParserArgs[3]>;

/**
 * Refuses a JSON body that is not UTF-8 (decoding would silently replace the bad bytes with U+FFFD), or
 * too deep, wide or long (request-shape.ts), before it is parsed.
 */
const shapeCheckedFirst =
  (parse: BodyParser): BodyParser =>
  (request, body, done) => {
    if (Buffer.isBuffer(body) && !isUtf8(body))
      return done(InvalidInputError.of('body', 'the body is not valid UTF-8'), undefined);
    const problem = Buffer.isBuffer(body) ? jsonTextShapeProblem(body) : undefined;
    if (problem) return done(InvalidInputError.of('body', problem), undefined);
    return parse(request, body, done);
  };

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
