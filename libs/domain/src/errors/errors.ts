import { echoed } from '../echo';
import { DomainError } from './domain-error';

/** One field of a request and what is wrong with it; `body` (or `query`) stands for the request body (query) as a whole. */
export interface FieldError {
  field: string;
  messages: string[];
}

/**
 * A request that breaks a rule: `details.errors` names each field it concerns once, whatever found it (the
 * validators, a use case, the database). A rule between fields names each of them with the same message.
 */
export class InvalidInputError extends DomainError {
  readonly code = 'VALIDATION_FAILED';

  constructor(
    readonly errors: FieldError[],
    message = [...new Set(errors.flatMap((error) => error.messages))].join('; '),
  ) {
    super(message, { errors });
  }

  /** The one `message` about each of `fields` (one field, or the fields of a rule between them). */
  static of(fields: string | string[], message: string): InvalidInputError {
    return new InvalidInputError([fields].flat().map((field) => ({ field, messages: [message] })));
  }
}

export class SegmentNotFoundError extends DomainError {
  readonly code = 'SEGMENT_NOT_FOUND';

  constructor(readonly slugs: string[]) {
    super(`segments not found: ${slugs.join(', ')}`, { slugs });
  }
}

export class SegmentExistsError extends DomainError {
  readonly code = 'SEGMENT_EXISTS';

  constructor(slug: string) {
    super(`segment already exists: ${slug}`, { slug });
  }
}

export class ConflictingChangesError extends DomainError {
  readonly code = 'CONFLICTING_CHANGES';

  constructor(slugs: string[]) {
    super(`segments both added and removed: ${slugs.join(', ')}`, { slugs });
  }
}

export class InvalidPeriodError extends DomainError {
  readonly code = 'INVALID_PERIOD';
}

export class ReportNotFoundError extends DomainError {
  readonly code = 'REPORT_NOT_FOUND';

  constructor(fileName: string) {
    const name = echoed(fileName);
    super(`report not found: ${name}; run the report again`, { name });
  }
}

/** The file was there once: report storage deleted it (REPORT_RETENTION_HOURS, REPORT_MAX_FILES). */
export class ReportExpiredError extends DomainError {
  readonly code = 'REPORT_EXPIRED';

  constructor(fileName: string) {
    const name = echoed(fileName);
    super(`report expired: ${name} was deleted to keep report storage bounded; run the report again`, { name });
  }
}

/** A disk the service writes to (the embedded data directory, the report folder) has no space left. */
export class DiskFullError extends DomainError {
  readonly code = 'DISK_FULL';

  constructor(what: string) {
    super(`no space left on the disk of ${what}: free space there, then retry (nothing was changed)`);
  }
}

export class ReportStorageError extends DomainError {
  readonly code = 'REPORT_STORAGE_FAILED';
}

export class ReportsBusyError extends DomainError {
  readonly code = 'REPORTS_BUSY';

  constructor() {
    super('every report slot is busy and the queue is full; retry later');
  }
}
