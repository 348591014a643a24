import { NestFastifyApplication } from '@nestjs/platform-fastify';
import helmet from 'helmet';
import { IncomingMessage, ServerResponse } from 'node:http';

type HelmetOptions = NonNullable<Parameters<typeof helmet>[0]>;

/**
 * Helmet's defaults (CSP, nosniff, frame denial, HSTS, ...) with a CSP that Swagger UI at /docs
 * lives with: its scripts and stylesheet come from this origin, its page has one inline <style>, its
 * icons are data: URLs. `upgrade-insecure-requests` is off: the service speaks plain HTTP on its port,
 * and that directive would send the docs page's own assets to https.
 */
export const SECURITY_HEADERS: HelmetOptions = {
  contentSecurityPolicy: {
    useDefaults: true,
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      upgradeInsecureRequests: null,
    },
  },
};

/**
 * The headers Helmet sets with these options, computed once: they depend on nothing in the request
 * (no CSP nonces), and running Helmet per request (what @fastify/helmet does) cost about a quarter
 * of the CPU of a GET of a user's segments (docs/performance.md).
 */
export function securityHeaders(options: HelmetOptions = SECURITY_HEADERS): Record<string, string> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader: (name: string, value: unknown) => (headers[name.toLowerCase()] = String(value)),
    removeHeader: (name: string) => delete headers[name.toLowerCase()],
  };
  helmet(options)({} as IncomingMessage, response as unknown as ServerResponse, (error?: unknown) => {
    if (error) throw error;
  });
  return headers;
}

/** Adds the headers to every answer, errors and unknown routes included. */
export function registerSecurityHeaders(app: NestFastifyApplication): void {
  const headers = securityHeaders();
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', (_request, reply, done) => {
      void reply.headers(headers);
      done();
    });
}
