import { changeLogTrigger } from './triggers';
import { DatabaseFunction } from './database-function';

/** The change log (record_membership_change) for TRUNCATE, which fires no row trigger: everyone changed. */
export const RECORD_MEMBERSHIPS_TRUNCATE: DatabaseFunction = {
  name: 'record_memberships_truncate',
  statements: [
    `CREATE OR REPLACE FUNCTION record_memberships_truncate() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
  INSERT INTO membership_changes (xid, user_id) VALUES (pg_current_xact_id(), NULL);
  RETURN NULL;
END
$fn$`,
    ...changeLogTrigger('TRUNCATE', 'record_memberships_truncate'),
  ],
};
