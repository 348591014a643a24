import { FastifyAdapter } from '@nestjs/platform-fastify';

type BodyParserArgs = Parameters<FastifyAdapter['useBodyParser']>;

/**
 * The API speaks JSON only. Nest registers an `application/x-www-form-urlencoded` parser at start-up;
 * this adapter declines it, so a form body is 415 like any other non-JSON body. (A form post is a
 * "simple" cross-site request a browser sends without asking: accepting it would invite CSRF.)
 */
export class JsonOnlyFastifyAdapter extends FastifyAdapter {
  override useBodyParser(...[type, ...rest]: BodyParserArgs): void {
    if (type === 'application/x-www-form-urlencoded') return;
    super.useBodyParser(type, ...rest);
  }
}
