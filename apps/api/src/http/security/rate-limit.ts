import type { WorkerChannel } from '@app/infrastructure/workers/worker-channel';
import { FixedWindowCounters } from './fixed-window-counters';

const MINUTE_MS = 60_000;

/** Callers tracked at most per instance (about 100 bytes each): far above any real set of keys and clients. */
export const MAX_TRACKED_CALLERS = 100_000;

/** The topic on which workers ask the primary to count a request (WEB_CONCURRENCY > 1). */
export const RATE_LIMIT_TOPIC = 'rate-limit';

/**
 * RATE_LIMIT_PER_MINUTE: requests per minute per caller (a fixed window from its first request), in this
 * instance's memory (each instance counts on its own; with WEB_CONCURRENCY > 1 the primary process counts
 * for all its workers, so the limit is the instance's). A caller is a configured API key, else the client
 * address: an invalid or random key counts against its address, so it never escapes the limit, and failed
 * key checks are limited with it. 0 (the default): no limit, nothing tracked.
 */
export class RateLimit {
  private readonly counters: FixedWindowCounters;

  constructor(
    readonly perMinute: number,
    private readonly workers?: WorkerChannel,
  ) {
    this.counters = new FixedWindowCounters(perMinute, MINUTE_MS, MAX_TRACKED_CALLERS);
  }

  /** Callers counted in the current minute by this process (a metric). */
  get tracked(): number {
    return this.counters.size;
  }

  /**
   * Counts a request; the seconds to wait when the caller is over the limit, else 0. A worker asks its
   * primary (a primary that does not answer within 2 s lets the request through: the limit never stops
   * the service).
   */
  hit(caller: { keyIndex: number } | { address: string }): number | Promise<number> {
    if (this.perMinute <= 0) return 0;
    const name = 'keyIndex' in caller ? `key:${caller.keyIndex}` : `ip:${caller.address}`;
    return this.workers?.shared ? this.workers.ask(RATE_LIMIT_TOPIC, name, 0) : this.count(name);
  }

  /** Counts a request of the caller `name` here (the primary's side of a worker's `hit`). */
  count(name: string): number {
    return this.counters.hit(name);
  }
}
