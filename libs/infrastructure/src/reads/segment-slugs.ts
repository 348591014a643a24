import { Membership } from '@app/domain';
import { SqlRunner } from '../database/sql-executor';
import { SLUGS_OF_SEGMENTS } from '../sql/memberships.sql';
import { MembershipByIdRow } from '../sql/rows';

/** Segment ids remembered at most: past it the map starts again (segments are few; ids are never reused). */
const MAX_SEGMENTS = 100_000;

/**
 * Segment id -> slug, for the hot read, which thereby reads one index of `memberships` and joins nothing.
 * A segment's slug never changes, so an entry is never stale. An id not known yet (a segment created
 * since, perhaps by another instance) is looked up on the database the rows came from, which has the
 * segment since it has rows naming it; a segment deleted between the two reads took its memberships
 * with it, and its rows are left out.
 */
export class SegmentSlugs {
  private readonly slugs = new Map<string, string>();

  constructor(private readonly maxSegments = MAX_SEGMENTS) {}

  /** The rows as memberships, by slug (byte order, as `COLLATE "C"` orders them). */
  async memberships(sql: SqlRunner, rows: MembershipByIdRow[]): Promise<Membership[]> {
    return this.named(rows, await this.slugsOf(sql, rows));
  }

  /** Memberships of several answers at once: one look-up of the ids none of them knows. */
  async answers(sql: SqlRunner, answers: MembershipByIdRow[][]): Promise<Membership[][]> {
    const slugs = await this.slugsOf(sql, answers.flat());
    return answers.map((rows) => this.named(rows, slugs));
  }

  /**
   * The slugs of the rows' segments, as this read found them: kept apart from the shared map, which another
   * read may empty (MAX_SEGMENTS) while this one waits for its look-up.
   */
  private async slugsOf(sql: SqlRunner, rows: MembershipByIdRow[]): Promise<Map<string, string>> {
    const slugs = new Map<string, string>();
    const unknown = new Set<string>();
    for (const { segment_id: id } of rows) {
      const slug = this.slugs.get(id);
      if (slug === undefined) unknown.add(id);
      else slugs.set(id, slug);
    }
    if (unknown.size === 0) return slugs;
    const found = await sql.rows<{ id: string; slug: string }>(SLUGS_OF_SEGMENTS, [[...unknown]]);
    if (this.slugs.size + found.length > this.maxSegments) this.slugs.clear();
    for (const { id, slug } of found) {
      this.slugs.set(id, slug);
      slugs.set(id, slug);
    }
    return slugs;
  }

  private named(rows: MembershipByIdRow[], slugs: Map<string, string>): Membership[] {
    const memberships: Membership[] = [];
    for (const row of rows) {
      const slug = slugs.get(row.segment_id);
      if (slug !== undefined) {
        memberships.push({ slug, source: row.source, addedAt: row.added_at, expiresAt: row.expires_at });
      }
    }
    return memberships.sort((a, b) => (a.slug < b.slug ? -1 : a.slug > b.slug ? 1 : 0));
  }
}
