import { ApiKeyCheck, KeyedRequest, OPEN_PATHS } from './api-key-check';
import { errorBodyOf } from '../errors/error-mapping';
import { RateLimit } from './rate-limit';

interface GateReply {
  header(name: string, value: string): GateReply;
  status(code: number): { send(body: unknown): unknown };
}

/**
 * Who may call, decided before the body is read (the Fastify `preParsing` hook, after the security
 * headers are set): the rate limit first, counted per valid key or else per client address, then the
 * API key check. So unknown routes, malformed and oversize bodies need a key too, and a flood of
 * failing keys turns from 401s into 429s.
 */
export function accessGate(keys: ApiKeyCheck, rateLimit: RateLimit) {
  return (request: KeyedRequest & { ip: string }, reply: GateReply, _payload: unknown, done: () => void): void => {
    if (OPEN_PATHS.test(request.url)) return done();
    const key = keys.check(request);
    const decide = (wait: number) => {
      if (wait > 0) {
        const message = `rate limit of ${rateLimit.perMinute} requests per minute exceeded; retry later`;
        void reply.header('Retry-After', String(wait)).status(429).send(errorBodyOf('RATE_LIMITED', message));
        return;
      }
      if (key === 'invalid') {
        void reply.status(401).send(errorBodyOf('UNAUTHORIZED', 'a valid API key is required'));
        return;
      }
      done();
    };
    const wait = rateLimit.hit(typeof key === 'number' ? { keyIndex: key } : { address: request.ip });
    if (typeof wait === 'number') decide(wait);
    else void wait.then(decide);
  };
}
