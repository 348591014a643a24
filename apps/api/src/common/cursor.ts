import { createHash } from 'node:crypto';
import { DomainError } from '@app/domain';

export class InvalidCursorError extends DomainError {
  readonly code = 'INVALID_CURSOR';

  constructor() {
    super('cursor is not one of this list');
  }
}

/**
 * The list a cursor belongs to: its endpoint's name, then what selects the list's rows (path parameters
 * and filters, not the page size), e.g. `['history', userId, from, to]`.
 */
export type CursorList = readonly [endpoint: string, ...selection: Array<string | number | null>];

type CursorKey = string | number;

/** 66 bits of SHA-256 over the list and the key: another list's cursor, or an altered one, does not match. */
function checkOf(list: CursorList, key: CursorKey): string {
  return createHash('sha256')
    .update(JSON.stringify([...list, key]))
    .digest('base64url')
    .slice(0, 11);
}

/**
 * Opaque page cursors: base64url of the last key returned and a check binding it to its list, so a
 * cursor is valid only for the list that issued it (same endpoint, same user or slug, same filters).
 */
export function encodeCursor(list: CursorList, key: CursorKey): string {
  return Buffer.from(JSON.stringify([key, checkOf(list, key)])).toString('base64url');
}

/** Keys go to SQL as parameters: a fraction, a huge number or a NUL there would be a database error. */
function isSqlSafeKey(key: CursorKey): boolean {
  return typeof key === 'number' ? Number.isSafeInteger(key) && key >= 0 : !key.includes('\u0000');
}

/**
 * The key of a cursor `list` issued, or INVALID_CURSOR. The cursor must be exactly what encodeCursor
 * wrote for this list (base64url decoding skips stray characters, so the text itself is compared).
 */
export function decodeCursor<T extends CursorKey>(
  list: CursorList,
  cursor: string | undefined,
  type: 'string' | 'number',
): T | undefined {
  if (cursor === undefined) return undefined;
  try {
    const decoded: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    const key = Array.isArray(decoded) && decoded.length === 2 ? (decoded[0] as unknown) : undefined;
    if (typeof key === type && isSqlSafeKey(key as T) && encodeCursor(list, key as T) === cursor) return key as T;
  } catch {
    // fall through to the error below
  }
  throw new InvalidCursorError();
}
