import { DatabaseFunction } from './database-function';

/**
 * The ledger's clock (contract v1.1): the database's clock, to the millisecond, shifted by the service
 * clock's offset from the system clock (0 in production; tests move a fake clock). One clock for every
 * instance.
 */
export const LEDGER_TIME: DatabaseFunction = {
  name: 'ledger_time',
  statements: [
    `CREATE OR REPLACE FUNCTION ledger_time(clock_offset_ms bigint) RETURNS timestamptz
LANGUAGE sql VOLATILE
RETURN date_trunc('milliseconds', clock_timestamp() + clock_offset_ms * interval '1 millisecond')`,
  ],
};
