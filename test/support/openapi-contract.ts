import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const OPENAPI_FILE = join(__dirname, '..', '..', 'docs', 'openapi.json');

type Schema = Record<string, unknown>;

interface ResponseDoc {
  content?: Record<string, { schema?: Schema }>;
}

interface OperationDoc {
  responses: Record<string, ResponseDoc>;
}

export interface ObservedResponse {
  method: string;
  /** The route template as Fastify knows it (`/api/v1/segments/:slug`), undefined when no route matched. */
  route: string | undefined;
  status: number;
  contentType: string | undefined;
  /** The body as sent; undefined when it was a stream. */
  body: string | undefined;
}

/** Routes the service serves besides its API: Swagger UI's page and assets. */
const UNDOCUMENTED_ROUTES = /^\/docs(-json|-yaml)?(\/|$)/;

const OPENAPI_ONLY_KEYWORDS = ['example', 'examples', 'xml', 'externalDocs', 'discriminator'];

/**
 * OpenAPI 3.0 schema objects as JSON Schema: `nullable` becomes a null type, boolean
 * `exclusiveMinimum/Maximum` become numbers, and component schemas are closed (no undocumented fields).
 */
function toJsonSchema(value: unknown, closed = false): unknown {
  if (Array.isArray(value)) return value.map((item) => toJsonSchema(item));
  if (typeof value !== 'object' || value === null) return value;
  const schema: Schema = {};
  for (const [key, child] of Object.entries(value)) {
    if (OPENAPI_ONLY_KEYWORDS.includes(key) || key === 'nullable') continue;
    if (key === 'properties') {
      schema.properties = Object.fromEntries(Object.entries(child as Schema).map(([name, s]) => [name, toJsonSchema(s)]));
    } else if (key === '$ref') {
      schema.$ref = String(child).replace('#/components/schemas/', 'components#/definitions/');
    } else {
      schema[key] = toJsonSchema(child);
    }
  }
  for (const bound of ['Minimum', 'Maximum'] as const) {
    const exclusive = `exclusive${bound}`;
    const inclusive = bound.toLowerCase();
    if (schema[exclusive] === true) {
      schema[exclusive] = schema[inclusive];
      delete schema[inclusive];
    } else if (schema[exclusive] === false) {
      delete schema[exclusive];
    }
  }
  if (closed && schema.properties && schema.additionalProperties === undefined) schema.additionalProperties = false;
  if ((value as Schema).nullable === true) {
    if (typeof schema.type === 'string') schema.type = [schema.type, 'null'];
    if (Array.isArray(schema.enum)) schema.enum = [...schema.enum, null];
    if (schema.type === undefined) return { anyOf: [schema, { type: 'null' }] };
  }
  return schema;
}

const mediaType = (contentType: string | undefined) => contentType?.split(';')[0].trim().toLowerCase();
const isJson = (type: string | undefined) => type === 'application/json' || Boolean(type?.endsWith('+json'));

/** Checks responses against docs/openapi.json: status documented, media type, and JSON body by schema. */
export class OpenApiContract {
  private readonly ajv = new Ajv({ allErrors: true, strict: true });
  private readonly operations = new Map<string, OperationDoc>();
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(document: { paths: Record<string, Record<string, OperationDoc>>; components?: { schemas?: Schema } }) {
    addFormats(this.ajv);
    const schemas = document.components?.schemas ?? {};
    const definitions = Object.fromEntries(Object.entries(schemas).map(([name, s]) => [name, toJsonSchema(s, true)]));
    this.ajv.addSchema({ $id: 'components', definitions });
    for (const [path, item] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        if (operation && typeof operation === 'object' && 'responses' in operation) {
          this.operations.set(`${method.toUpperCase()} ${path}`, operation);
        }
      }
    }
  }

  static fromFile(file = OPENAPI_FILE): OpenApiContract {
    return new OpenApiContract(JSON.parse(readFileSync(file, 'utf8')));
  }

  /** What is wrong with the response, or an empty list. */
  problems(response: ObservedResponse): string[] {
    const path = response.route?.replace(/:(\w+)/g, '{$1}');
    const method = response.method === 'HEAD' ? 'GET' : response.method;
    const key = `${method} ${path}`;
    const operation = this.operations.get(key);
    if (path !== undefined && !operation && UNDOCUMENTED_ROUTES.test(path)) return [];
    if (!operation) {
      if (path !== undefined && response.status < 400) {
        return [`${key} is not in docs/openapi.json (run \`npm run openapi\`)`];
      }
      // No route matched, or an undocumented route failed: still the one error shape.
      return this.bodyProblems(`${response.method} ${path ?? '(no route)'}`, 'ErrorResponse', response, {
        'application/json': { schema: { $ref: '#/components/schemas/ErrorResponse' } },
      });
    }
    const status = String(response.status);
    const documented =
      operation.responses[status] ?? operation.responses[`${status[0]}XX`] ?? operation.responses.default;
    if (!documented) {
      const listed = Object.keys(operation.responses).join(', ');
      return [`${key} answered ${status}, which docs/openapi.json does not list (it lists ${listed}); body: ${response.body?.slice(0, 300)}`];
    }
    return this.bodyProblems(key, `${key} ${status}`, response, documented.content);
  }

  private bodyProblems(
    operation: string,
    validatorKey: string,
    response: ObservedResponse,
    content: ResponseDoc['content'],
  ): string[] {
    const where = `${operation} ${response.status}`;
    const type = mediaType(response.contentType);
    if (!content || Object.keys(content).length === 0) {
      return response.body ? [`${where}: documented without a body, but sent ${response.body.slice(0, 200)}`] : [];
    }
    const documentedType = Object.keys(content).find((candidate) => candidate === type);
    if (!documentedType) {
      return [`${where}: content type ${response.contentType} is not one of ${Object.keys(content).join(', ')}`];
    }
    if (response.method === 'HEAD' || response.body === undefined || !isJson(type)) return [];
    let body: unknown;
    try {
      body = JSON.parse(response.body);
    } catch {
      return [`${where}: body is not JSON: ${response.body.slice(0, 200)}`];
    }
    const validate = this.validator(`${validatorKey} ${documentedType}`, content[documentedType].schema ?? {});
    if (validate(body)) return [];
    const errors = (validate.errors ?? []).map((e) => `${e.instancePath || '(body)'} ${e.message} ${JSON.stringify(e.params)}`);
    return [`${where}: body does not match docs/openapi.json: ${errors.join('; ')}; body: ${response.body.slice(0, 500)}`];
  }

  private validator(key: string, schema: Schema): ValidateFunction {
    let validate = this.validators.get(key);
    if (!validate) {
      validate = this.ajv.compile(toJsonSchema(schema) as Schema);
      this.validators.set(key, validate);
    }
    return validate;
  }
}
