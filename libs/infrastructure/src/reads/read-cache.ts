import { Membership } from '@app/domain';
import { monotonicMs } from '../monotonic';

interface Entry {
  memberships: Membership[];
  /** The read's `now` (ms): an earlier `now` may see memberships this read found expired. */
  readAt: number;
  /** The earliest expires_at among the memberships (ms), Infinity without one: the entry ends there. */
  until: number;
}

/** A read on its way to the database; its answer is kept only if nothing invalidated the user meanwhile. */
export interface Fill {
  userId: number;
  id: number;
  generation: number;
}

/** Memberships held at most, per user of the bound: keeps memory near 1 kB a user whatever users hold. */
export const MEMBERSHIPS_PER_USER = 4;

/** How long a confirmation that no invalidation was missed lets the cache answer, in milliseconds. */
export const CONFIRMATION_LIFETIME_MS = 1_000;

/**
 * Users' active memberships, per instance, bounded to `maxUsers` users and MEMBERSHIPS_PER_USER times
 * as many memberships in all (least recently used go first).
 *
 * Never wrong: an entry answers only a lookup whose `now` lies in [its read's now, its earliest
 * expires_at), judged by the clock the read path uses; a user's entry goes when a change to the user
 * is invalidated, every entry when a bulk change is (`invalidateAll`). A read that was under way while
 * its user was invalidated is not kept: its snapshot may predate the change.
 *
 * With other instances writing (PostgreSQL), the cache answers only while its ChangeLogPoller has
 * confirmed, less than CONFIRMATION_LIFETIME_MS ago, that it has applied every change committed before
 * then (`confirm`); without a confirmation it empties itself and reads go to the database. Alone on its
 * database (embedded PGlite: one process), it needs none (`standalone`).
 */
export class ReadCache {
  private readonly entries = new Map<number, Entry>();
  private readonly fills = new Map<number, number>();
  private generation = 0;
  private lastFill = 0;
  private memberships = 0;
  /** monotonicMs() until which the cache may answer. */
  private confirmedUntil: number;
  hits = 0;
  misses = 0;

  constructor(
    readonly maxUsers: number,
    standalone: boolean,
  ) {
    this.confirmedUntil = standalone ? Infinity : 0;
  }

  /** Whether the cache answers and keeps reads now. */
  get serving(): boolean {
    if (monotonicMs() < this.confirmedUntil) return true;
    if (this.entries.size > 0 || this.fills.size > 0) this.invalidateAll();
    return false;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The user's memberships as of `now` if an entry holds them, else undefined. */
  get(userId: number, now: Date): Membership[] | undefined {
    const entry = this.entries.get(userId);
    if (!entry || !this.serving) {
      this.misses++;
      return undefined;
    }
    const at = now.getTime();
    if (at >= entry.until) this.drop(userId);
    if (at < entry.readAt || at >= entry.until) {
      this.misses++;
      return undefined;
    }
    // Least recently used first: a hit moves the user to the end.
    this.entries.delete(userId);
    this.entries.set(userId, entry);
    this.hits++;
    return entry.memberships;
  }

  /** Call before reading the user from the database; pass the result to `keep`. */
  startFill(userId: number): Fill {
    const id = ++this.lastFill;
    this.fills.set(userId, id);
    return { userId, id, generation: this.generation };
  }

  /** Keeps what the fill read at `now`, unless the user was invalidated since it started. */
  keep(fill: Fill, memberships: Membership[], now: Date): void {
    if (this.fills.get(fill.userId) !== fill.id) return;
    this.fills.delete(fill.userId);
    if (fill.generation !== this.generation || !this.serving) return;
    let until = Infinity;
    for (const membership of memberships) {
      if (membership.expiresAt && membership.expiresAt.getTime() < until) until = membership.expiresAt.getTime();
    }
    this.drop(fill.userId);
    this.entries.set(fill.userId, { memberships, readAt: now.getTime(), until });
    this.memberships += memberships.length;
    while (this.entries.size > this.maxUsers || this.memberships > this.maxUsers * MEMBERSHIPS_PER_USER) {
      this.drop(this.entries.keys().next().value!);
    }
  }

  /** A fill that failed: nothing to keep. */
  abandon(fill: Fill): void {
    if (this.fills.get(fill.userId) === fill.id) this.fills.delete(fill.userId);
  }

  invalidate(userIds: Iterable<number>): void {
    for (const userId of userIds) {
      this.drop(userId);
      this.fills.delete(userId);
    }
  }

  /** Every entry and every read under way (a bulk change, a lost or new poller connection). */
  invalidateAll(): void {
    this.entries.clear();
    this.memberships = 0;
    this.fills.clear();
    this.generation++;
  }

  private drop(userId: number): void {
    const entry = this.entries.get(userId);
    if (!entry) return;
    this.entries.delete(userId);
    this.memberships -= entry.memberships.length;
  }

  /**
   * Every change committed before `sentAt` (monotonicMs()) has been applied: the cache may answer
   * until CONFIRMATION_LIFETIME_MS after it.
   */
  confirm(sentAt: number): void {
    this.confirmedUntil = Math.max(this.confirmedUntil, sentAt + CONFIRMATION_LIFETIME_MS);
  }

  /** The change log cannot be read: empty, and answer nothing until confirmed again. */
  suspend(): void {
    this.confirmedUntil = 0;
    this.invalidateAll();
  }
}
