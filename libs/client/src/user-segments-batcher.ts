import type { components } from './openapi';
import { jsonOf, type Transport } from './transport';
import { SegmentsError } from './errors';

export type Membership = components['schemas']['MembershipResponse'];
type UserSegments = components['schemas']['UserSegmentsResponse'];
type Lookup = components['schemas']['UsersLookupResponse'];

/** POST /api/v1/users/lookup takes at most this many ids. */
export const LOOKUP_LIMIT = 1000;
export const MAX_STALE_LIMIT_MS = 60_000;

export interface BatcherOptions {
  /** How long an answer may be reused without asking the service (default 0; at most 60,000 ms). */
  maxStaleMs?: number;
  /** How many users' answers are kept, the least recently fetched dropped first (default 10,000). */
  maxEntries?: number;
  /** Coalesce calls into lookups (default true); false sends one GET per call. */
  coalesce?: boolean;
}

interface Entry {
  segments: Membership[];
  /** The strong ETag of the GET answer these segments are; undefined when they came from elsewhere. */
  etag?: string;
  /** When the request that produced or confirmed them was sent: their age counts from then. */
  askedAt: number;
}

interface Waiter {
  resolve(segments: Membership[]): void;
  reject(error: unknown): void;
}

/**
 * `segmentsOf(userId)`: answers kept at most `maxStaleMs`; the calls of one tick (one turn of the event
 * loop) that need the service go out together, as one request: a lone user as a GET (conditional, with
 * If-None-Match, when an earlier GET gave an ETag: a 304 refreshes the entry without a body), several
 * users as POST /api/v1/users/lookup, 1000 ids a request. The lookup has no conditional form (contract
 * v1.2 gives it no ETags), and one request for many users costs the service less than one 304 each; a
 * lookup answer equal to what an entry holds keeps the entry's ETag, since it is the same body.
 */
export class UserSegmentsBatcher {
  private readonly maxStaleMs: number;
  private readonly maxEntries: number;
  private readonly coalesce: boolean;
  private readonly entries = new Map<number, Entry>();
  private readonly inFlight = new Map<number, Promise<Membership[]>>();
  private queued = new Map<number, Waiter[]>();
  private scheduled = false;

  constructor(
    private readonly transport: Transport,
    options: BatcherOptions = {},
    private readonly now: () => number = Date.now,
  ) {
    // Checked as numbers, not only typed: callers in plain JavaScript may pass "5" (read from an environment).
    this.maxStaleMs = options.maxStaleMs ?? 0;
    if (typeof this.maxStaleMs !== 'number' || !(this.maxStaleMs >= 0 && this.maxStaleMs <= MAX_STALE_LIMIT_MS)) {
      throw new RangeError(`maxStaleMs must be a number 0..${MAX_STALE_LIMIT_MS}, got ${String(options.maxStaleMs)}`);
    }
    this.maxEntries = options.maxEntries ?? 10_000;
    if (!Number.isInteger(this.maxEntries) || this.maxEntries < 1) {
      throw new RangeError(`maxEntries must be a positive integer, got ${String(options.maxEntries)}`);
    }
    this.coalesce = options.coalesce ?? true;
  }

  segmentsOf(userId: number): Promise<Membership[]> {
    const entry = this.entries.get(userId);
    if (entry && this.maxStaleMs > 0 && this.now() - entry.askedAt <= this.maxStaleMs)
      return Promise.resolve(entry.segments);
    const pending = this.inFlight.get(userId);
    if (pending) return pending;
    // An id the service refuses goes alone, so that its 400 fails nobody else's call.
    if (!this.coalesce || !isUserId(userId)) return this.track(userId, this.get(userId));
    const promise = new Promise<Membership[]>((resolve, reject) => {
      const waiters = this.queued.get(userId) ?? [];
      waiters.push({ resolve, reject });
      this.queued.set(userId, waiters);
    });
    this.inFlight.set(userId, promise);
    void promise.then(
      () => this.inFlight.delete(userId),
      () => this.inFlight.delete(userId),
    );
    this.schedule();
    return promise;
  }

  /** What a change set answered is the user's state now: later calls get it, not an older answer. */
  remember(userId: number, segments: Membership[], askedAt: number): void {
    this.inFlight.delete(userId);
    this.store(userId, { segments, askedAt });
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // setImmediate runs after every I/O callback of this turn (the concurrent requests of a server);
    // browsers have no such phase, a 0 ms timer comes closest.
    const later = (globalThis as { setImmediate?: (callback: () => void) => unknown }).setImmediate;
    if (later) later(() => this.flush());
    else setTimeout(() => this.flush(), 0);
  }

  private flush(): void {
    this.scheduled = false;
    const queued = this.queued;
    this.queued = new Map();
    const ids = [...queued.keys()];
    const settle = (work: Promise<Map<number, Membership[]>>, batch: number[]) =>
      work.then(
        (answers) => batch.forEach((id) => queued.get(id)!.forEach((waiter) => waiter.resolve(answers.get(id)!))),
        (error: unknown) => batch.forEach((id) => queued.get(id)!.forEach((waiter) => waiter.reject(error))),
      );
    if (ids.length === 1) {
      void settle(
        this.get(ids[0]).then((segments) => new Map([[ids[0], segments]])),
        ids,
      );
      return;
    }
    for (let start = 0; start < ids.length; start += LOOKUP_LIMIT) {
      const batch = ids.slice(start, start + LOOKUP_LIMIT);
      void settle(this.lookup(batch), batch);
    }
  }

  private track(userId: number, work: Promise<Membership[]>): Promise<Membership[]> {
    this.inFlight.set(userId, work);
    const done = () => {
      if (this.inFlight.get(userId) === work) this.inFlight.delete(userId);
    };
    void work.then(done, done);
    return work;
  }

  private async get(userId: number): Promise<Membership[]> {
    const askedAt = this.now();
    const cached = this.entries.get(userId);
    const answer = await this.transport.send({
      method: 'GET',
      path: `/api/v1/users/${encodeURIComponent(String(userId))}/segments`,
      headers: cached?.etag ? { 'if-none-match': cached.etag } : undefined,
      retryable: true,
    });
    const etag = answer.headers.get('etag') ?? undefined;
    if (answer.status === 304 && cached) return this.store(userId, { ...cached, etag: etag ?? cached.etag, askedAt });
    const body = jsonOf<UserSegments>(answer);
    return this.store(userId, { segments: body.segments, etag, askedAt });
  }

  private async lookup(userIds: number[]): Promise<Map<number, Membership[]>> {
    const askedAt = this.now();
    const answer = await this.transport.send({
      method: 'POST',
      path: '/api/v1/users/lookup',
      body: { user_ids: userIds },
      retryable: true,
    });
    const body = jsonOf<Lookup>(answer);
    const found = new Map<number, Membership[]>();
    for (const user of Array.isArray(body?.users) ? body.users : []) {
      const cached = this.entries.get(user.user_id);
      const same = cached?.etag !== undefined && JSON.stringify(cached.segments) === JSON.stringify(user.segments);
      found.set(
        user.user_id,
        this.store(user.user_id, { segments: user.segments, etag: same ? cached.etag : undefined, askedAt }),
      );
    }
    // An answer without one of them would resolve that caller with undefined instead of its segments.
    const missing = userIds.filter((id) => !found.has(id));
    if (missing.length > 0) {
      throw new SegmentsError('UNEXPECTED_RESPONSE', `the lookup answered no segments for users ${missing.join(', ')}`);
    }
    return found;
  }

  /** Keeps `entry` unless a newer one arrived meanwhile; returns the segments now held. */
  private store(userId: number, entry: Entry): Membership[] {
    const held = this.entries.get(userId);
    if (held && held.askedAt > entry.askedAt) return held.segments;
    this.entries.delete(userId);
    this.entries.set(userId, entry);
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    return entry.segments;
  }
}

function isUserId(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 1;
}
