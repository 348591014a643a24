import { Clock } from '@app/application';
import { SqlRunner } from '../database/sql-executor';
import { LEDGER_TIME } from '../sql/ledger.sql';

/**
 * The time to stamp this transaction's history entries with. Call it once the transaction holds the
 * rows it changes: every earlier change of those rows has then taken effect, so `at` never sorts
 * before them. The database's clock (one clock for every instance), shifted by the service clock's offset.
 */
export async function ledgerTime(tx: SqlRunner, clock: Clock): Promise<Date> {
  const [{ at }] = await tx.rows<{ at: Date }>(LEDGER_TIME, [clock.offsetMs()]);
  return at;
}
