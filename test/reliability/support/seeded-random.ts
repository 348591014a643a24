/** A small seeded PRNG (mulberry32), so a failing run can be replayed with its printed seed. */
export class SeededRandom {
  private state: number;

  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  /** Up to `max` distinct items. */
  some<T>(items: readonly T[], max: number): T[] {
    return [...items].sort(() => this.next() - 0.5).slice(0, this.int(max + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }
}

/** The seed from RELIABILITY_SEED (`make test` fixes one), or a new one, said on stderr so a run can be replayed. */
export function seedFromEnv(): number {
  const fromEnv = Number(process.env.RELIABILITY_SEED);
  if (process.env.RELIABILITY_SEED && Number.isInteger(fromEnv)) return fromEnv;
  const seed = Math.floor(Math.random() * 2 ** 31);
  process.stderr.write(`RELIABILITY_SEED is not set: this run uses seed ${seed}\n`);
  return seed;
}

/** Runs a test body whose randomness comes from `random`; a failure says which seed replays it. */
export async function replayableWith<T>(random: SeededRandom, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof Error) {
      const hint = `[seed ${random.seed}: replay with RELIABILITY_SEED=${random.seed}]`;
      // jest prints the stack, which starts with the message.
      error.stack = `${hint} ${error.stack ?? error.message}`;
    }
    throw error;
  }
}

/**
 * Seeds fast-check's properties from RELIABILITY_SEED, so `make test` replays the same cases; fast-check
 * names the seed (and the failing case's path) in the failure it reports.
 */
export function seedFastCheck(fc: { configureGlobal(parameters: { seed: number }): void }): void {
  fc.configureGlobal({ seed: seedFromEnv() });
}
