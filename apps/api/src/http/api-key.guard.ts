import { CanActivate, ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import { FastifyRequest } from 'fastify';
import { AppConfig } from '@app/infrastructure';
import { errorBody } from './error-mapping';

const digest = (key: string) => createHash('sha256').update(key).digest();

/** With API_KEYS set, /api/v1/** needs `Authorization: Bearer <key>` or `X-API-Key: <key>`. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly keys: Buffer[];

  constructor(config: AppConfig) {
    this.keys = config.apiKeys.map(digest);
  }

  canActivate(context: ExecutionContext): boolean {
    if (this.keys.length === 0) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    if (!request.url.startsWith('/api/')) return true;
    const presented = this.presentedKey(request);
    // Compare digests in constant time, and against every key, so timing tells nothing.
    const matches = presented !== undefined && this.keys.map((key) => timingSafeEqual(key, digest(presented))).includes(true);
    if (!matches) {
      throw new UnauthorizedException(errorBody(401, 'UNAUTHORIZED', 'a valid API key is required'));
    }
    return true;
  }

  private presentedKey(request: FastifyRequest): string | undefined {
    const header = request.headers['x-api-key'];
    if (typeof header === 'string' && header) return header;
    const match = /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? '');
    return match?.[1];
  }
}
