import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { AppConfig } from '@app/infrastructure';
import { ErrorResponse } from '../errors/error-response';
import { applyOpenApiConventions } from './openapi-conventions';
import { applySchemaRules } from './openapi-schema-rules';
import { USER_SEGMENTS_URL, userSegmentsOperation } from '../../users/user-segments.route';

const TITLE = 'Segmentation service';

/** Routes Fastify serves outside Nest's router, each documented by its own definition. */
const OWN_ROUTES = [{ url: USER_SEGMENTS_URL, method: 'get', operation: userSegmentsOperation }] as const;

function addOwnRoutes(document: OpenAPIObject): OpenAPIObject {
  for (const { url, method, operation } of OWN_ROUTES) {
    const path = url.replace(/:(\w+)/g, '{$1}');
    document.paths[path] = { ...document.paths[path], [method]: operation() };
  }
  return document;
}

/** The document for this configuration: with API_KEYS set, /api/v1/** requires a key; without, a key is optional. */
export function buildOpenApiDocument(app: INestApplication, config: Pick<AppConfig, 'apiKeys'>): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setTitle(TITLE)
    .setDescription(
      'Decides which users take part in which product experiment. Errors always have one shape ' +
        '(ErrorResponse) with a stable `code`; each operation lists the codes it can answer with. ' +
        'When API_KEYS is set, /api/v1/** needs a key (`Authorization: Bearer <key>` or `X-API-Key`), and this ' +
        'document served at /docs-json says so; without API_KEYS (the default, and docs/openapi.json) no key is needed. ' +
        'Every answer carries `X-Request-Id`, the one sent or a generated one.',
    )
    .setVersion('1.0.0')
    .addServer('/', 'This service')
    .addTag('segments', 'Segments and their members; a segment with auto_percent takes that share of users itself')
    .addTag('users', "Users' memberships: atomic change sets with TTLs, registration and history")
    .addTag('reports', 'Monthly CSV reports of membership history')
    .addTag('health', 'Liveness and readiness probes')
    .addTag('operations', 'Prometheus metrics')
    // Keys are plain strings, not JWTs: no bearerFormat.
    .addSecurity('bearer', { type: 'http', scheme: 'bearer', description: 'One of API_KEYS' })
    .addSecurity('api-key', { type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'One of API_KEYS' })
    .build();
  const document = SwaggerModule.createDocument(app, builder, { extraModels: [ErrorResponse] });
  return applySchemaRules(applyOpenApiConventions(addOwnRoutes(document), { keysRequired: config.apiKeys.length > 0 }));
}

/** Swagger UI at /docs (its page titled after the service), the OpenAPI document at /docs-json. */
export function setupSwagger(app: INestApplication, config: Pick<AppConfig, 'apiKeys'>): void {
  SwaggerModule.setup('docs', app, buildOpenApiDocument(app, config), {
    jsonDocumentUrl: 'docs-json',
    customSiteTitle: `${TITLE} API`,
  });
}
