import { TestApp } from './test-app';

/** Memberships as the history ledger says they should be: replay added/removed in id order. */
export async function replayLedger(t: Pick<TestApp, 'sql'>): Promise<string[]> {
  const entries = await t.sql<{ user_id: string; segment: string; operation: string }>(
    `SELECT user_id, segment, operation FROM membership_history ORDER BY id`,
  );
  const held = new Set<string>();
  for (const entry of entries) {
    const key = `${entry.user_id}:${entry.segment}`;
    if (entry.operation === 'added') {
      if (held.has(key)) throw new Error(`ledger adds ${key} twice in a row`);
      held.add(key);
    } else {
      if (!held.has(key)) throw new Error(`ledger removes ${key}, which it never added`);
      held.delete(key);
    }
  }
  return [...held].sort();
}

/** The memberships table (expired rows included: the ledger records them until they are swept). */
export async function storedMemberships(t: Pick<TestApp, 'sql'>): Promise<string[]> {
  const rows = await t.sql<{ key: string }>(
    `SELECT m.user_id || ':' || s.slug AS key FROM memberships m JOIN segments s ON s.id = m.segment_id`,
  );
  return rows.map((row) => row.key).sort();
}
