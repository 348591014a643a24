interface Waiting<K, V> {
  key: K;
  resolve(value: V): void;
  reject(error: unknown): void;
}

/**
 * Coalesces concurrent lookups into fewer statements. Keys asked for in the same turn of the event
 * loop go out together; while `maxInFlight` loads are running, new keys wait and go together in the
 * next one. An idle service answers each lookup with its own statement, at once; a busy one sends one
 * statement for many lookups (one round trip and one execution instead of many), which is what lets
 * the read path keep up with what PostgreSQL itself can do (docs/performance.md).
 *
 * Every lookup still reads the database after it was asked for: nothing is cached.
 */
export class LookupBatcher<K, V> {
  private queue: Waiting<K, V>[] = [];
  private inFlight = 0;
  private scheduled = false;

  /** `load` answers the keys in their order (duplicates included) or fails them all. */
  constructor(
    private readonly load: (keys: K[]) => Promise<V[]>,
    private readonly maxInFlight: number,
    private readonly maxBatch: number,
  ) {}

  get(key: K): Promise<V> {
    return new Promise<V>((resolve, reject) => {
      this.queue.push({ key, resolve, reject });
      this.schedule();
    });
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
    const batch = this.queue.splice(0, this.maxBatch);
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
    loading.then(
      (values) => {
        settle();
        batch.forEach((waiting, index) => waiting.resolve(values[index]));
      },
      (error: unknown) => {
        settle();
        for (const waiting of batch) waiting.reject(error);
      },
    );
    this.schedule();
  }
}
