import { changeLogTrigger } from './triggers';
import { DatabaseFunction } from './database-function';

/**
 * The read caches' change log (membership_changes). Every statement that changes `memberships`, whoever
 * runs it (any instance, the cleaner, the CLI, SQL by hand), records in the same transaction which users it
 * changed (NULL: more than 200 rows, everyone), with its transaction id. Each instance polls for the rows
 * whose transactions committed since its last poll (commit order, not insert order, so none is missed).
 * NOTIFY would say the same but serializes every notifying commit, fsync included, cluster-wide
 * (docs/performance.md); this costs a row per statement. ChangeLogCleaner deletes the old rows. Inserts and
 * deletes; updates: record_membership_update; TRUNCATE: record_memberships_truncate.
 */
export const RECORD_MEMBERSHIP_CHANGE: DatabaseFunction = {
  name: 'record_membership_change',
  statements: [
    `CREATE OR REPLACE FUNCTION record_membership_change() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
  IF (SELECT count(*) FROM (SELECT 1 FROM changed LIMIT 201) c) > 200 THEN
    INSERT INTO membership_changes (xid, user_id) VALUES (pg_current_xact_id(), NULL);
  ELSE
    INSERT INTO membership_changes (xid, user_id) SELECT DISTINCT pg_current_xact_id(), user_id FROM changed;
  END IF;
  RETURN NULL;
END
$fn$`,
    ...changeLogTrigger('INSERT', 'record_membership_change', 'REFERENCING NEW TABLE AS changed'),
    ...changeLogTrigger('DELETE', 'record_membership_change', 'REFERENCING OLD TABLE AS changed'),
  ],
};
