import { Registration } from '@app/application';

/** The most user ids one `POST /api/v1/users` takes (the contract's limit). */
export const MAX_IDS_PER_REQUEST = 10_000;
/** Answers worth another try (rate limit, database briefly unavailable), and how often. */
const RETRYABLE_STATUSES = new Set([429, 503]);
const MAX_ATTEMPTS = 5;
const REQUEST_TIMEOUT_MS = 120_000;

/** The API refused a batch or could not be reached; the message is the one line to print. */
export class ServiceApiError extends Error {}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Registers user ids through a running service's API (`POST /api/v1/users`), for when the service owns
 * the embedded data directory: the batches land in it at once, under its own locks. `apiKey` is sent
 * when the service requires one.
 */
export function serviceApiRegistrar(
  baseUrl: string,
  apiKey: string | undefined,
): (ids: number[]) => Promise<Registration> {
  const url = `${baseUrl.replace(/\/+$/, '')}/api/v1/users`;
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    ...(apiKey ? { 'x-api-key': apiKey } : {}),
  };
  return async (ids) => {
    if (ids.length > MAX_IDS_PER_REQUEST) throw new Error(`at most ${MAX_IDS_PER_REQUEST} ids per request`);
    for (let attempt = 1; ; attempt++) {
      let response: Response;
      try {
        response = await fetch(url, {
          method: 'POST',
          headers,
          body: JSON.stringify({ user_ids: ids }),
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
      } catch (error) {
        throw new ServiceApiError(`the service at ${baseUrl} cannot be reached: ${(error as Error).message}`);
      }
      const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
      if (response.ok) return { registered: Number(body.registered), autoAssigned: Number(body.auto_assigned) };
      if (RETRYABLE_STATUSES.has(response.status) && attempt < MAX_ATTEMPTS) {
        const retryAfter = Number(response.headers.get('retry-after'));
        await sleep(Number.isFinite(retryAfter) && retryAfter > 0 ? Math.min(retryAfter, 60) * 1000 : 500 * attempt);
        continue;
      }
      throw new ServiceApiError(
        `the service at ${baseUrl} answered ${response.status} ${String(body.code ?? '')}: ${String(body.message ?? '')}`.trim(),
      );
    }
  };
}
