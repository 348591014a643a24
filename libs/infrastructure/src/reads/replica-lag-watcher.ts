import { SqlExecutor } from '../database/sql-executor';
import { Replica } from './replica-pools';
import { monotonicMs } from '../monotonic';

/** `up`: may serve reads; `behind`: further behind than the bound; `down`: does not answer, or is no replica. */
export type ReplicaState = 'up' | 'behind' | 'down';

export interface ReplicaStatus {
  name: string;
  state: ReplicaState;
  /** How far behind the primary it may be, in ms (null while down or never seen caught up). */
  lagMs: number | null;
}

interface Sample {
  /** monotonicMs() just before the primary was asked: every write acknowledged before it is at or below `lsn`. */
  at: number;
  lsn: bigint;
}

interface Watched {
  replica: Replica;
  down: boolean;
  /** The `at` of the newest primary sample this replica has replayed; -Infinity: none yet. */
  caughtUpTo: number;
  /** Its check still running (a hung replica's never ends). */
  checking?: Promise<void>;
}

/** A WAL position `16/B374D848` as a number. */
export function parseLsn(text: string): bigint {
  const [high, low] = text.split('/');
  return (BigInt(`0x${high}`) << 32n) | BigInt(`0x${low}`);
}

const SAMPLES_KEPT = 1_000;

/**
 * Measures how far each replica is behind the primary, by WAL position rather than by the time of the
 * last replayed transaction (which grows while the primary is idle, though the replica lacks nothing).
 * Every tick it samples the primary's WAL position, then asks each replica how far it has replayed: a
 * replica past a sample has every write acknowledged before that sample was taken. Its lag is then
 * bounded by the age of the newest sample it has passed.
 */
export class ReplicaLagWatcher {
  private readonly watched: Watched[];
  private readonly samples: Sample[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private ticked: Array<() => void> = [];

  constructor(
    private readonly primary: SqlExecutor,
    replicas: Replica[],
    private readonly maxLagMs: number,
    /** Often enough that a fresh replica never looks older than the bound between two ticks. */
    readonly intervalMs = Math.min(100, Math.max(10, Math.floor(maxLagMs / 5))),
  ) {
    this.watched = replicas.map((replica) => ({ replica, down: false, caughtUpTo: -Infinity }));
  }

  start(): void {
    if (this.running || this.watched.length === 0) return;
    this.running = true;
    this.schedule(0);
  }

  stop(): void {
    this.running = false;
    clearTimeout(this.timer);
    for (const resolve of this.ticked.splice(0)) resolve();
  }

  /** Replicas that have every write acknowledged before `fence` (monotonicMs() ms) and are within the bound. */
  usable(fence: number, now = monotonicMs()): Replica[] {
    return this.watched
      .filter((entry) => !entry.down && entry.caughtUpTo > fence && now - entry.caughtUpTo <= this.maxLagMs)
      .map((entry) => entry.replica);
  }

  /** A read on it failed to reach it: skip it until a check answers again. */
  markDown(replica: Replica): void {
    const entry = this.watched.find((candidate) => candidate.replica === replica);
    if (entry) entry.down = true;
  }

  status(now = monotonicMs()): ReplicaStatus[] {
    return this.watched.map((entry) => {
      const lagMs = entry.down || entry.caughtUpTo === -Infinity ? null : Math.max(0, now - entry.caughtUpTo);
      const state: ReplicaState = lagMs === null ? 'down' : lagMs <= this.maxLagMs ? 'up' : 'behind';
      return { name: entry.replica.name, state, lagMs };
    });
  }

  /** Resolves after the next complete tick (or at stop). */
  nextTick(): Promise<void> {
    return new Promise((resolve) => this.ticked.push(resolve));
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      this.tick().finally(() => {
        for (const resolve of this.ticked.splice(0)) resolve();
        if (this.running) this.schedule(this.intervalMs);
      });
    }, delayMs);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    const at = monotonicMs();
    try {
      const [{ lsn }] = await this.primary.rows<{ lsn: string }>(`SELECT pg_current_wal_lsn()::text AS lsn`);
      this.samples.push({ at, lsn: parseLsn(lsn) });
      if (this.samples.length > SAMPLES_KEPT) this.samples.shift();
    } catch {
      // Without a fresh sample no replica looks fresher than the last one: they age past the bound.
      return;
    }
    // A slow replica's check goes on in the background: it must not hold up the next sample, nor the others.
    const checks = Promise.all(this.watched.map((entry) => this.checkOf(entry)));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([checks, new Promise((resolve) => (timer = setTimeout(resolve, this.intervalMs)))]);
    clearTimeout(timer);
  }

  /** The replica's running check, or a new one. Not answering within the lag bound (hung, or its network is) is down. */
  private checkOf(entry: Watched): Promise<void> {
    if (entry.checking) return entry.checking;
    const late = setTimeout(() => (entry.down = true), this.maxLagMs);
    late.unref();
    entry.checking = this.check(entry).finally(() => {
      clearTimeout(late);
      entry.checking = undefined;
    });
    return entry.checking;
  }

  private async check(entry: Watched): Promise<void> {
    try {
      const [row] = await entry.replica.sql.rows<{ lsn: string | null }>(
        `SELECT CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn()::text END AS lsn`,
      );
      // Promoted, or not a replica at all: it no longer receives the primary's writes.
      if (row.lsn === null) {
        entry.down = true;
        return;
      }
      const replayed = parseLsn(row.lsn);
      for (let i = this.samples.length - 1; i >= 0; i--) {
        if (this.samples[i].lsn <= replayed) {
          entry.caughtUpTo = Math.max(entry.caughtUpTo, this.samples[i].at);
          break;
        }
      }
      entry.down = false;
    } catch {
      entry.down = true;
    }
  }
}
