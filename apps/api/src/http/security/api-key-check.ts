import { createHash, timingSafeEqual } from 'node:crypto';
import { IncomingHttpHeaders } from 'node:http';
import { AppConfig } from '@app/infrastructure';

const digest = (key: string) => createHash('sha256').update(key).digest();

/** What the key check reads of a request. */
export interface KeyedRequest {
  url: string;
  headers: IncomingHttpHeaders;
}

/** The key a request carries in `X-API-Key` or `Authorization: Bearer`, if any. */
export function presentedApiKey(request: Pick<KeyedRequest, 'headers'>): string | undefined {
  const header = request.headers['x-api-key'];
  if (typeof header === 'string' && header) return header;
  const match = /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? '');
  return match?.[1];
}

/** Health, docs and metrics stay open: no key, no rate limit. */
export const OPEN_PATHS = /^\/(health|docs|docs-json|metrics)(\/|\?|$)/;

/**
 * With API_KEYS set, /api/** (indeed any path but health, docs and metrics) needs `Authorization: Bearer <key>`
 * or `X-API-Key: <key>`. `check` answers which configured key the request carries (its index), `none-needed`
 * when no key is configured, or `invalid`.
 */
export class ApiKeyCheck {
  private readonly keys: Buffer[];

  constructor(config: Pick<AppConfig, 'apiKeys'>) {
    this.keys = config.apiKeys.map(digest);
  }

  check(request: KeyedRequest): number | 'none-needed' | 'invalid' {
    if (this.keys.length === 0) return 'none-needed';
    const presented = presentedApiKey(request);
    if (presented === undefined) return 'invalid';
    // Compare digests in constant time, and against every key, so timing tells nothing.
    const presentedDigest = digest(presented);
    const matches = this.keys.map((key) => timingSafeEqual(key, presentedDigest));
    const index = matches.indexOf(true);
    return index < 0 ? 'invalid' : index;
  }
}
