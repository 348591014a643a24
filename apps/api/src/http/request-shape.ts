/** Deeper than any request of this API (a change set is 3 levels); the validators recurse, so cap it. */
export const MAX_NESTING = 16;

/**
 * Field names class-transformer drops without a word (the ones every object inherits, such as
 * `constructor` or `toString`, and `prototype`), so whitelisting never sees them as unknown.
 */
const isUnseenField = (key: string) => key in Object.prototype || key === 'prototype';

/**
 * What no request may carry, whatever its DTO says: nesting deep enough to overflow the validators'
 * recursion (a 500), a NUL character, which PostgreSQL text cannot store (a 500 at the database), or
 * a field the validators would silently drop instead of rejecting. Walks the value without
 * recursion; undefined when it is fine.
 */
export function requestShapeProblem(value: unknown): string | undefined {
  const pending: Array<[unknown, number]> = [[value, 0]];
  while (pending.length > 0) {
    const [item, depth] = pending.pop()!;
    if (typeof item === 'string') {
      if (item.includes('\u0000')) return 'text must not contain NUL characters (U+0000)';
    } else if (typeof item === 'object' && item !== null) {
      if (depth >= MAX_NESTING) return `the request nests deeper than ${MAX_NESTING} levels`;
      for (const [key, child] of Object.entries(item)) {
        if (key.includes('\u0000')) return 'field names must not contain NUL characters (U+0000)';
        if (isUnseenField(key)) return `property ${key} should not exist`;
        pending.push([child, depth + 1]);
      }
    }
  }
  return undefined;
}
