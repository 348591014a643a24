export const MAX_SLUG_LENGTH = 100;
export const SLUG_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

export function isValidSlug(value: unknown): value is string {
  return typeof value === 'string' && value.length <= MAX_SLUG_LENGTH && SLUG_PATTERN.test(value);
}
