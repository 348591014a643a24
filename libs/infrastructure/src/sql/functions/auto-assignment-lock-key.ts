import { DatabaseFunction } from './database-function';

/**
 * The advisory lock that serializes what decides auto membership (auto segments created, re-ranged,
 * deleted: exclusive) against what makes users known (registration, a change set's new user: shared), so
 * that no newly known user misses a segment. Every path takes it by this key.
 */
export const AUTO_ASSIGNMENT_LOCK_KEY: DatabaseFunction = {
  name: 'auto_assignment_lock_key',
  statements: [
    `CREATE OR REPLACE FUNCTION auto_assignment_lock_key() RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN 7300417`,
  ],
};
