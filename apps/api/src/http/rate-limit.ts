import { DynamicModule, ExecutionContext, Injectable, Provider } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerGuard, ThrottlerModule } from '@nestjs/throttler';
import { createHash } from 'node:crypto';
import { AppConfig } from '@app/infrastructure';
import { KeyedRequest, presentedApiKey } from './api-key-check';

const MINUTE_MS = 60_000;

/** Whom a request counts against: its API key (hashed, never kept in clear), else its client IP. */
export function rateLimitTracker(request: KeyedRequest & { ip: string }): string {
  const key = presentedApiKey(request);
  return key === undefined ? `ip:${request.ip}` : `key:${createHash('sha256').update(key).digest('hex')}`;
}

/** Counts every /api/** request of one caller together, whatever the route; 429 becomes RATE_LIMITED. */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    return !context.switchToHttp().getRequest<KeyedRequest>().url.startsWith('/api/');
  }

  protected override getTracker(request: Record<string, unknown>): Promise<string> {
    return Promise.resolve(rateLimitTracker(request as unknown as KeyedRequest & { ip: string }));
  }

  protected override generateKey(_context: ExecutionContext, tracker: string, name: string): string {
    return `${name}:${tracker}`;
  }
}

/**
 * RATE_LIMIT_PER_MINUTE > 0: a fixed one-minute window per caller, in this instance's memory
 * (each instance counts on its own). 0 (the default): no module, no guard.
 */
export function rateLimiting(config: AppConfig): { imports: DynamicModule[]; guards: Provider[] } {
  if (config.rateLimitPerMinute <= 0) return { imports: [], guards: [] };
  return {
    imports: [
      ThrottlerModule.forRoot({
        throttlers: [{ ttl: MINUTE_MS, limit: config.rateLimitPerMinute }],
        errorMessage: `rate limit of ${config.rateLimitPerMinute} requests per minute exceeded; retry later`,
      }),
    ],
    guards: [{ provide: APP_GUARD, useClass: RateLimitGuard }],
  };
}
