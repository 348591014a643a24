import { OpenAPIObject, SecurityRequirementObject } from '@nestjs/swagger';
import { REQUEST_ID_HEADER } from '../../logging/request-id';
import { exampleAsHint } from './optional-parameter-hints';

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

const KEY_SCHEMES: SecurityRequirementObject[] = [{ bearer: [] }, { 'api-key': [] }];

/**
 * What holds for every operation and is not said by a decorator: the request id header in and out,
 * optional parameters without a prefilled example, an API key on /api/** when keys are configured, and
 * no key for health, docs and metrics (the API-key check's open paths).
 * Without keys the document names no key at all (no security scheme, `security: []`): a key the service
 * ignores would only put a lock icon on every operation and an Authorize button on the docs page.
 */
export function applyOpenApiConventions(document: OpenAPIObject, options: { keysRequired: boolean }): OpenAPIObject {
  const { securitySchemes, ...components } = document.components ?? {};
  document.security = options.keysRequired ? KEY_SCHEMES : [];
  document.components = {
    ...components,
    ...(options.keysRequired && { securitySchemes }),
    parameters: {
      ...components.parameters,
      RequestId: {
        name: REQUEST_ID_HEADER,
        in: 'header',
        required: false,
        description:
          'Correlates logs. Kept when it is 1-128 characters of letters, digits and "._:-"; any other value, ' +
          'or none, is replaced by a generated one (never refused).',
        // No pattern: a malformed id is replaced, not refused. No example: Swagger UI would prefill it,
        // and every try would share one id.
        schema: { type: 'string' },
      },
    },
    headers: {
      ...components.headers,
      RequestId: {
        description: 'The request id: the one the client sent, or a generated UUID',
        schema: { type: 'string', example: 'f3b7c2de-6a9b-4c41-9d2e-1c5a7b8e9f01' },
      },
    },
  };
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of HTTP_METHODS) {
      const operation = item[method];
      if (!operation) continue;
      operation.parameters = [
        ...(operation.parameters ?? []).map(exampleAsHint),
        { $ref: '#/components/parameters/RequestId' },
      ];
      for (const response of Object.values(operation.responses)) {
        if (!response || '$ref' in response) continue;
        response.headers = { [REQUEST_ID_HEADER]: { $ref: '#/components/headers/RequestId' }, ...response.headers };
      }
      if (!path.startsWith('/api/')) operation.security = [];
    }
  }
  return document;
}
