import { ReportsBusyError } from '@app/domain';

/**
 * Report builds of one instance: at most `concurrency` at once, at most `maxQueued` more waiting for a
 * slot, and one build per file name (a request for a file being built shares that build). Beyond the
 * queue, ReportsBusyError (503 REPORTS_BUSY): reports never take what the hot paths need.
 */
export class ReportBuilds {
  private running = 0;
  private readonly queue: Array<() => void> = [];
  private readonly byName = new Map<string, Promise<unknown>>();

  constructor(
    private readonly concurrency: number,
    private readonly maxQueued: number,
  ) {}

  /** Builds running and waiting, for the metrics. */
  get counts(): { running: number; queued: number } {
    return { running: this.running, queued: this.queue.length };
  }

  run<T>(name: string, build: () => Promise<T>): Promise<T> {
    const shared = this.byName.get(name);
    if (shared) return shared as Promise<T>;
    if (this.running >= this.concurrency && this.queue.length >= this.maxQueued)
      return Promise.reject(new ReportsBusyError());
    const building = this.inTurn(build).finally(() => this.byName.delete(name));
    this.byName.set(name, building);
    return building;
  }

  private async inTurn<T>(build: () => Promise<T>): Promise<T> {
    if (this.running < this.concurrency) this.running++;
    // The slot is handed over by the build that ends (next()), so `running` never dips in between.
    else await new Promise<void>((resolve) => this.queue.push(resolve));
    try {
      return await build();
    } finally {
      this.next();
    }
  }

  private next(): void {
    const waiting = this.queue.shift();
    if (waiting) waiting();
    else this.running--;
  }
}
