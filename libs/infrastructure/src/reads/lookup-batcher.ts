import { DatabaseBusyError } from '../database/database-errors';
import { monotonicMs } from '../monotonic';

interface Waiting<K, V> {
  key: K;
  /** When this lookup stops waiting for its turn (monotonicMs()). */
  deadline: number;
  resolve(value: V): void;
  reject(error: unknown): void;
}

export interface BatcherLimits {
  /** How long a lookup waits for its turn before it fails (a 503). */
  waitMs: number;
  /** Lookups that may wait at once; more fail at once. */
  maxWaiting: number;
}

/** The pool's connection wait (DATABASE_TIMEOUT_MS) and a queue far above any healthy backlog. */
export const DEFAULT_BATCHER_LIMITS: BatcherLimits = { waitMs: 5_000, maxWaiting: 10_000 };

/** Lookups waiting for their turn in every batcher of the process (the metrics read it). */
let waitingInAll = 0;
export const lookupsWaiting = () => waitingInAll;

/**
 * Coalesces concurrent lookups into fewer statements. Keys asked for in the same turn of the event
 * loop go out together; while `maxInFlight` loads are running, new keys wait and go together in the
 * next one. An idle service answers each lookup with its own statement, at once; a busy one sends one
 * statement for many lookups (one round trip and one execution instead of many), which is what lets
 * the read path keep up with what PostgreSQL itself can do (docs/performance.md).
 *
 * Every lookup still reads the database after it was asked for: nothing is cached.
 *
 * Waiting is bounded: a lookup not answered within `waitMs` of being asked fails, whether it still
 * waits for its turn or its load runs, and so does one arriving while `maxWaiting` others wait (a hung
 * database must not pile requests up).
 */
export class LookupBatcher<K, V> {
  private queue: Waiting<K, V>[] = [];
  private inFlight = 0;
  private scheduled = false;
  private expiryTimer: NodeJS.Timeout | undefined;

  /** `load` answers the keys in their order (duplicates included) or fails them all. */
  constructor(
    private readonly load: (keys: K[]) => Promise<V[]>,
    private readonly maxInFlight: number,
    private readonly maxBatch: number,
    private readonly limits: BatcherLimits = DEFAULT_BATCHER_LIMITS,
  ) {}

  get(key: K): Promise<V> {
    if (this.queue.length >= this.limits.maxWaiting) {
      return Promise.reject(new DatabaseBusyError(`${this.queue.length} reads already wait for the database`));
    }
    return new Promise<V>((resolve, reject) => {
      this.queue.push({ key, deadline: monotonicMs() + this.limits.waitMs, resolve, reject });
      waitingInAll++;
      this.schedule();
      this.watchDeadlines();
    });
  }

  /** One timer for the oldest waiting lookup (the queue is in arrival order, so deadlines are too). */
  private watchDeadlines(): void {
    if (this.expiryTimer || this.queue.length === 0) return;
    this.expiryTimer = setTimeout(
      () => {
        this.expiryTimer = undefined;
        const now = monotonicMs();
        let expired = 0;
        while (expired < this.queue.length && this.queue[expired].deadline <= now) expired++;
        const late = this.take(expired);
        const error = new DatabaseBusyError(`a read waited ${this.limits.waitMs} ms for the database`);
        for (const waiting of late) waiting.reject(error);
        this.watchDeadlines();
      },
      Math.max(0, this.queue[0].deadline - monotonicMs()),
    );
    this.expiryTimer.unref();
  }

  private take(count: number): Waiting<K, V>[] {
    const taken = this.queue.splice(0, count);
    waitingInAll -= taken.length;
    if (this.queue.length === 0 && this.expiryTimer) {
      clearTimeout(this.expiryTimer);
      this.expiryTimer = undefined;
    }
    return taken;
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.maxInFlight || this.queue.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    if (this.inFlight >= this.maxInFlight || this.queue.length === 0) return;
    const batch = this.take(this.maxBatch);
    this.inFlight++;
    const settle = () => {
      this.inFlight--;
      this.schedule();
    };
    let loading: Promise<V[]>;
    try {
      loading = this.load(batch.map((waiting) => waiting.key));
    } catch (error) {
      loading = Promise.reject(error);
    }
    // A lookup's deadline holds while its load runs too: a database that hangs fails the whole batch
    // when the oldest lookup's deadline passes (a later answer is then ignored). The load still counts
    // as in flight until it ends, so a hung database never gets more than maxInFlight of them.
    const late = setTimeout(() => {
      const error = new DatabaseBusyError(`a read got no answer from the database within ${this.limits.waitMs} ms`);
      for (const waiting of batch) waiting.reject(error);
    }, batch[0].deadline - monotonicMs());
    late.unref();
    loading.then(
      (values) => {
        clearTimeout(late);
        settle();
        batch.forEach((waiting, index) => waiting.resolve(values[index]));
      },
      (error: unknown) => {
        clearTimeout(late);
        settle();
        for (const waiting of batch) waiting.reject(error);
      },
    );
    this.schedule();
  }
}
