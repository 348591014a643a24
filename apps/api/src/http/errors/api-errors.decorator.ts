import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiResponse, getSchemaPath, ResponseObject } from '@nestjs/swagger';
import { ALL_ERROR_CODES, ERROR_CODES, ErrorCode } from './error-codes';
import { errorBody } from './error-mapping';
import { ErrorResponse } from './error-response';

/** Answers any /api/v1 operation can give, whatever it does (VALIDATION_FAILED: unknown query parameters). */
const API_ERRORS: ErrorCode[] = [
  'VALIDATION_FAILED',
  'UNAUTHORIZED',
  'NOT_ACCEPTABLE',
  'REQUEST_TIMEOUT',
  'RATE_LIMITED',
  'HEADERS_TOO_LARGE',
  'INTERNAL_ERROR',
  'DATABASE_UNAVAILABLE',
  'DISK_FULL',
];

/** Answers of reading a JSON request body. */
export const BODY_ERRORS: ErrorCode[] = [
  'MALFORMED_JSON',
  'BAD_REQUEST',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
];

const RETRY_AFTER = {
  'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'integer', example: 1 } },
};

/** A bare status stands for every code with that status (less precise: prefer codes). */
function expand(errors: Array<ErrorCode | number>): ErrorCode[] {
  return errors.flatMap((error) =>
    typeof error === 'number' ? ALL_ERROR_CODES.filter((code) => ERROR_CODES[code].status === error) : [error],
  );
}

/**
 * Exactly these error answers as OpenAPI responses: per status, the one error shape narrowed to its
 * codes, with an example of each code.
 */
export function errorResponsesOf(codes: ErrorCode[]): Record<number, ResponseObject> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of new Set(codes)) {
    const { status } = ERROR_CODES[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const responses: Record<number, ResponseObject> = {};
  for (const [status, statusCodes] of byStatus) {
    responses[status] = {
      description: `${errorBody(status, statusCodes[0], '').error}: ${statusCodes.join(', ')}`,
      ...(status === 429 || status === 503 ? { headers: RETRY_AFTER } : {}),
      content: {
        'application/json': {
          schema: {
            allOf: [
              { $ref: getSchemaPath(ErrorResponse) },
              { type: 'object', properties: { statusCode: { enum: [status] }, code: { enum: statusCodes } } },
            ],
          },
          examples: Object.fromEntries(
            statusCodes.map((code) => {
              const { message, details } = ERROR_CODES[code] as { message: string; details?: Record<string, unknown> };
              return [code, { summary: code, value: errorBody(status, code, message, details) }];
            }),
          ),
        },
      },
    };
  }
  return responses;
}

/** Documents exactly these error answers (errorResponsesOf). */
export function ApiErrorResponses(codes: ErrorCode[]) {
  const responses = Object.entries(errorResponsesOf(codes)).map(([status, response]) =>
    ApiResponse({ status: Number(status), ...response }),
  );
  return applyDecorators(ApiExtraModels(ErrorResponse), ...responses);
}

/** The error codes of an /api/v1 operation: the codes given (or every code of a status given as a number), plus API_ERRORS. */
export function apiErrorCodes(...errors: Array<ErrorCode | number>): ErrorCode[] {
  return [...expand(errors), ...API_ERRORS];
}

/**
 * Documents the error answers of an /api/v1 operation: the codes given (or every code of a status
 * given as a number), plus VALIDATION_FAILED, UNAUTHORIZED, RATE_LIMITED, INTERNAL_ERROR, DATABASE_UNAVAILABLE and DISK_FULL.
 */
export function ApiErrors(...errors: Array<ErrorCode | number>) {
  return ApiErrorResponses(apiErrorCodes(...errors));
}
