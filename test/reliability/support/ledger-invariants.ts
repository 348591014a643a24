import { replayLedger, storedMemberships } from '../../support/ledger';
import { TestApp } from '../../support/test-app';

type Sql = Pick<TestApp, 'sql'>;

/**
 * The history ledger and the memberships agree: replaying membership_history in id order (added ->
 * present, removed -> absent; a second 'added' or an orphan 'removed' throws) gives exactly the rows of
 * memberships, and no (user, segment) pair is stored twice.
 */
export async function expectLedgerMatchesMemberships(t: Sql): Promise<{ memberships: number; history: number }> {
  const duplicates = await t.sql(
    `SELECT user_id, segment_id, count(*)::int AS copies FROM memberships GROUP BY 1, 2 HAVING count(*) > 1`,
  );
  expect(duplicates).toEqual([]);
  const stored = await storedMemberships(t);
  expect(await replayLedger(t)).toEqual(stored);
  const [{ count }] = await t.sql<{ count: number }>(`SELECT count(*)::int AS count FROM membership_history`);
  return { memberships: stored.length, history: count };
}
