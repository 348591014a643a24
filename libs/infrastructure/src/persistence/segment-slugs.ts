import { Membership } from '@app/domain';
import { MembershipByIdRow } from './rows';
import { SqlRunner } from './sql-executor';
import { SLUGS_OF_SEGMENTS } from './sql/memberships.sql';

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

  /** The rows as memberships, by slug (byte order, as `COLLATE "C"` orders them). */
  async memberships(sql: SqlRunner, rows: MembershipByIdRow[]): Promise<Membership[]> {
    await this.learn(sql, rows);
    return this.known(rows);
  }

  /** Memberships of several answers at once: one look-up of the ids none of them knows. */
  async answers(sql: SqlRunner, answers: MembershipByIdRow[][]): Promise<Membership[][]> {
    await this.learn(sql, answers.flat());
    return answers.map((rows) => this.known(rows));
  }

  private async learn(sql: SqlRunner, rows: MembershipByIdRow[]): Promise<void> {
    if (this.slugs.size >= MAX_SEGMENTS) this.slugs.clear();
    const unknown = [...new Set(rows.map((row) => row.segment_id).filter((id) => !this.slugs.has(id)))];
    if (unknown.length === 0) return;
    const found = await sql.rows<{ id: string; slug: string }>(SLUGS_OF_SEGMENTS, [unknown]);
    for (const { id, slug } of found) this.slugs.set(id, slug);
  }

  private known(rows: MembershipByIdRow[]): Membership[] {
    const memberships: Membership[] = [];
    for (const row of rows) {
      const slug = this.slugs.get(row.segment_id);
      if (slug !== undefined) {
        memberships.push({ slug, source: row.source, addedAt: row.added_at, expiresAt: row.expires_at });
      }
    }
    return memberships.sort((a, b) => (a.slug < b.slug ? -1 : a.slug > b.slug ? 1 : 0));
  }
}
