import { ErrorCode, SegmentsError } from './errors';
import { DEFAULT_RETRY_POLICY, parseRetryAfter, RetryPolicy, retryDelayMs } from './retry-policy';

export interface TransportOptions {
  /** Where the service answers, e.g. `http://segments.internal:8080` (no trailing `/api/v1`). */
  baseUrl: string;
  /** Sent as `Authorization: Bearer <key>` on every call; given once, here. */
  apiKey?: string;
  /** Each attempt's deadline (default 5,000 ms); a call may override it. */
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Another fetch (a browser's, an instrumented one); the global one by default. */
  fetch?: typeof fetch;
}

export interface CallOptions {
  /** This call's deadline per attempt, instead of the client's. */
  timeoutMs?: number;
  /** Cancels the call, retries included. */
  signal?: AbortSignal;
}

export interface Call extends CallOptions {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  path: string;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  headers?: Record<string, string>;
  /** Whether a repeat is safe: reads and change sets (see the README's "Retries"). */
  retryable: boolean;
}

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
}

const TRANSIENT: ReadonlySet<ErrorCode> = new Set(['TIMEOUT', 'NETWORK_ERROR']);

/** HTTP to the service: the API key, per-attempt deadlines, the error shape, retries with backoff. */
export class Transport {
  private readonly baseUrl: string;
  private readonly headers: Record<string, string>;
  private readonly timeoutMs: number;
  private readonly policy: RetryPolicy;
  private readonly fetch: typeof fetch;

  constructor(options: TransportOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.headers = options.apiKey === undefined ? {} : { authorization: `Bearer ${options.apiKey}` };
    this.timeoutMs = options.timeoutMs ?? 5_000;
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  }

  /** Answers 2xx and 304; anything else rejects with a SegmentsError, after the retries the call allows. */
  async send(call: Call): Promise<Answer> {
    for (let retry = 0; ; retry++) {
      try {
        return await this.attempt(call);
      } catch (error) {
        if (!(error instanceof SegmentsError) || !call.retryable || retry >= this.policy.retries) throw error;
        if (!TRANSIENT.has(error.code) && error.status !== 503) throw error;
        if (call.signal?.aborted) throw error;
        const delay = retryDelayMs(this.policy, retry, error.retryAfterSeconds);
        if (delay === undefined) throw error;
        await sleep(delay, call.signal);
      }
    }
  }

  private async attempt(call: Call): Promise<Answer> {
    const deadline = new AbortController();
    const timeoutMs = call.timeoutMs ?? this.timeoutMs;
    const timer = setTimeout(() => deadline.abort(), timeoutMs);
    const cancel = () => deadline.abort();
    call.signal?.addEventListener('abort', cancel);
    try {
      const response = await this.fetch(this.url(call), {
        method: call.method,
        headers: {
          ...this.headers,
          ...(call.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...call.headers,
        },
        body: call.body === undefined ? undefined : JSON.stringify(call.body),
        signal: deadline.signal,
      });
      const text = await response.text();
      const answer = { status: response.status, headers: response.headers, text };
      if ((response.status >= 200 && response.status < 300) || response.status === 304) return answer;
      throw errorOf(answer);
    } catch (error) {
      if (error instanceof SegmentsError) throw error;
      if (deadline.signal.aborted && !call.signal?.aborted) {
        throw new SegmentsError('TIMEOUT', `${call.method} ${call.path}: no answer within ${timeoutMs} ms`);
      }
      if (call.signal?.aborted) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      throw new SegmentsError(
        'NETWORK_ERROR',
        `${call.method} ${call.path}: ${reason}`,
        undefined,
        undefined,
        undefined,
        {
          cause: error,
        },
      );
    } finally {
      clearTimeout(timer);
      call.signal?.removeEventListener('abort', cancel);
    }
  }

  private url(call: Call): string {
    const query = Object.entries(call.query ?? {}).filter(
      (entry): entry is [string, string | number] => entry[1] !== undefined,
    );
    const search = new URLSearchParams(
      query.map(([name, value]): [string, string] => [name, String(value)]),
    ).toString();
    return `${this.baseUrl}${call.path}${search ? `?${search}` : ''}`;
  }
}

/** A 2xx answer's JSON body; UNEXPECTED_RESPONSE when it is not JSON (a proxy's page, say), never a bare SyntaxError. */
export function jsonOf<T>(answer: Answer): T {
  try {
    return JSON.parse(answer.text) as T;
  } catch {
    throw new SegmentsError(
      'UNEXPECTED_RESPONSE',
      `HTTP ${answer.status}: ${answer.text.slice(0, 200)}`,
      answer.status,
    );
  }
}

/** The error shape of an answer as a SegmentsError; UNEXPECTED_RESPONSE when it is not in that shape. */
function errorOf(answer: Answer): SegmentsError {
  const retryAfter = parseRetryAfter(answer.headers.get('retry-after'));
  let body: { code?: unknown; message?: unknown; details?: unknown } | undefined;
  try {
    body = JSON.parse(answer.text) as typeof body;
  } catch {
    body = undefined;
  }
  if (typeof body?.code !== 'string') {
    return new SegmentsError(
      'UNEXPECTED_RESPONSE',
      `HTTP ${answer.status}: ${answer.text.slice(0, 200)}`,
      answer.status,
      undefined,
      retryAfter,
    );
  }
  const details =
    typeof body.details === 'object' && body.details !== null ? (body.details as Record<string, unknown>) : undefined;
  return new SegmentsError(
    body.code as ErrorCode,
    String(body.message ?? body.code),
    answer.status,
    details,
    retryAfter,
  );
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}
