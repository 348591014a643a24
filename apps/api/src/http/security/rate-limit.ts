import { FixedWindowCounters } from './fixed-window-counters';

const MINUTE_MS = 60_000;

/** Callers tracked at most per instance (about 100 bytes each): far above any real set of keys and clients. */
export const MAX_TRACKED_CALLERS = 100_000;

/**
 * RATE_LIMIT_PER_MINUTE: requests per minute per caller (a fixed window from its first request), in this
 * instance's memory (each instance counts on its own). A caller is a configured API key, else the client address: an invalid or random
 * key counts against its address, so it never escapes the limit, and failed key checks are limited
 * with it. 0 (the default): no limit, nothing tracked.
 */
export class RateLimit {
  private readonly counters: FixedWindowCounters;

  constructor(readonly perMinute: number) {
    this.counters = new FixedWindowCounters(perMinute, MINUTE_MS, MAX_TRACKED_CALLERS);
  }

  /** Callers counted in the current minute (a metric). */
  get tracked(): number {
    return this.counters.size;
  }

  /** Counts a request; the seconds to wait when the caller is over the limit, else 0. */
  hit(caller: { keyIndex: number } | { address: string }): number {
    if (this.perMinute <= 0) return 0;
    return this.counters.hit('keyIndex' in caller ? `key:${caller.keyIndex}` : `ip:${caller.address}`);
  }
}
