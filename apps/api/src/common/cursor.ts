import { DomainError } from '@app/domain';

export class InvalidCursorError extends DomainError {
  readonly code = 'INVALID_CURSOR';

  constructor() {
    super('cursor is not one of this list');
  }
}

/** Opaque page cursors: base64url of the last key returned, tagged with what the key is. */
export function encodeCursor(kind: string, key: string | number): string {
  return Buffer.from(JSON.stringify([kind, key])).toString('base64url');
}

/** Keys go to SQL as parameters: a fraction, a huge number or a NUL there would be a database error. */
function isSqlSafeKey(key: string | number): boolean {
  return typeof key === 'number' ? Number.isSafeInteger(key) && key >= 0 : !key.includes('\u0000');
}

export function decodeCursor<T extends string | number>(
  kind: string,
  cursor: string | undefined,
  type: 'string' | 'number',
): T | undefined {
  if (cursor === undefined) return undefined;
  try {
    const [tag, key] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [unknown, unknown];
    if (tag === kind && typeof key === type && isSqlSafeKey(key as T)) return key as T;
  } catch {
    // fall through to the error below
  }
  throw new InvalidCursorError();
}
