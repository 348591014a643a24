export interface Segment {
  slug: string;
  description: string | null;
  autoPercent: number | null;
  /** Active (non-expired) memberships. */
  members: number;
  createdAt: Date;
}
