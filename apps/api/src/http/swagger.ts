import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { ErrorResponse } from './error-response';
import { applyOpenApiConventions } from './openapi-conventions';

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Segmentation service')
    .setDescription(
      'Decides which users take part in which product experiment. Errors always have one shape ' +
        '(ErrorResponse) with a stable `code`; each operation lists the codes it can answer with. ' +
        'When API_KEYS is set, /api/v1/** needs a key (`Authorization: Bearer <key>` or `X-API-Key`). ' +
        'Every answer carries `X-Request-Id`, the one sent or a generated one.',
    )
    .setVersion('1.0.0')
    .addServer('/', 'This service')
    .addTag('segments', 'Segments and their members; a segment with auto_percent takes that share of users itself')
    .addTag('users', "Users' memberships: atomic change sets with TTLs, registration and history")
    .addTag('reports', 'Monthly CSV reports of membership history')
    .addTag('health', 'Liveness and readiness probes')
    .addTag('operations', 'Prometheus metrics')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'One of API_KEYS' }, 'bearer')
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'One of API_KEYS' }, 'api-key')
    .addSecurityRequirements('bearer')
    .addSecurityRequirements('api-key')
    .build();
  return applyOpenApiConventions(SwaggerModule.createDocument(app, config, { extraModels: [ErrorResponse] }));
}

/** Swagger UI at /docs, the OpenAPI document at /docs-json. */
export function setupSwagger(app: INestApplication): void {
  SwaggerModule.setup('docs', app, buildOpenApiDocument(app), { jsonDocumentUrl: 'docs-json' });
}
