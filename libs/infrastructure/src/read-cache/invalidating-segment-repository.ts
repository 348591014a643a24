import { Segment, SegmentMember } from '@app/domain';
import { NewSegment, Page, SegmentChanges, SegmentRepository, SegmentWrite } from '@app/application';
import { ReadCache } from './read-cache';

/**
 * The segment port, emptying this instance's ReadCache after every change that may move memberships
 * of many users (auto-assignment, re-ranging, deletion), failed ones included: they may have committed.
 */
export class InvalidatingSegmentRepository extends SegmentRepository {
  constructor(
    private readonly database: SegmentRepository,
    private readonly cache: ReadCache,
  ) {
    super();
  }

  create(segment: NewSegment, now: Date): Promise<SegmentWrite | undefined> {
    const create = this.database.create(segment, now);
    return segment.autoPercent === null ? create : this.invalidatingAfter(create);
  }

  findBySlug(slug: string, now: Date): Promise<Segment | undefined> {
    return this.database.findBySlug(slug, now);
  }

  listAfter(afterSlug: string | undefined, limit: number, now: Date): Promise<Page<Segment>> {
    return this.database.listAfter(afterSlug, limit, now);
  }

  update(slug: string, changes: SegmentChanges, now: Date): Promise<SegmentWrite | undefined> {
    const update = this.database.update(slug, changes, now);
    return changes.autoPercent === undefined ? update : this.invalidatingAfter(update);
  }

  delete(slug: string): Promise<boolean> {
    return this.invalidatingAfter(this.database.delete(slug));
  }

  membersAfter(
    slug: string,
    afterUserId: number | undefined,
    limit: number,
    now: Date,
  ): Promise<Page<SegmentMember> | undefined> {
    return this.database.membersAfter(slug, afterUserId, limit, now);
  }

  private async invalidatingAfter<T>(change: Promise<T>): Promise<T> {
    try {
      return await change;
    } finally {
      this.cache.invalidateAll();
    }
  }
}
