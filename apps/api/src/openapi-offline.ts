import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { OpenAPIObject } from '@nestjs/swagger';
import { configured, loadConfig } from '@app/infrastructure';
import { ApiModule } from './api.module';
import { buildOpenApiDocument } from './http/openapi/swagger';

/**
 * The document the service serves at /docs-json (by default: without API_KEYS, as committed), built
 * without a database: in preview mode Nest reads the modules' metadata but instantiates no provider,
 * so nothing connects anywhere.
 */
export async function buildOpenApiDocumentOffline(env: Record<string, string> = {}): Promise<OpenAPIObject> {
  const config = loadConfig(env);
  const app = await NestFactory.create(configured(ApiModule, config), new FastifyAdapter(), {
    preview: true,
    logger: false,
    abortOnError: false,
  });
  try {
    return buildOpenApiDocument(app, config);
  } finally {
    await app.close();
  }
}

/** The committed form of docs/openapi.json. */
export function serializeOpenApi(document: OpenAPIObject): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}
