import { setTimeout as sleep } from 'node:timers/promises';
import { ReportStorageError } from '@app/domain';

export interface RetryPolicy {
  /** Tries in all, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

/** Short enough to answer within seconds while Drive is down: the caller waits on the HTTP request. */
export const DEFAULT_RETRY: RetryPolicy = { attempts: 4, baseDelayMs: 250, maxDelayMs: 4_000 };

interface DriveErrorShape {
  status?: number;
  code?: string | number;
  message?: string;
  cause?: { code?: string };
  response?: {
    status?: number;
    headers?: Headers;
    data?: { error?: { message?: string; errors?: { reason?: string }[] } };
  };
}

const RATE_LIMIT_REASONS = new Set(['rateLimitExceeded', 'userRateLimitExceeded']);
const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'UND_ERR_SOCKET']);

const statusOf = (error: DriveErrorShape) => error.response?.status ?? error.status;

/** 429, 5xx, Drive's 403 rate limits and dropped connections are worth another try; nothing else is. */
export function isRetryable(error: unknown): boolean {
  const shape = error as DriveErrorShape;
  const status = statusOf(shape);
  if (status === 429 || (status !== undefined && status >= 500)) return true;
  if (status === 403) {
    return (shape.response?.data?.error?.errors ?? []).some((item) => RATE_LIMIT_REASONS.has(item.reason ?? ''));
  }
  if (status !== undefined) return false;
  return NETWORK_CODES.has(String(shape.code)) || NETWORK_CODES.has(String(shape.cause?.code));
}

/** Exponential with jitter, at least what Retry-After asks for, never above the cap. */
export function retryDelayMs(policy: RetryPolicy, attempt: number, error: unknown): number {
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  const jittered = exponential * (0.5 + Math.random() / 2);
  const retryAfter = Number((error as DriveErrorShape).response?.headers?.get?.('retry-after'));
  return Number.isFinite(retryAfter) ? Math.min(policy.maxDelayMs, Math.max(jittered, retryAfter * 1000)) : jittered;
}

/** The failure as the API answers it: which Drive call, its status and Drive's own words. */
export function driveFailure(operation: string, error: unknown): ReportStorageError {
  if (error instanceof ReportStorageError) return error;
  const shape = error as DriveErrorShape;
  const status = statusOf(shape);
  const reason = shape.response?.data?.error?.message ?? shape.message ?? String(error);
  return new ReportStorageError(`Google Drive ${operation} failed${status ? ` with ${status}` : ''}: ${reason}`, {
    operation,
    ...(status ? { status } : {}),
  });
}

export async function pause(policy: RetryPolicy, attempt: number, error: unknown): Promise<void> {
  await sleep(retryDelayMs(policy, attempt, error));
}

/** Runs one Drive call, again after a pause while it fails in a retryable way; a lasting failure is a ReportStorageError. */
export async function withRetry<T>(operation: string, policy: RetryPolicy, call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (attempt >= policy.attempts || !isRetryable(error)) throw driveFailure(operation, error);
      await pause(policy, attempt, error);
    }
  }
}
