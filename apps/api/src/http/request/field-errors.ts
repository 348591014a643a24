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

/** class-validator's errors as `details.errors`: each field once, each message once. */
export function fieldErrorsOf(errors: ValidationError[], part: RequestPart, parent?: string): FieldError[] {
  return errors.flatMap((error) => {
    const field = fieldPath(parent, error.property);
    const messages = Object.entries(error.constraints ?? {}).map(([rule, message]) =>
      ownWords(part, field, rule, message),
    );
    // Several rules of one field often share a message ("limit must be an integer from 1 to 1000"): say it once.
    const own = messages.length > 0 ? [{ field, messages: [...new Set(messages)] }] : [];
    return [...own, ...fieldErrorsOf(error.children ?? [], part, field)];
  });
}
