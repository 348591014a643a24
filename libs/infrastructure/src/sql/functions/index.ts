import { APPLY_CHANGE_SET } from './apply-change-set';
import { AUTO_ASSIGNMENT_LOCK_KEY } from './auto-assignment-lock-key';
import { DatabaseFunction } from './database-function';
import { DELETE_MEMBERSHIPS_OF_DELETED_SEGMENT } from './delete-memberships-of-deleted-segment';
import { JOIN_AUTO_SEGMENTS } from './join-auto-segments';
import { LEAVE_EXPIRED } from './leave-expired';
import { LEDGER_TIME } from './ledger-time';
import { RECORD_MEMBERSHIP_CHANGE } from './record-membership-change';
import { RECORD_MEMBERSHIP_UPDATE } from './record-membership-update';
import { RECORD_MEMBERSHIPS_TRUNCATE } from './record-memberships-truncate';
import { REFUSE_SLUG_CHANGE } from './refuse-slug-change';
import { SEGMENT_BUCKET } from './segment-bucket';

/** Every database function and trigger, in the order they are applied (a trigger after its function). */
export const DATABASE_FUNCTIONS: DatabaseFunction[] = [
  LEDGER_TIME,
  SEGMENT_BUCKET,
  AUTO_ASSIGNMENT_LOCK_KEY,
  JOIN_AUTO_SEGMENTS,
  LEAVE_EXPIRED,
  APPLY_CHANGE_SET,
  RECORD_MEMBERSHIP_CHANGE,
  RECORD_MEMBERSHIP_UPDATE,
  RECORD_MEMBERSHIPS_TRUNCATE,
  REFUSE_SLUG_CHANGE,
  DELETE_MEMBERSHIPS_OF_DELETED_SEGMENT,
];
