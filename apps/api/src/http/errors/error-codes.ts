import {
  ConflictingChangesError,
  DiskFullError,
  DomainError,
  DomainErrorCode,
  InvalidInputError,
  parsePeriod,
  ReportExpiredError,
  ReportNotFoundError,
  ReportsBusyError,
  SegmentExistsError,
  SegmentNotFoundError,
} from '@app/domain';

/** A domain error's own message and details, as the docs' example: it cannot drift from what is sent. */
function example(error: DomainError): { message: string; details?: Record<string, unknown> } {
  return { message: error.message, ...(error.details ? { details: error.details } : {}) };
}

function thrownBy(work: () => unknown): DomainError {
  try {
    work();
  } catch (error) {
    return error as DomainError;
  }
  throw new Error('expected an error');
}

/**
 * Every `code` an error answer can carry, with its HTTP status and an example for the docs. The error
 * filter takes domain codes' statuses from here and the OpenAPI document lists exactly these codes,
 * so a new code has to be added here before it can reach a client.
 */
export const ERROR_CODES = {
  VALIDATION_FAILED: {
    status: 400,
    ...example(InvalidInputError.of('slug', 'slug must hold 1-100 characters matching ^[A-Za-z0-9][A-Za-z0-9_.-]*$')),
  },
  MALFORMED_JSON: { status: 400, message: 'the request body is not valid JSON: Unexpected end of JSON input' },
  BAD_REQUEST: { status: 400, message: 'Request body size did not match Content-Length' },
  CONFLICTING_CHANGES: { status: 400, ...example(new ConflictingChangesError(['AVITO_VOICE_MESSAGES'])) },
  INVALID_PERIOD: { status: 400, ...example(thrownBy(() => parsePeriod('2023-13', new Date()))) },
  INVALID_CURSOR: { status: 400, message: 'cursor is not one of this list' },
  UNAUTHORIZED: { status: 401, message: 'a valid API key is required' },
  FORBIDDEN: { status: 403, message: 'Forbidden' },
  SEGMENT_NOT_FOUND: { status: 404, ...example(new SegmentNotFoundError(['AVITO_X'])) },
  REPORT_NOT_FOUND: { status: 404, ...example(new ReportNotFoundError('history-2023-08-all-ru.csv')) },
  ROUTE_NOT_FOUND: { status: 404, message: 'no such route' },
  METHOD_NOT_ALLOWED: { status: 405, message: 'Method Not Allowed' },
  NOT_ACCEPTABLE: { status: 406, message: 'this operation answers application/json, which the Accept header excludes' },
  REQUEST_TIMEOUT: { status: 408, message: 'the request did not arrive in time' },
  SEGMENT_EXISTS: { status: 409, ...example(new SegmentExistsError('AVITO_VOICE_MESSAGES')) },
  REPORT_EXPIRED: { status: 410, ...example(new ReportExpiredError('history-2023-08-all-ru.csv')) },
  PAYLOAD_TOO_LARGE: { status: 413, message: 'the request body is larger than 1 MiB' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'send the request body as application/json' },
  RATE_LIMITED: { status: 429, message: 'rate limit of 600 requests per minute exceeded; retry later' },
  HEADERS_TOO_LARGE: { status: 431, message: 'the request line and headers exceed 16 KiB' },
  INTERNAL_ERROR: { status: 500, message: 'internal error' },
  REPORT_STORAGE_FAILED: { status: 502, message: 'report storage failed; retry later' },
  DATABASE_UNAVAILABLE: { status: 503, message: 'the database is unavailable; retry later' },
  REPORTS_BUSY: { status: 503, ...example(new ReportsBusyError()) },
  DISK_FULL: { status: 503, ...example(new DiskFullError('the data directory')) },
  SERVICE_UNAVAILABLE: { status: 503, message: 'Service Unavailable' },
} satisfies Record<string, { status: number; message: string; details?: Record<string, unknown> }>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Every code a domain error carries is listed (checked by the compiler): none reaches a client unlisted. */
const _domainCodesListed = ERROR_CODES satisfies Record<DomainErrorCode, unknown>;

export const ALL_ERROR_CODES = Object.keys(ERROR_CODES) as ErrorCode[];
