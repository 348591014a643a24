import { createHash, timingSafeEqual } from 'node:crypto';
import { IncomingHttpHeaders } from 'node:http';
import { AppConfig } from '@app/infrastructure';
import { errorBody } from './error-mapping';

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

/** Health, docs and metrics stay open; every other path (the API, unknown routes) needs a key. */
const OPEN_PATHS = /^\/(health|docs|docs-json|metrics)(\/|\?|$)/;

const unauthorized = () => errorBody(401, 'UNAUTHORIZED', 'a valid API key is required');

/**
 * With API_KEYS set, /api/** (indeed any path but health, docs and metrics) needs `Authorization: Bearer <key>` or `X-API-Key: <key>`.
 * `preParsing` is the Fastify hook configureApp installs: it runs after the security headers are set and
 * before the body is read, so unknown routes, malformed and oversize bodies are 401 too.
 */
export class ApiKeyCheck {
  private readonly keys: Buffer[];

  constructor(config: AppConfig) {
    this.keys = config.apiKeys.map(digest);
  }

  readonly preParsing = (
    request: KeyedRequest,
    reply: { status(code: number): { send(body: unknown): unknown } },
    _payload: unknown,
    done: () => void,
  ): void => {
    if (this.allows(request)) return done();
    void reply.status(401).send(unauthorized());
  };

  private allows(request: KeyedRequest): boolean {
    if (this.keys.length === 0) return true;
    if (OPEN_PATHS.test(request.url)) return true;
    const presented = presentedApiKey(request);
    if (presented === undefined) return false;
    // Compare digests in constant time, and against every key, so timing tells nothing.
    const presentedDigest = digest(presented);
    return this.keys.map((key) => timingSafeEqual(key, presentedDigest)).includes(true);
  }
}
