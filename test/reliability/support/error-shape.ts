import { RawResponse } from './raw-http';

const KEYS = new Set(['statusCode', 'error', 'code', 'message', 'details']);

const isClientError = (status: number) => status >= 400 && status <= 499;

/** Why `response` is not an error (a 4xx unless told) in the contract's one error shape, or undefined. */
export function errorShapeProblem(
  response: Pick<RawResponse, 'status' | 'headers' | 'json'>,
  statusAllowed: (status: number) => boolean = isClientError,
): string | undefined {
  const { status, json } = response;
  if (!statusAllowed(status)) return `status ${status} is not an expected error status`;
  if (!String(response.headers['content-type'] ?? '').startsWith('application/json')) {
    return `content-type ${String(response.headers['content-type'])}`;
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return 'body is not a JSON object';
  const body = json as Record<string, unknown>;
  const extra = Object.keys(body).filter((key) => !KEYS.has(key));
  if (extra.length > 0) return `unexpected fields ${extra.join(', ')}`;
  if (body.statusCode !== status) return `statusCode ${String(body.statusCode)} differs from status ${status}`;
  if (typeof body.error !== 'string' || !body.error) return 'error is not a non-empty string';
  if (typeof body.code !== 'string' || !/^[A-Z][A-Z_]*$/.test(body.code)) return `code ${String(body.code)}`;
  if (typeof body.message !== 'string') return 'message is not a string';
  if ('details' in body && (typeof body.details !== 'object' || body.details === null || Array.isArray(body.details))) {
    return 'details is not an object';
  }
  return undefined;
}

/** Fails with the request and the answer when the answer is not the expected 4xx error. */
export function expectErrorAnswer(what: string, response: RawResponse, status?: number): void {
  const problem =
    errorShapeProblem(response) ??
    (status !== undefined && response.status !== status ? `status ${response.status}, expected ${status}` : undefined);
  if (problem) {
    throw new Error(`${what}\n  -> ${problem}\n  answer ${response.status}: ${response.text.slice(0, 400)}`);
  }
}
