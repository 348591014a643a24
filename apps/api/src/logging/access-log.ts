import pino from 'pino';
import { REDACTED } from './secret-masking';

/** Probes and scrapes would drown the request log. */
const QUIET_PATHS = /^\/(health|metrics)(\/|\?|$)/;

const SECRET_HEADERS = ['authorization', 'proxy-authorization', 'x-api-key', 'cookie'];

type Headers = Record<string, unknown>;

interface AnsweredRequest {
  id: string;
  method: string;
  url: string;
  ip: string;
  headers: Headers;
}

/**
 * 5xx error, 4xx warn; a successful read (GET or HEAD) debug, any other success info. Reads are nearly
 * every request and their line cost about a seventh of a read's CPU (docs/performance.md, "The hot
 * read, layer by layer") for what the request metrics already say (count, status, latency per route); a
 * change is rarer and worth its line.
 */
const levelOf = (method: string, statusCode: number): pino.Level =>
  statusCode >= 500 ? 'error' : statusCode >= 400 ? 'warn' : method === 'GET' || method === 'HEAD' ? 'debug' : 'info';

function withoutSecrets(headers: Headers): Headers {
  if (!SECRET_HEADERS.some((name) => name in headers)) return headers;
  const copy = { ...headers };
  for (const name of SECRET_HEADERS) if (name in copy) copy[name] = REDACTED;
  return copy;
}

const requestFields = (request: AnsweredRequest) => ({
  id: request.id,
  method: request.method,
  url: request.url,
  remoteAddress: request.ip,
  headers: withoutSecrets(request.headers),
});

/**
 * One line per answered request, at the level levelOf gives it; and one at warn for a request its
 * client gave up on before the answer. Its logger is a lean one: secrets are taken out of
 * the headers here, so the general logger's redaction and message masking, which cost ~10 us per
 * request on the read path (docs/performance.md), are not needed.
 */
export class AccessLog {
  constructor(private readonly logger: pino.Logger) {}

  /** A Fastify `onResponse` hook. */
  readonly onResponse = (
    request: AnsweredRequest,
    reply: { statusCode: number; elapsedTime: number },
    done: () => void,
  ): void => {
    const level = levelOf(request.method, reply.statusCode);
    if (this.logs(level, request)) {
      this.logger[level](
        {
          reqId: request.id,
          req: requestFields(request),
          res: { statusCode: reply.statusCode },
          responseTime: Math.round(reply.elapsedTime * 100) / 100,
        },
        'request completed',
      );
    }
    done();
  };

  /** A Fastify `onRequestAbort` hook: the client closed the connection before its answer. */
  readonly onRequestAbort = (request: AnsweredRequest, done: () => void): void => {
    if (this.logs('warn', request)) {
      this.logger.warn({ reqId: request.id, req: requestFields(request) }, 'request aborted');
    }
    done();
  };

  private logs(level: pino.Level, request: AnsweredRequest): boolean {
    return this.logger.isLevelEnabled(level) && !QUIET_PATHS.test(request.url);
  }
}
