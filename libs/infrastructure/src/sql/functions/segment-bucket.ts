import { DatabaseFunction } from './database-function';

/**
 * The contract's bucket rule: md5(slug:user_id), first 8 hex digits as unsigned 32-bit, modulo 10000. A
 * segment of percent p covers the buckets below round(p * 100); analysts: the auto members of segment S
 * are the known users with segment_bucket(S.slug, user_id) < round(S.auto_percent * 100), manual members
 * aside. Every part is immutable (user_id::text, not text || bigint, which is only stable), so the planner
 * inlines it. test/bucket-rule.e2e-spec.ts proves it equals the contract.
 */
export const SEGMENT_BUCKET: DatabaseFunction = {
  name: 'segment_bucket',
  statements: [
    `CREATE OR REPLACE FUNCTION segment_bucket(slug text, user_id bigint) RETURNS int
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN (('x' || left(md5(slug || ':' || user_id::text), 8))::bit(32)::bigint % 10000)::int`,
  ],
};
