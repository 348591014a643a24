import { ExpireMemberships } from './memberships/expire-memberships';
import { BuildHistoryReport } from './reports/build-history-report';
import { OpenReportFile } from './reports/open-report-file';
import { PruneReports } from './reports/prune-reports';
import { CreateSegment } from './segments/create-segment';
import { DeleteSegment } from './segments/delete-segment';
import { GetSegment } from './segments/get-segment';
import { ListSegmentMembers } from './segments/list-segment-members';
import { ListSegments } from './segments/list-segments';
import { UpdateSegment } from './segments/update-segment';
import { ApplyUserSegmentChanges } from './users/apply-user-segment-changes';
import { GetUserHistory } from './users/get-user-history';
import { GetUserSegments } from './users/get-user-segments';
import { LookUpUsersSegments } from './users/look-up-users-segments';
import { RegisterUsers } from './users/register-users';

/** Every use case, listed once: a module provides them with `providers: [...USE_CASES]`. */
export const USE_CASES = [
  CreateSegment,
  GetSegment,
  ListSegments,
  UpdateSegment,
  DeleteSegment,
  ListSegmentMembers,
  ApplyUserSegmentChanges,
  GetUserSegments,
  LookUpUsersSegments,
  GetUserHistory,
  RegisterUsers,
  ExpireMemberships,
  BuildHistoryReport,
  OpenReportFile,
  PruneReports,
];
