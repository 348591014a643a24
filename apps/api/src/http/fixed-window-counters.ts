/**
 * Request counts per caller in one-minute-style fixed windows, in bounded memory: at most `maxCallers`
 * are tracked, the least recently seen dropped first, so no stream of new names can grow it.
 */
export class FixedWindowCounters {
  private windowStart = 0;
  private readonly counts = new Map<string, number>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly maxCallers: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Callers tracked in the current window. */
  get size(): number {
    return this.counts.size;
  }

  /** Counts one request of `caller`: 0 while within the limit, else the seconds until the window ends. */
  hit(caller: string): number {
    const now = this.now();
    if (now - this.windowStart >= this.windowMs) {
      this.windowStart = now - (now % this.windowMs);
      this.counts.clear();
    }
    const count = (this.counts.get(caller) ?? 0) + 1;
    // Re-inserting keeps the Map in order of last use, so its first key is the least recently seen.
    this.counts.delete(caller);
    if (this.counts.size >= this.maxCallers) this.counts.delete(this.counts.keys().next().value!);
    this.counts.set(caller, count);
    return count > this.limit ? Math.max(1, Math.ceil((this.windowStart + this.windowMs - now) / 1000)) : 0;
  }
}
