import { enableAlways } from './triggers';
import { DatabaseFunction } from './database-function';

/** Slugs never change (contract): `UPDATE segments SET slug` is refused, whoever runs it (fires ALWAYS). */
export const REFUSE_SLUG_CHANGE: DatabaseFunction = {
  name: 'refuse_slug_change',
  statements: [
    `CREATE OR REPLACE FUNCTION refuse_slug_change() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
  RAISE EXCEPTION 'slugs never change: segment % keeps the slug %, not %', OLD.id, OLD.slug, NEW.slug
    USING ERRCODE = 'integrity_constraint_violation',
          HINT = 'create a segment with the new slug and move the members to it';
END
$fn$`,
    `CREATE OR REPLACE TRIGGER segments_slug_never_changes BEFORE UPDATE OF slug ON segments
FOR EACH ROW WHEN (OLD.slug IS DISTINCT FROM NEW.slug) EXECUTE FUNCTION refuse_slug_change()`,
    enableAlways('segments', 'segments_slug_never_changes'),
  ],
};
