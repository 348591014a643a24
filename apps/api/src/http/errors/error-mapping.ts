import { HttpException } from '@nestjs/common';
import { DiskFullError, DomainError } from '@app/domain';
import { isDatabaseUnavailable, isDiskFull } from '@app/infrastructure';
import { ERROR_CODES, ErrorCode } from './error-codes';
import { ErrorResponse } from './error-response';

const CODE_BY_STATUS: Record<number, ErrorCode> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'ROUTE_NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  406: 'NOT_ACCEPTABLE',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
  503: 'SERVICE_UNAVAILABLE',
};

const REASON_BY_STATUS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  408: 'Request Timeout',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

/** The error answer for `code` with the status the catalogue gives it. */
export function errorBodyOf(code: ErrorCode, message: string, details?: Record<string, unknown>): ErrorResponse {
  return errorBody(ERROR_CODES[code].status, code, message, details);
}

/** The error answer with a status of the caller's (one an HttpException carries); prefer errorBodyOf. */
export function errorBody(
  statusCode: number,
  code: ErrorCode,
  message: string,
  details?: Record<string, unknown>,
): ErrorResponse {
  return {
    statusCode,
    error: REASON_BY_STATUS[statusCode] ?? 'Error',
    code,
    message,
    ...(details ? { details } : {}),
  };
}

function fromHttpException(exception: HttpException): ErrorResponse {
  const status = exception.getStatus();
  const response = exception.getResponse();
  if (typeof response === 'object' && response && 'code' in response) return response as ErrorResponse;
  if (status === 400 && /json/i.test(exception.message)) {
    // Fastify's body parser failed; Nest hands its error over as a bare HttpException.
    return errorBodyOf('MALFORMED_JSON', `the request body is not valid JSON: ${exception.message}`);
  }
  if (status === 413) return errorBodyOf('PAYLOAD_TOO_LARGE', 'the request body is larger than 1 MiB');
  if (status === 415) return errorBodyOf('UNSUPPORTED_MEDIA_TYPE', 'send the request body as application/json');
  const message = status === 404 ? 'no such route' : exception.message;
  if (status >= 500) return errorBody(status, 'INTERNAL_ERROR', 'internal error');
  return errorBody(status, CODE_BY_STATUS[status] ?? 'BAD_REQUEST', message);
}

/** Maps anything thrown to the contract's error shape; 5xx bodies never carry internals. */
export function toErrorResponse(exception: unknown): ErrorResponse {
  if (exception instanceof DomainError) {
    return errorBodyOf(exception.code, exception.message, exception.details);
  }
  if (exception instanceof HttpException) return fromHttpException(exception);
  if (isDiskFull(exception)) return errorBodyOf('DISK_FULL', new DiskFullError('the data directory').message);
  if (isDatabaseUnavailable(exception)) {
    return errorBodyOf('DATABASE_UNAVAILABLE', 'the database is unavailable; retry later');
  }
  return errorBodyOf('INTERNAL_ERROR', 'internal error');
}
