import { enableAlways } from './triggers';
import { DatabaseFunction } from './database-function';

/**
 * A deleted segment takes its memberships with it, also under `session_replication_role = replica`, where
 * the foreign key's check (a trigger too) does not fire: without this, an operator's delete left
 * memberships naming a segment that no longer exists, which every instance kept answering. The change log's
 * triggers then tell every instance's cache. Outside the replica role the foreign key refuses a segment
 * that still has members (its check fires first), so this finds none: the service deletes the members
 * first, recording `segment_deleted` for each. Under the replica role nothing records history, as for any
 * SQL by hand.
 */
export const DELETE_MEMBERSHIPS_OF_DELETED_SEGMENT: DatabaseFunction = {
  name: 'delete_memberships_of_deleted_segment',
  statements: [
    `CREATE OR REPLACE FUNCTION delete_memberships_of_deleted_segment() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
  DELETE FROM memberships WHERE segment_id = OLD.id;
  RETURN NULL;
END
$fn$`,
    `CREATE OR REPLACE TRIGGER segments_deleted_take_memberships AFTER DELETE ON segments
FOR EACH ROW EXECUTE FUNCTION delete_memberships_of_deleted_segment()`,
    enableAlways('segments', 'segments_deleted_take_memberships'),
  ],
};
