import type { components, operations } from './openapi';

/** Every `code` the service answers with (docs/api.md, "Errors"). */
export type ServiceErrorCode = components['schemas']['ErrorResponse']['code'];

/** Failures the client meets without an answer in the error shape. */
export type TransportErrorCode =
  /** No answer within the call's timeout. */
  | 'TIMEOUT'
  /** The connection failed (refused, reset, DNS). */
  | 'NETWORK_ERROR'
  /** An answer that is not the service's error shape (a proxy's page, say). */
  | 'UNEXPECTED_RESPONSE';

export type ErrorCode = ServiceErrorCode | TransportErrorCode;

type ErrorStatuses<Op> = Op extends { responses: infer R } ? Exclude<keyof R, 200 | 201 | 204 | 304> : never;
type CodeOfBody<B> = B extends { code?: infer C } ? Exclude<C, undefined> : never;

/** The codes one operation can answer with, from docs/openapi.json, and the transport's own. */
export type ErrorCodeOf<Op extends keyof operations> =
  | {
      [S in ErrorStatuses<operations[Op]>]: operations[Op]['responses'][S] extends {
        content: { 'application/json': infer Body };
      }
        ? CodeOfBody<Body>
        : never;
    }[ErrorStatuses<operations[Op]>]
  | TransportErrorCode;

/** Rejections of every call: `code` is stable, `status` is the HTTP status (none for a transport failure). */
export class SegmentsError<Code extends ErrorCode = ErrorCode> extends Error {
  override readonly name = 'SegmentsError';

  constructor(
    readonly code: Code,
    message: string,
    readonly status?: number,
    /** `details` of the error shape: `slugs` for SEGMENT_NOT_FOUND, `errors` for VALIDATION_FAILED, ... */
    readonly details?: Record<string, unknown>,
    /** Seconds the service asked to wait (`Retry-After` of a 429 or 503). */
    readonly retryAfterSeconds?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Narrows a caught value to a SegmentsError with one of `codes` (any code when none is given). */
export function isSegmentsError<Code extends ErrorCode>(
  error: unknown,
  ...codes: Code[]
): error is SegmentsError<Code> {
  return error instanceof SegmentsError && (codes.length === 0 || codes.includes(error.code as Code));
}
