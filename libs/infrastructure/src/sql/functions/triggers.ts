/**
 * Fired also under `session_replication_role = replica` (an operator's session, logical replication's
 * apply), where ordinary (ORIGIN) triggers do not. Right for the change log and the slug and segment rules;
 * it would be wrong for a trigger writing history (the ledger arrives with the rows it describes, so a
 * restored or replicated change would be recorded twice): the service writes history in its statements.
 * `pg_restore --disable-triggers` re-enables triggers as ORIGIN: migrating again sets ALWAYS back only if
 * the text changed, so run these statements by hand then (docs/scaling.md); meanwhile the poller treats
 * change-log triggers that are not ALWAYS as "everyone changed".
 */
export const enableAlways = (table: string, trigger: string) => `ALTER TABLE ${table} ENABLE ALWAYS TRIGGER ${trigger}`;

/** A change-log trigger on memberships: AFTER `event`, once per statement, calling `fn`. */
export function changeLogTrigger(
  event: 'INSERT' | 'UPDATE' | 'DELETE' | 'TRUNCATE',
  fn: string,
  transitions = '',
): string[] {
  const name = `memberships_record_${event.toLowerCase()}`;
  return [
    `CREATE OR REPLACE TRIGGER ${name} AFTER ${event} ON memberships ${transitions}
FOR EACH STATEMENT EXECUTE FUNCTION ${fn}()`,
    enableAlways('memberships', name),
  ];
}
