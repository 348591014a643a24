export const MIN_USER_ID = 1;
export const MAX_USER_ID = Number.MAX_SAFE_INTEGER;

export function isValidUserId(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= MIN_USER_ID;
}

/** Parses a path segment: plain decimal digits only, no sign, exponent, spaces or leading zeros. */
export function parseUserId(text: string): number | undefined {
  if (!/^[1-9][0-9]{0,15}$/.test(text)) return undefined;
  const value = Number(text);
  return isValidUserId(value) ? value : undefined;
}
