import { randomBytes } from 'node:crypto';
import { MAX_PREPARED_SLICES, sliceName } from './embedded/prepared-slices';
import { KNOWN_USERS, USERS_IN_SLICE } from '../sql/auto-assignment.sql';
import type { SqlRunner } from '../sql/sql-runner';

/** The known users after `after` (exclusive) up to `upTo` (inclusive; null: no bound). */
export interface UserSlice {
  after: string;
  upTo: string | null;
}

export const ALL_USERS: UserSlice = { after: '0', upTo: null };

/**
 * How a bulk change over all users runs its parts: `one` for a part of its own (locks, the segment row),
 * `overUsers` for the per-user work, once per slice of users (the counts added up). On PostgreSQL every part
 * runs in one transaction: its readers use other connections and see the state before it until it commits.
 * In embedded mode each part is a prepared transaction of its own (prepared-slices.ts).
 */
export interface BulkSlices {
  one<T>(work: (tx: SqlRunner) => Promise<T>): Promise<T>;
  overUsers(work: (tx: SqlRunner, users: UserSlice) => Promise<number>): Promise<number>;
}

/** What the change answers, read once it is committed (on PostgreSQL: just before, in its transaction). */
export type BulkAnswer<T> = (tx: SqlRunner) => Promise<T>;

export function inOneTransaction(tx: SqlRunner): BulkSlices {
  return { one: (work) => work(tx), overUsers: (work) => work(tx, ALL_USERS) };
}

/**
 * About 50 ms of auto-assignment in PGlite on this machine's kind (docs/performance.md); more users per
 * slice only where the slices would not fit in MAX_PREPARED_SLICES (a few left for the `one` parts).
 */
const USERS_PER_SLICE = 2_000;

export interface SliceConnection {
  /** Runs `work` in a transaction that ends with PREPARE TRANSACTION `name`. */
  prepare<T>(name: string, work: (tx: SqlRunner) => Promise<T>): Promise<T>;
  /** Runs `work` on one connection, nothing else in between. */
  alone<T>(work: (run: SqlRunner) => Promise<T>): Promise<T>;
}

/** Runs `work` as prepared slices, then commits them together and reads the answer (or rolls them back). */
export async function inPreparedSlices<T>(
  connection: SliceConnection,
  work: (slices: BulkSlices) => Promise<BulkAnswer<T>>,
): Promise<T> {
  const job = randomBytes(6).toString('hex');
  const prepared: string[] = [];
  const one = async <R>(part: (tx: SqlRunner) => Promise<R>): Promise<R> => {
    if (prepared.length >= MAX_PREPARED_SLICES)
      throw new Error(`a bulk change needs more than ${MAX_PREPARED_SLICES} slices`);
    const name = sliceName(job, prepared.length + 1);
    const result = await connection.prepare(name, part);
    prepared.push(name);
    return result;
  };
  const overUsers = async (part: (tx: SqlRunner, users: UserSlice) => Promise<number>): Promise<number> => {
    const [{ count: known }] = await connection.alone((run) => run.rows<{ count: number }>(KNOWN_USERS));
    const size = Math.max(USERS_PER_SLICE, Math.ceil(known / (MAX_PREPARED_SLICES - 16)));
    let total = 0;
    for (let after = '0'; ;) {
      const { count, upTo } = await one(async (tx) => {
        // The segment row these users' memberships refer to is in the first slice, prepared, not committed
        // (new, or locked): a foreign key check would find no row, or wait for ever for its lock. It is
        // there when they commit (the first slice commits first), so the checks are off, as for a restore.
        await tx.rows('SET LOCAL session_replication_role = replica');
        const [end] = await tx.rows<{ user_id: string }>(USERS_IN_SLICE, [after, size]);
        const users = { after, upTo: end?.user_id ?? null };
        return { count: await part(tx, users), upTo: users.upTo };
      });
      total += count;
      if (upTo === null) return total;
      after = upTo;
    }
  };
  let answer: BulkAnswer<T>;
  try {
    answer = await work({ one, overUsers });
  } catch (error) {
    // Last to first (prepared-slices.ts); if this fails too, the next start rolls back what is left.
    await connection
      .alone(async (run) => {
        for (const name of [...prepared].reverse()) await run.rows(`ROLLBACK PREPARED '${name}'`);
      })
      .catch(() => undefined);
    throw error;
  }
  return connection.alone(async (run) => {
    for (const name of prepared) await run.rows(`COMMIT PREPARED '${name}'`);
    return answer(run);
  });
}
