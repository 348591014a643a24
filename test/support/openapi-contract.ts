import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const OPENAPI_FILE = join(__dirname, '..', '..', 'docs', 'openapi.json');

type Schema = Record<string, unknown>;

interface ResponseDoc {
  content?: Record<string, { schema?: Schema }>;
}

interface ParameterDoc {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: Schema;
}

type SecurityRequirement = Record<string, string[]>;

interface OperationDoc {
  parameters?: Array<ParameterDoc | { $ref: string }>;
  requestBody?: { required?: boolean; content: Record<string, { schema?: Schema }> };
  security?: SecurityRequirement[];
  responses: Record<string, ResponseDoc>;
}

interface SecuritySchemeDoc {
  type: string;
  scheme?: string;
  in?: string;
  name?: string;
}

interface OpenApiDocument {
  paths: Record<string, Record<string, OperationDoc>>;
  security?: SecurityRequirement[];
  components?: {
    schemas?: Schema;
    parameters?: Record<string, ParameterDoc>;
    securitySchemes?: Record<string, SecuritySchemeDoc>;
  };
}

/** A request as the server received it, after routing and body parsing. */
export interface ObservedRequest {
  method: string;
  /** The route template as Fastify knows it, undefined when no route matched. */
  route: string | undefined;
  params: Record<string, string>;
  query: Record<string, string | string[]>;
  headers: Record<string, string | string[] | undefined>;
  /** The parsed body; undefined when the request had none. */
  body: unknown;
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
      schema.properties = Object.fromEntries(
        Object.entries(child as Schema).map(([name, s]) => [name, toJsonSchema(s)]),
      );
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

/** A path, query or header value is text: read it as the type its schema declares, as a validating proxy does. */
function parameterValue(text: string, schema: Schema | undefined): unknown {
  if ((schema?.type === 'integer' || schema?.type === 'number') && /^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  if (schema?.type === 'boolean' && (text === 'true' || text === 'false')) return text === 'true';
  return text;
}

/**
 * Checks traffic against docs/openapi.json, as a validating proxy would: a response's status, media
 * type and JSON body; a request's parameters, API key and body.
 */
export class OpenApiContract {
  // multipleOfPrecision: 0.29 is a multiple of 0.01 although 0.29 / 0.01 is 28.999999999999996.
  private readonly ajv = new Ajv({ allErrors: true, strict: true, multipleOfPrecision: 9 });
  private readonly operations = new Map<string, OperationDoc>();
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(private readonly document: OpenApiDocument) {
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

  private operation(
    method: string,
    route: string | undefined,
  ): { key: string; path: string | undefined; operation?: OperationDoc } {
    const path = route?.replace(/:(\w+)/g, '{$1}');
    const key = `${method === 'HEAD' ? 'GET' : method} ${path}`;
    return { key, path, operation: this.operations.get(key) };
  }

  /**
   * What a validating proxy would reject in the request, or an empty list. Requests to routes the
   * document does not describe (the docs page) are not checked here; responses say whether they may exist.
   */
  requestProblems(request: ObservedRequest): string[] {
    const { key, operation } = this.operation(request.method, request.route);
    if (!operation) return [];
    const problems = [
      ...this.parameterProblems(key, operation, request),
      ...this.securityProblems(key, operation, request),
      ...this.requestBodyProblems(key, operation, request),
    ];
    return problems.map((problem) => `request ${problem}`);
  }

  private parameterProblems(key: string, operation: OperationDoc, request: ObservedRequest): string[] {
    const parameters = (operation.parameters ?? []).map((p) =>
      '$ref' in p ? this.document.components!.parameters![p.$ref.replace('#/components/parameters/', '')] : p,
    );
    return parameters.flatMap((parameter) => {
      const raw =
        parameter.in === 'path'
          ? request.params[parameter.name]
          : parameter.in === 'query'
            ? request.query[parameter.name]
            : parameter.in === 'header'
              ? request.headers[parameter.name.toLowerCase()]
              : undefined;
      const where = `${key}: ${parameter.in} parameter ${parameter.name}`;
      if (raw === undefined) return parameter.required ? [`${where} is required but missing`] : [];
      if (Array.isArray(raw)) return [`${where} is given ${raw.length} times`];
      const validate = this.validator(`${where}`, parameter.schema ?? {});
      if (validate(parameterValue(raw, parameter.schema))) return [];
      return [`${where} = ${JSON.stringify(raw)} does not match its schema: ${this.ajv.errorsText(validate.errors)}`];
    });
  }

  private securityProblems(key: string, operation: OperationDoc, request: ObservedRequest): string[] {
    const requirements = operation.security ?? this.document.security ?? [];
    if (requirements.length === 0) return [];
    const schemes = this.document.components?.securitySchemes ?? {};
    const presents = (name: string) => {
      const scheme = schemes[name];
      if (scheme?.type === 'http' && scheme.scheme === 'bearer')
        return /^Bearer\s+\S/i.test(String(request.headers.authorization ?? ''));
      if (scheme?.type === 'apiKey' && scheme.in === 'header')
        return request.headers[scheme.name!.toLowerCase()] !== undefined;
      return false;
    };
    if (requirements.some((requirement) => Object.keys(requirement).every(presents))) return [];
    return [`${key}: carries none of the credentials the document requires (${JSON.stringify(requirements)})`];
  }

  private requestBodyProblems(key: string, operation: OperationDoc, request: ObservedRequest): string[] {
    const documented = operation.requestBody;
    if (request.body === undefined) return documented?.required ? [`${key}: its body is required but missing`] : [];
    if (!documented) return [`${key}: sent a body where none is documented`];
    const type = mediaType(String(request.headers['content-type'] ?? ''));
    const content = documented.content[type ?? ''];
    if (!content) return [`${key}: body type ${type} is not one of ${Object.keys(documented.content).join(', ')}`];
    const validate = this.validator(`${key} request ${type}`, content.schema ?? {});
    if (validate(request.body)) return [];
    return [
      `${key}: body ${JSON.stringify(request.body).slice(0, 300)} does not match: ${this.ajv.errorsText(validate.errors)}`,
    ];
  }

  /** What is wrong with the response, or an empty list. */
  problems(response: ObservedResponse): string[] {
    const { key, path, operation } = this.operation(response.method, response.route);
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
      return [
        `${key} answered ${status}, which docs/openapi.json does not list (it lists ${listed}); body: ${response.body?.slice(0, 300)}`,
      ];
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
    const errors = (validate.errors ?? []).map(
      (e) => `${e.instancePath || '(body)'} ${e.message} ${JSON.stringify(e.params)}`,
    );
    return [
      `${where}: body does not match docs/openapi.json: ${errors.join('; ')}; body: ${response.body.slice(0, 500)}`,
    ];
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
