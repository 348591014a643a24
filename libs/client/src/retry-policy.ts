/** When and how long to wait before trying a call again. */
export interface RetryPolicy {
  /** Tries after the first one (default 3; 0 turns retries off). */
  retries: number;
  /** The first backoff's ceiling; each retry doubles it (default 100 ms). */
  baseDelayMs: number;
  /** The largest wait, backoff or `Retry-After` (default 5,000 ms): asked to wait longer, the call gives up. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { retries: 3, baseDelayMs: 100, maxDelayMs: 5_000 };

/**
 * The wait before retry number `retry` (0 for the first): what `Retry-After` asks for when the answer had
 * one, else "full jitter" (a uniform draw below the exponential ceiling), so that callers failed together
 * do not come back together. Undefined when the service asks for more than `maxDelayMs`.
 */
export function retryDelayMs(
  policy: RetryPolicy,
  retry: number,
  retryAfterSeconds: number | undefined,
  random: () => number = Math.random,
): number | undefined {
  if (retryAfterSeconds !== undefined) {
    const asked = retryAfterSeconds * 1000;
    return asked > policy.maxDelayMs ? undefined : asked;
  }
  return Math.floor(random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry));
}

/** `Retry-After` in seconds: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}
