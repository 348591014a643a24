import request from 'supertest';

export interface ApiHistoryEntry {
  user_id: number;
  segment: string;
  operation: 'added' | 'removed';
  reason: string;
  at: string;
}

/** A user's whole history in the order the API gives it, following `next_cursor` page by page. */
export async function historyThroughApi(http: ReturnType<typeof request>, userId: number): Promise<ApiHistoryEntry[]> {
  const entries: ApiHistoryEntry[] = [];
  let cursor: string | undefined;
  for (;;) {
    const response = await http.get(`/api/v1/users/${userId}/history`).query(cursor ? { cursor } : {});
    if (response.status !== 200) throw new Error(`history of ${userId}: ${response.status} ${response.text}`);
    entries.push(...response.body.items);
    cursor = response.body.next_cursor ?? undefined;
    if (!cursor) return entries;
  }
}

const keyOf = (entry: { user_id: number | string; segment: string }) => `${entry.user_id}:${entry.segment}`;

/** Entries grouped per "user:segment", each group in the order given. */
export function ledgersOf<T extends { user_id: number | string; segment: string }>(entries: T[]): Map<string, T[]> {
  const ledgers = new Map<string, T[]>();
  for (const entry of entries) {
    const key = keyOf(entry);
    const ledger = ledgers.get(key);
    if (ledger) ledger.push(entry);
    else ledgers.set(key, [entry]);
  }
  return ledgers;
}

/**
 * What is wrong with the ledgers, per "user:segment", in the order the API gave the entries: they must
 * alternate added/removed starting with added, never go back in time, and end in the current state
 * (`held`, "user:segment" keys). A `ttl` leave must be at an expiry some response showed for that
 * membership (`expiries`, ISO times per key).
 */
export function ledgerFaults(
  entries: ApiHistoryEntry[],
  held: Set<string>,
  expiries: Map<string, Set<string>>,
): string[] {
  const faults: string[] = [];
  const ledgers = ledgersOf(entries);
  for (const [key, ledger] of ledgers) {
    const describe = () => ledger.map((e) => `${e.operation}/${e.reason}@${e.at}`).join(', ');
    ledger.forEach((entry, index) => {
      const expected = index % 2 === 0 ? 'added' : 'removed';
      if (entry.operation !== expected)
        faults.push(`${key}: entry ${index} is ${entry.operation}, expected ${expected}: ${describe()}`);
      if (index > 0 && entry.at < ledger[index - 1].at)
        faults.push(`${key}: entry ${index} goes back in time: ${describe()}`);
      if (entry.reason === 'ttl' && !expiries.get(key)?.has(entry.at)) {
        faults.push(`${key}: ttl leave at ${entry.at}, not at an expiry the membership had: ${describe()}`);
      }
    });
    const endsHeld = ledger.at(-1)?.operation === 'added';
    if (endsHeld !== held.has(key))
      faults.push(`${key}: ledger ends ${endsHeld ? 'held' : 'not held'}, state says otherwise: ${describe()}`);
  }
  for (const key of held) if (!ledgers.has(key)) faults.push(`${key}: held without any history`);
  return faults;
}

/** Per "user:segment", the operations of a CSV report's lines (`user;segment;operation;time`), in file order. */
export function csvLedgers(csv: string): Map<string, string[]> {
  const lines = csv.split('\n').filter((line) => line.length > 0);
  const ledgers = ledgersOf(
    lines.map((line) => line.split(';')).map(([user_id, segment, operation]) => ({ user_id, segment, operation })),
  );
  return new Map([...ledgers].map(([key, ledger]) => [key, ledger.map((entry) => entry.operation)]));
}
