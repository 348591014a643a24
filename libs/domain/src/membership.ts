export type MembershipSource = 'manual' | 'auto';
export type HistoryOperation = 'added' | 'removed';
export type HistoryReason = 'manual' | 'auto' | 'ttl' | 'segment_deleted';

export interface Membership {
  slug: string;
  source: MembershipSource;
  addedAt: Date;
  expiresAt: Date | null;
}

export interface SegmentMember {
  userId: number;
  source: MembershipSource;
  addedAt: Date;
  expiresAt: Date | null;
}

export interface HistoryEntry {
  userId: number;
  segment: string;
  operation: HistoryOperation;
  reason: HistoryReason;
  at: Date;
}
