import { fieldPath, RequestPart, unknownFieldMessage } from './field-errors';

/** Deeper than any request of this API (a change set is 3 levels); the validators recurse, so cap it. */
export const MAX_NESTING = 16;

/**
 * More fields than any request object of this API has (a change set has 4), so such an object has unknown
 * fields anyway. Checked before class-transformer, whose cost grows with the square of an object's fields.
 */
export const MAX_FIELDS = 32;

/** More items than any array of this API holds (a registration has at most 10,000 ids). */
export const MAX_ITEMS = 10_000;

/**
 * Field names class-transformer drops without a word (the ones every object inherits, such as
 * `constructor` or `toString`, and `prototype`), so whitelisting never sees them as unknown.
 */
const isUnseenField = (key: string) => key in Object.prototype || key === 'prototype';

/** A surrogate code unit without its pair: not valid UTF-16, and PostgreSQL would store it as U+FFFD. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

function textProblem(text: string, what: string): string | undefined {
  if (text.includes('\u0000')) return `${what} must not contain NUL characters (U+0000)`;
  if (LONE_SURROGATE.test(text)) return `${what} must be valid Unicode (no lone surrogates such as \\ud800)`;
  return undefined;
}

/** What is wrong with a request, and the field it is about (the part's own name for the part as a whole). */
export interface ShapeProblem {
  field: string;
  message: string;
}

/**
 * What no request may carry, whatever its DTO says: nesting deep enough to overflow the validators'
 * recursion (a 500), objects wide enough to make transforming them slow, a NUL character, which
 * PostgreSQL text cannot store (a 500 at the database), a lone surrogate, which PostgreSQL would store
 * altered, or a field the validators would silently drop instead of rejecting. Walks the value once,
 * without recursion; undefined when it is fine.
 */
export function requestShapeProblem(value: unknown, part: RequestPart): ShapeProblem | undefined {
  // Each item with its path (undefined at the top, where the part's name stands for it) and depth.
  const pending: Array<[unknown, string | undefined, number]> = [[value, undefined, 0]];
  while (pending.length > 0) {
    const [item, path, depth] = pending.pop()!;
    const field = path ?? part;
    if (typeof item === 'string') {
      const message = textProblem(item, 'text');
      if (message) return { field, message };
    } else if (typeof item === 'object' && item !== null) {
      if (depth >= MAX_NESTING) return { field, message: `the request nests deeper than ${MAX_NESTING} levels` };
      if (!Array.isArray(item) && Object.keys(item).length > MAX_FIELDS)
        return { field, message: `an object has more than ${MAX_FIELDS} fields` };
      for (const [key, child] of Object.entries(item)) {
        const message = textProblem(key, 'field names');
        if (message) return { field, message };
        const childPath = fieldPath(path, key);
        if (isUnseenField(key)) return { field: childPath, message: unknownFieldMessage(part, childPath) };
        pending.push([child, childPath, depth + 1]);
      }
    }
  }
  return undefined;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * The same nesting and width limits, checked on the raw JSON bytes before JSON.parse: parsing an object
 * of 90,000 keys alone takes over 100 ms, so a hostile body must be refused before it is parsed. One
 * linear pass; it counts the colons of each object outside strings (malformed JSON is left to the parser).
 */
export function jsonTextShapeProblem(json: Uint8Array): string | undefined {
  // Per open container: its field count so far for an object; minus its item count so far for an array.
  const open: number[] = [];
  for (let i = 0; i < json.length; i++) {
    const byte = json[i];
    if (byte === QUOTE) {
      for (i++; i < json.length && json[i] !== QUOTE; i++) if (json[i] === BACKSLASH) i++;
    } else if (byte === 0x7b || byte === 0x5b) {
      open.push(byte === 0x7b ? 0 : -1);
      if (open.length > MAX_NESTING) return `the request nests deeper than ${MAX_NESTING} levels`;
    } else if (byte === 0x7d || byte === 0x5d) {
      open.pop();
    } else if (byte === 0x3a && open.length > 0 && open[open.length - 1] >= 0) {
      if (++open[open.length - 1] > MAX_FIELDS) return `an object has more than ${MAX_FIELDS} fields`;
    } else if (byte === 0x2c && open.length > 0 && open[open.length - 1] < 0) {
      if (--open[open.length - 1] < -MAX_ITEMS) return `an array has more than ${MAX_ITEMS} items`;
    }
  }
  return undefined;
}
