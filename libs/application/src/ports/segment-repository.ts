import { Segment, SegmentMember } from '@app/domain';
import { Page } from './page';

export interface NewSegment {
  slug: string;
  description: string | null;
  autoPercent: number | null;
}

export interface SegmentChanges {
  description?: string | null;
  autoPercent?: number | null;
}

/** A segment as a write left it, and how many auto memberships the write made. */
export interface SegmentWrite {
  segment: Segment;
  autoAssigned: number;
}

export abstract class SegmentRepository {
  /** Creates the segment and, for an auto segment, joins every known user in range. Undefined if the slug is taken. */
  abstract create(segment: NewSegment, now: Date): Promise<SegmentWrite | undefined>;
  abstract findBySlug(slug: string, now: Date): Promise<Segment | undefined>;
  abstract listAfter(afterSlug: string | undefined, limit: number, now: Date): Promise<Page<Segment>>;
  /** Applies the changes (re-balancing auto members when the percent moves). Undefined if no such segment. */
  abstract update(slug: string, changes: SegmentChanges, now: Date): Promise<SegmentWrite | undefined>;
  /** Deletes the segment and every membership in it, with history. False if no such segment. */
  abstract delete(slug: string): Promise<boolean>;
  /** Active members ordered by user id. Undefined if no such segment. */
  abstract membersAfter(
    slug: string,
    afterUserId: number | undefined,
    limit: number,
    now: Date,
  ): Promise<Page<SegmentMember> | undefined>;
}
