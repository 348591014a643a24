import { changeLogTrigger } from './triggers';
import { DatabaseFunction } from './database-function';

/**
 * The change log (record_membership_change) for updates: the users before and after (a membership moved
 * from user A to B changes A's answer too), each once (at most 200: 100 rows, two users each), or NULL,
 * everyone.
 */
export const RECORD_MEMBERSHIP_UPDATE: DatabaseFunction = {
  name: 'record_membership_update',
  statements: [
    `CREATE OR REPLACE FUNCTION record_membership_update() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
  IF (SELECT count(*) FROM (SELECT 1 FROM after LIMIT 101) c) > 100 THEN
    INSERT INTO membership_changes (xid, user_id) VALUES (pg_current_xact_id(), NULL);
  ELSE
    INSERT INTO membership_changes (xid, user_id)
    SELECT pg_current_xact_id(), user_id FROM (SELECT user_id FROM before UNION SELECT user_id FROM after) users;
  END IF;
  RETURN NULL;
END
$fn$`,
    ...changeLogTrigger('UPDATE', 'record_membership_update', 'REFERENCING OLD TABLE AS before NEW TABLE AS after'),
  ],
};
