import { Segment, SegmentExistsError, SegmentMember, SegmentNotFoundError } from '@app/domain';
import { Clock } from '../ports/clock';
import { Page } from '../ports/page';
import { NewSegment, SegmentChanges, SegmentRepository } from '../ports/segment-repository';
import { CreateSegment } from './create-segment';
import { DeleteSegment } from './delete-segment';
import { GetSegment } from './get-segment';
import { ListSegmentMembers } from './list-segment-members';
import { UpdateSegment } from './update-segment';

/** Records every call; answers each with what the test set (by default: no such segment / slug taken). */
class RecordingSegments extends SegmentRepository {
  readonly calls: unknown[][] = [];
  answer: Segment | undefined = undefined;

  private record<T>(args: unknown[], value: T): Promise<T> {
    this.calls.push(args);
    return Promise.resolve(value);
  }
  create(input: NewSegment, now: Date): Promise<Segment | undefined> {
    return this.record(['create', input, now], this.answer);
  }
  findBySlug(slug: string, now: Date): Promise<Segment | undefined> {
    return this.record(['findBySlug', slug, now], this.answer);
  }
  listAfter(): Promise<Page<Segment>> {
    throw new Error('not used here');
  }
  update(slug: string, changes: SegmentChanges, now: Date): Promise<Segment | undefined> {
    return this.record(['update', slug, changes, now], this.answer);
  }
  delete(slug: string): Promise<boolean> {
    return this.record(['delete', slug], this.answer !== undefined);
  }
  membersAfter(slug: string, after: number | undefined, limit: number, now: Date): Promise<Page<SegmentMember> | undefined> {
    return this.record(['membersAfter', slug, after, limit, now], this.answer && { items: [], hasMore: false });
  }
}

const now = new Date('2030-01-01T00:00:00Z');
const clock: Clock = { now: () => now, offsetMs: () => 0 };
const segment: Segment = { slug: 'A', description: null, autoPercent: 10, members: 3, createdAt: new Date('2029-01-01T00:00:00Z') };

describe('segment use cases', () => {
  it('create passes the input at the clock’s time, answers the stored segment, and SegmentExistsError for a taken slug', async () => {
    const repository = new RecordingSegments();
    const create = new CreateSegment(repository, clock);
    const input = { slug: 'A', description: null, autoPercent: 10 };
    await expect(create.execute(input)).rejects.toThrow(new SegmentExistsError('A'));
    repository.answer = segment;
    await expect(create.execute(input)).resolves.toBe(segment);
    expect(repository.calls).toEqual([
      ['create', input, now],
      ['create', input, now],
    ]);
  });

  it('get, update, delete and members ask for the slug (at the clock’s time but delete, which the database stamps) and answer SegmentNotFoundError when it is unknown', async () => {
    const repository = new RecordingSegments();
    const notFound = new SegmentNotFoundError(['X']);
    await expect(new GetSegment(repository, clock).execute('X')).rejects.toThrow(notFound);
    await expect(new UpdateSegment(repository, clock).execute('X', { autoPercent: null })).rejects.toThrow(notFound);
    await expect(new DeleteSegment(repository).execute('X')).rejects.toThrow(notFound);
    await expect(new ListSegmentMembers(repository, clock).execute({ slug: 'X', afterUserId: 5, limit: 10 })).rejects.toThrow(notFound);
    expect(repository.calls).toEqual([
      ['findBySlug', 'X', now],
      ['update', 'X', { autoPercent: null }, now],
      ['delete', 'X'],
      ['membersAfter', 'X', 5, 10, now],
    ]);
  });
});
