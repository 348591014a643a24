interface Window {
  start: number;
  count: number;
}

/**
 * Request counts per caller in fixed windows that start at the caller's first request, in bounded
 * memory: at most `maxCallers` are tracked, the least recently seen dropped first, so no stream of new
 * names can grow it.
 */
export class FixedWindowCounters {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly maxCallers: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Callers tracked (some of their windows may have ended). */
  get size(): number {
    return this.windows.size;
  }

  /** Counts one request of `caller`: 0 while within the limit, else the seconds until its window ends. */
  hit(caller: string): number {
    const now = this.now();
    let window = this.windows.get(caller);
    if (!window || now - window.start >= this.windowMs) window = { start: now, count: 0 };
    window.count += 1;
    // Re-inserting keeps the Map in order of last use, so its first key is the least recently seen.
    this.windows.delete(caller);
    if (this.windows.size >= this.maxCallers) this.windows.delete(this.windows.keys().next().value!);
    this.windows.set(caller, window);
    return window.count > this.limit ? Math.max(1, Math.ceil((window.start + this.windowMs - now) / 1000)) : 0;
  }
}
