import { Segment, SegmentExistsError, SegmentMember, SegmentNotFoundError } from '@app/domain';
import { Clock } from '../ports/clock';
import { Page } from '../ports/page';
import { NewSegment, SegmentChanges, SegmentRepository } from '../ports/segment-repository';
import { CreateSegment } from './create-segment';
import { DeleteSegment } from './delete-segment';
import { GetSegment } from './get-segment';
import { ListSegmentMembers } from './list-segment-members';
import { UpdateSegment } from './update-segment';

class InMemorySegments extends SegmentRepository {
  readonly segments = new Map<string, Segment>();

  async create(input: NewSegment, now: Date): Promise<Segment | undefined> {
    if (this.segments.has(input.slug)) return undefined;
    const segment = { ...input, members: 0, createdAt: now };
    this.segments.set(input.slug, segment);
    return segment;
  }
  async findBySlug(slug: string): Promise<Segment | undefined> {
    return this.segments.get(slug);
  }
  async listAfter(): Promise<Page<Segment>> {
    return { items: [...this.segments.values()], hasMore: false };
  }
  async update(slug: string, changes: SegmentChanges): Promise<Segment | undefined> {
    const segment = this.segments.get(slug);
    if (!segment) return undefined;
    if (changes.description !== undefined) segment.description = changes.description;
    return segment;
  }
  async delete(slug: string): Promise<boolean> {
    return this.segments.delete(slug);
  }
  async membersAfter(slug: string): Promise<Page<SegmentMember> | undefined> {
    return this.segments.has(slug) ? { items: [], hasMore: false } : undefined;
  }
}

const clock: Clock = { now: () => new Date('2030-01-01T00:00:00Z'), offsetMs: () => 0 };

describe('segment use cases', () => {
  it('create answers SegmentExistsError for a taken slug', async () => {
    const repository = new InMemorySegments();
    const create = new CreateSegment(repository, clock);
    const created = await create.execute({ slug: 'A', description: null, autoPercent: null });
    expect(created.createdAt).toEqual(clock.now());
    await expect(create.execute({ slug: 'A', description: null, autoPercent: null })).rejects.toThrow(SegmentExistsError);
  });

  it('get, update, delete and members answer SegmentNotFoundError for an unknown slug', async () => {
    const repository = new InMemorySegments();
    await expect(new GetSegment(repository, clock).execute('X')).rejects.toThrow(SegmentNotFoundError);
    await expect(new UpdateSegment(repository, clock).execute('X', { description: 'd' })).rejects.toThrow(SegmentNotFoundError);
    await expect(new DeleteSegment(repository).execute('X')).rejects.toThrow(SegmentNotFoundError);
    await expect(new ListSegmentMembers(repository, clock).execute({ slug: 'X', limit: 10 })).rejects.toThrow(
      new SegmentNotFoundError(['X']),
    );
  });
});
