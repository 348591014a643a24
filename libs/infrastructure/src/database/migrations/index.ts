import { InitialSchema1732460000000 } from './1732460000000-initial-schema';
import { LedgerTime1796017000000 } from './1796017000000-ledger-time';
import { MembershipChanges1796017100000 } from './1796017100000-membership-changes';
import { MembershipChangesComplete1796017200000 } from './1796017200000-membership-changes-complete';
import { ChangeLogAlways1796017300000 } from './1796017300000-change-log-always';
import { SegmentDeletionAlways1796017400000 } from './1796017400000-segment-deletion-always';
import { RepeatableMigrations1796017500000 } from './1796017500000-repeatable-migrations';

/** Every migration, oldest first. */
export const migrations = [
  InitialSchema1732460000000,
  LedgerTime1796017000000,
  MembershipChanges1796017100000,
  MembershipChangesComplete1796017200000,
  ChangeLogAlways1796017300000,
  SegmentDeletionAlways1796017400000,
  RepeatableMigrations1796017500000,
];
