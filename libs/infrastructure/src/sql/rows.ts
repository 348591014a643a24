import {
  HistoryEntry,
  HistoryOperation,
  HistoryReason,
  Membership,
  MembershipSource,
  Segment,
  SegmentMember,
} from '@app/domain';

export interface SegmentRow {
  slug: string;
  description: string | null;
  auto_percent: string | null;
  members: number;
  created_at: Date;
}

export interface MembershipRow {
  slug: string;
  source: MembershipSource;
  added_at: Date;
  expires_at: Date | null;
}

/** A membership naming its segment by id (the hot read: SegmentSlugs gives the slug). */
export type MembershipByIdRow = Omit<MembershipRow, 'slug'> & { segment_id: string };

export interface MemberRow {
  user_id: string;
  source: MembershipSource;
  added_at: Date;
  expires_at: Date | null;
}

export interface HistoryRow {
  user_id: string;
  segment: string;
  operation: HistoryOperation;
  reason: HistoryReason;
  at: Date;
}

export const toSegment = (row: SegmentRow): Segment => ({
  slug: row.slug,
  description: row.description,
  autoPercent: row.auto_percent === null ? null : Number(row.auto_percent),
  members: Number(row.members),
  createdAt: row.created_at,
});

export const toMembership = (row: MembershipRow): Membership => ({
  slug: row.slug,
  source: row.source,
  addedAt: row.added_at,
  expiresAt: row.expires_at,
});

export const toMember = (row: MemberRow): SegmentMember => ({
  userId: Number(row.user_id),
  source: row.source,
  addedAt: row.added_at,
  expiresAt: row.expires_at,
});

export const toHistoryEntry = (row: HistoryRow): HistoryEntry => ({
  userId: Number(row.user_id),
  segment: row.segment,
  operation: row.operation,
  reason: row.reason,
  at: row.at,
});
