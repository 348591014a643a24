import { ValidationError } from '@nestjs/common';
import { echoed, FieldError } from '@app/domain';

/** The part of a request its fields come from; its name stands for the part as a whole in `details.errors`. */
export type RequestPart = 'body' | 'query';

/** The service's words for a name the request part has no place for (`name` as fieldPath gives it, already cut short). */
export function unknownFieldMessage(part: RequestPart, name: string): string {
  const what = part === 'query' ? 'query parameter' : 'field';
  return name === '' ? `unknown ${what} with an empty name` : `unknown ${what}: ${name}`;
}

/**
 * A field's path in the request: `add`, `add[0]`, `add[0].ttl`; at the top, the name itself. A name longer
 * than any of the API's is the client's own text, cut short as answers quote it (echoed).
 */
export function fieldPath(parent: string | undefined, name: string): string {
  const key = echoed(name);
  if (parent === undefined) return key;
  return /^\d+$/.test(key) ? `${parent}[${key}]` : `${parent}.${key}`;
}

/** class-validator's words for an unknown field are not the service's: the rest are the DTOs' own messages. */
const ownWords = (part: RequestPart, field: string, rule: string, message: string): string =>
  rule === 'whitelistValidation' ? unknownFieldMessage(part, field) : message;

/**
 * Separates the fields and messages of a rule that checks the parts of its own field (the items of `add`,
 * which class-validator cannot name): no field name holds a NUL (request-shape.ts refuses it first).
 */
const DEEPER = '\u0000';

/** The message of such a rule: the deeper fields it found wrong, each with its message, for fieldErrorsOf. */
export function deeperFieldsMessage(problems: Array<{ field: string; message: string }>): string {
  return problems.flatMap(({ field, message }) => [field, message]).join(DEEPER);
}

/** One rule's findings about `field`: its message, or the deeper fields deeperFieldsMessage names. */
function findingsOf(part: RequestPart, field: string, rule: string, message: string): Array<[string, string]> {
  if (!message.includes(DEEPER)) return [[field, ownWords(part, field, rule, message)]];
  const parts = message.split(DEEPER);
  return parts.flatMap((deeper, i) => (i % 2 === 0 ? [[deeper, parts[i + 1]] as [string, string]] : []));
}

/** class-validator's rules of a value's type: the others (length, size, items) mean nothing of a value of another type. */
const TYPE_RULES = new Set(['isString', 'isArray', 'isInt', 'isNumber', 'isBoolean', 'isObject']);

/** A field's broken rules; only the type's when the value has the wrong type ("must be a string", not also "shorter than"). */
function typeRuleFirst(constraints: Record<string, string>): Array<[string, string]> {
  const rules = Object.entries(constraints);
  const typeRules = rules.filter(([rule]) => TYPE_RULES.has(rule));
  return typeRules.length > 0 ? typeRules : rules;
}

/** class-validator's errors as `details.errors`: each field once, each message once. */
export function fieldErrorsOf(errors: ValidationError[], part: RequestPart, parent?: string): FieldError[] {
  return errors.flatMap((error) => {
    const field = fieldPath(parent, error.property);
    // Several rules of one field often share a message ("limit must be an integer from 1 to 1000"): say it once.
    const byField = new Map<string, Set<string>>();
    for (const [rule, message] of typeRuleFirst(error.constraints ?? {}))
      for (const [name, text] of findingsOf(part, field, rule, message))
        byField.set(name, (byField.get(name) ?? new Set()).add(text));
    const own = [...byField].map(([name, messages]) => ({ field: name, messages: [...messages] }));
    return [...own, ...fieldErrorsOf(error.children ?? [], part, field)];
  });
}
