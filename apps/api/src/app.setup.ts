import { FastifyReply, FastifyRequest } from 'fastify';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { GetUserSegments } from '@app/application';
import { AppConfig } from '@app/infrastructure';
import { accessGate } from './http/security/access-gate';
import { markAnswerType, refuseUnacceptable } from './http/request/acceptable-media';
import { ApiKeyCheck } from './http/security/api-key-check';
import { RateLimit } from './http/security/rate-limit';
import { clientErrorHandler } from './http/errors/client-errors';
import { closeConnectionsOnShutdown } from './http/request/close-connections-on-shutdown';
import { keepConnectionsWhoseBodyWasRead } from './http/request/keep-read-connections';
import { refuseQueryParameters } from './http/request/query-parameters';
import { errorBodyOf } from './http/errors/error-mapping';
import { ErrorFilter } from './http/errors/error.filter';
import { JsonOnlyFastifyAdapter } from './http/request/json-only-adapter';
import { registerSecurityHeaders } from './http/security/security-headers';
import { setupSwagger } from './http/openapi/swagger';
import { createValidationPipe } from './http/request/validation.pipe';
import { AccessLog } from './logging/access-log';
import { echoRequestId, requestIdOf } from './logging/request-id';
import { ServiceLogger } from './logging/service-logger';
import { Metrics } from './metrics/metrics';
import { registerUserSegmentsRoute } from './users/user-segments.route';

export const BODY_LIMIT_BYTES = 1024 * 1024;

/** Longest path parameter routed (Node caps the request line at 16 KiB anyway); longer ones are a 400, not a 414. */
const MAX_PARAM_LENGTH = 16 * 1024;

/** Requests one kept-alive connection may carry before the server closes it. */
const MAX_REQUESTS_PER_CONNECTION = 10_000;

/** How often Node checks connections against the headers and request timeouts (its default is 30 s). */
const TIMEOUT_CHECK_INTERVAL_MS = 1_000;

type HttpLimits = Pick<
  AppConfig,
  'httpRequestTimeoutMs' | 'httpHeadersTimeoutMs' | 'httpKeepAliveTimeoutMs' | 'trustProxy'
>;

export function createHttpAdapter(limits: HttpLimits): FastifyAdapter {
  return new JsonOnlyFastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    // Slow clients: the whole request (headers and body) within requestTimeout, headers within
    // headersTimeout, else 408 (clientErrorHandler); idle kept-alive connections close after keepAliveTimeout.
    requestTimeout: limits.httpRequestTimeoutMs,
    keepAliveTimeout: limits.httpKeepAliveTimeoutMs,
    maxRequestsPerSocket: MAX_REQUESTS_PER_CONNECTION,
    // The client address (rate limit, logs) comes from X-Forwarded-For only when the peer is a proxy named in TRUST_PROXY.
    trustProxy: limits.trustProxy.length > 0 ? limits.trustProxy : false,
    // Node swaps the two when headersTimeout is the larger: headers are part of the request, so they get the less.
    http: {
      headersTimeout: Math.min(limits.httpHeadersTimeoutMs, limits.httpRequestTimeoutMs),
      connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS,
    },
    // While closing, a request that still arrives on an open connection is served (with
    // `Connection: close`) rather than answered with Fastify's own 503, which is not the contract's shape.
    return503OnClosing: false,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    clientErrorHandler,
    // A path Fastify cannot decode (bad percent-encoding) answers in the one error shape, with its request id.
    frameworkErrors: (_error: Error, request: FastifyRequest, reply: FastifyReply) => {
      echoRequestId(request, reply, () => undefined);
      void reply.status(400).send(errorBodyOf('BAD_REQUEST', 'the path is not a valid URL (bad percent-encoding)'));
    },
    genReqId: requestIdOf,
  });
}

/**
 * The per-request layers configureApp adds, each of which `bench/layers.js` leaves out in turn to
 * measure what it costs (docs/performance.md, "The hot read, layer by layer"). Only code can leave one out: no
 * setting of the service does.
 */
export const REQUEST_LAYERS = [
  'request-id',
  'accept',
  'security-headers',
  'access-gate',
  'query-check',
  'keep-connections',
  'shutdown-hooks',
  'metrics',
  'access-log',
] as const;
export type RequestLayer = (typeof REQUEST_LAYERS)[number];

/** Everything an app needs besides its module: logging, validation, the error filter, docs and request metrics. */
export function configureApp(
  app: NestFastifyApplication,
  without: ReadonlySet<RequestLayer> = new Set(),
): NestFastifyApplication {
  const use = (layer: RequestLayer) => !without.has(layer);
  app.useLogger(app.get(ServiceLogger));
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new ErrorFilter());
  const metrics = app.get(Metrics);
  const fastify = app.getHttpAdapter().getInstance();
  const config = app.get(AppConfig);
  fastify.server.maxConnections = config.httpMaxConnections;
  // The API speaks JSON only: a text body is 415, not a string handed to validation.
  fastify.removeContentTypeParser('text/plain');
  if (use('request-id')) fastify.addHook('onRequest', echoRequestId);
  if (use('accept')) {
    fastify.addHook('onRoute', markAnswerType);
    fastify.addHook('onRequest', refuseUnacceptable);
  }
  if (use('security-headers')) registerSecurityHeaders(app);
  // Rate limit and API keys are checked before the body is read: unknown routes and bad bodies need a key too.
  // Neither API keys nor a rate limit (the default): no gate to run at all.
  const rateLimit = app.get(RateLimit);
  if (use('access-gate') && (config.apiKeys.length > 0 || rateLimit.perMinute > 0))
    fastify.addHook('preParsing', accessGate(new ApiKeyCheck(config), rateLimit));
  // Then, still before the body: query parameters on a route that takes none are a 400.
  if (use('query-check')) fastify.addHook('preParsing', refuseQueryParameters);
  if (use('keep-connections')) fastify.addHook('onSend', keepConnectionsWhoseBodyWasRead);
  if (use('shutdown-hooks')) closeConnectionsOnShutdown(app);
  if (use('metrics')) {
    fastify.addHook('onResponse', (request, reply, done) => {
      metrics.httpDuration.observe(
        { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) },
        reply.elapsedTime / 1000,
      );
      done();
    });
  }
  const accessLog = app.get(AccessLog);
  if (use('access-log')) {
    fastify.addHook('onResponse', accessLog.onResponse);
    fastify.addHook('onRequestAbort', accessLog.onRequestAbort);
  }
  registerUserSegmentsRoute(fastify, app.get(GetUserSegments), config.readCacheUsers > 0);
  setupSwagger(app, config);
  return app;
}
