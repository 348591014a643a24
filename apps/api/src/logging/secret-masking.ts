/** `scheme://user:password@` in any text, e.g. a DATABASE_URL inside an error message. */
const URL_PASSWORD = /(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/?#@]+:)[^\s@/]+@/gi;

/**
 * API keys shorter than this are not searched for in free text: masking every "abc" would wreck
 * the logs. Headers that carry keys are redacted whatever their length.
 */
const MIN_MASKED_KEY_LENGTH = 8;

export const REDACTED = '[redacted]';

/** Replaces URL passwords and the configured API keys in a text. */
export function secretMasker(apiKeys: string[]): (text: string) => string {
  const keys = apiKeys.filter((key) => key.length >= MIN_MASKED_KEY_LENGTH);
  return (text) =>
    keys.reduce((masked, key) => masked.split(key).join(REDACTED), text.replace(URL_PASSWORD, `$1${REDACTED}@`));
}
