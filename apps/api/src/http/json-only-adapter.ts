import { FastifyAdapter } from '@nestjs/platform-fastify';
import { InvalidInputError } from '@app/domain';
import { jsonTextShapeProblem } from './request-shape';

type BodyParserArgs = Parameters<FastifyAdapter['useBodyParser']>;
type BodyParser = NonNullable<BodyParserArgs[3]>;

/** Refuses a JSON body too deep or too wide before it is parsed (request-shape.ts). */
const shapeCheckedFirst =
  (parse: BodyParser): BodyParser =>
  (request, body, done) => {
    const problem = Buffer.isBuffer(body) ? jsonTextShapeProblem(body) : undefined;
    if (problem) return done(new InvalidInputError(problem), undefined);
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
    super.useBodyParser(type, rawBody, options, type === 'application/json' && parser ? shapeCheckedFirst(parser) : parser);
  }
}
