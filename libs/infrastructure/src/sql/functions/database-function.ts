/**
 * A database function (or trigger function with its triggers) as the repeatable step applies it: `name`
 * keys its checksum in `repeatable_migrations`; `statements` are idempotent (CREATE OR REPLACE, ALTER ...
 * ENABLE) and run again, in order, whenever their text changes. A signature or return type change cannot be
 * replaced: drop the old function in a migration first.
 */
export interface DatabaseFunction {
  name: string;
  statements: string[];
}
