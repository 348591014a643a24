/**
 * Every code a DomainError can carry. The API's catalogue (apps/api/src/http/error-codes.ts) must list each
 * with its status: the compiler checks it there.
 */
export type DomainErrorCode =
  | 'VALIDATION_FAILED'
  | 'SEGMENT_NOT_FOUND'
  | 'SEGMENT_EXISTS'
  | 'CONFLICTING_CHANGES'
  | 'INVALID_PERIOD'
  | 'INVALID_CURSOR'
  | 'REPORT_NOT_FOUND'
  | 'REPORT_EXPIRED'
  | 'REPORT_STORAGE_FAILED'
  | 'REPORTS_BUSY'
  | 'DISK_FULL';

/** A broken business rule. `code` is the stable constant clients see; the HTTP layer maps it to a status. */
export abstract class DomainError extends Error {
  abstract readonly code: DomainErrorCode;

  constructor(
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}
