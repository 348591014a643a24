import helmet, { FastifyHelmetOptions } from '@fastify/helmet';
import { NestFastifyApplication } from '@nestjs/platform-fastify';

/**
 * Helmet's defaults (CSP, nosniff, frame denial, HSTS, ...) with a CSP that Swagger UI at /docs
 * lives with: its scripts and stylesheet come from this origin, its page has one inline <style>, its
 * icons are data: URLs. `upgrade-insecure-requests` is off: the service speaks plain HTTP on its port,
 * and that directive would send the docs page's own assets to https.
 */
export const SECURITY_HEADERS: FastifyHelmetOptions = {
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

/** Adds the headers to every answer, errors included (the plugin loads when the app starts). */
export function registerSecurityHeaders(app: NestFastifyApplication): void {
  // Nest ships its own copy of fastify, whose plugin type differs from the root one's in name only.
  type Plugin = Parameters<NestFastifyApplication['register']>[0];
  void app.register(helmet as unknown as Plugin, SECURITY_HEADERS);
}
