import { monotonicMs } from '../monotonic';

/**
 * Read-your-writes on one instance: when this instance last wrote what a read would show (monotonicMs()
 * once the primary acknowledged the write). A replica may serve that read only once it has replayed past a
 * primary position sampled after that moment (replica-lag-watcher.ts).
 *
 * A change set is fenced per user (it changes that user's segments and history, and what segments count);
 * any other write (segments created, changed or deleted, users registered: auto-assignment) may change any
 * user, so it fences every read. Per-user fences older than the lag bound say nothing the bound does not
 * already say, so they are dropped; past `maxUsers` the oldest is dropped too, its time kept as a floor for
 * every user (conservative: some reads go to the primary for a moment).
 */
export class WriteFences {
  private readonly users = new Map<number, number>();
  private all = 0;
  private anyUser = 0;
  private floor = 0;

  constructor(
    private readonly horizonMs: number,
    private readonly maxUsers = 100_000,
  ) {}

  userWritten(userId: number, at = monotonicMs()): void {
    this.users.delete(userId);
    this.users.set(userId, at);
    this.anyUser = Math.max(this.anyUser, at);
    this.prune(at);
  }

  allWritten(at = monotonicMs()): void {
    this.all = Math.max(this.all, at);
  }

  /** The moment a read of this user's segments or history must see. */
  ofUser(userId: number): number {
    return Math.max(this.users.get(userId) ?? 0, this.all, this.floor);
  }

  /** The moment a read across users (segments, members, reports) must see. */
  ofAll(): number {
    return Math.max(this.all, this.anyUser);
  }

  /** Users fenced right now (bounded by `maxUsers`). */
  get size(): number {
    return this.users.size;
  }

  private prune(now: number): void {
    for (const [userId, at] of this.users) {
      const tooMany = this.users.size > this.maxUsers;
      if (!tooMany && at >= now - this.horizonMs) return;
      this.users.delete(userId);
      if (tooMany) this.floor = Math.max(this.floor, at);
    }
  }
}
