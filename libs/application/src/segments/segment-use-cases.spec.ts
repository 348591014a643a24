import { Segment, SegmentExistsError, SegmentMember, SegmentNotFoundError } from '@app/domain';
import { FakeClock } from '../../../../test/support/fake-clock';
import { AutoAssignmentTrigger, NO_COUNTERS, OutcomeCounters } from '../ports/outcome-counters';
import { Page } from '../ports/page';
import { NewSegment, SegmentChanges, SegmentRepository, SegmentWrite } from '../ports/segment-repository';
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
  create(input: NewSegment, now: Date): Promise<SegmentWrite | undefined> {
    return this.record(
      ['create', input, now],
      this.answer && { segment: this.answer, autoAssigned: this.answer.members },
    );
  }
  findBySlug(slug: string, now: Date): Promise<Segment | undefined> {
    return this.record(['findBySlug', slug, now], this.answer);
  }
  listAfter(): Promise<Page<Segment>> {
    throw new Error('not used here');
  }
  update(slug: string, changes: SegmentChanges, now: Date): Promise<SegmentWrite | undefined> {
    return this.record(['update', slug, changes, now], this.answer && { segment: this.answer, autoAssigned: 2 });
  }
  delete(slug: string): Promise<boolean> {
    return this.record(['delete', slug], this.answer !== undefined);
  }
  membersAfter(
    slug: string,
    after: number | undefined,
    limit: number,
    now: Date,
  ): Promise<Page<SegmentMember> | undefined> {
    return this.record(['membersAfter', slug, after, limit, now], this.answer && { items: [], hasMore: false });
  }
}

class RecordingCounters extends OutcomeCounters {
  readonly autoAssignments: Array<[AutoAssignmentTrigger, number]> = [];
  autoAssigned(trigger: AutoAssignmentTrigger, memberships: number): void {
    this.autoAssignments.push([trigger, memberships]);
  }
  reportBuilt(): void {}
  reportStorageFailed(): void {}
}

const now = new Date('2030-01-01T00:00:00Z');
const clock = new FakeClock(now);
const segment: Segment = {
  slug: 'A',
  description: null,
  autoPercent: 10,
  members: 3,
  createdAt: new Date('2029-01-01T00:00:00Z'),
};

describe('segment use cases', () => {
  it('create passes the input at the clock’s time, answers the stored segment, and SegmentExistsError for a taken slug', async () => {
    const repository = new RecordingSegments();
    const counters = new RecordingCounters();
    const create = new CreateSegment(repository, clock, counters);
    const input = { slug: 'A', description: null, autoPercent: 10 };
    await expect(create.execute(input)).rejects.toThrow(new SegmentExistsError('A'));
    repository.answer = segment;
    await expect(create.execute(input)).resolves.toBe(segment);
    expect(repository.calls).toEqual([
      ['create', input, now],
      ['create', input, now],
    ]);
    expect(counters.autoAssignments).toEqual([['segment_created', 3]]);
  });

  it('update counts the auto memberships the repository made, and refuses a change of nothing before asking it', async () => {
    const repository = new RecordingSegments();
    repository.answer = segment;
    const counters = new RecordingCounters();
    const update = new UpdateSegment(repository, clock, counters);
    await expect(update.execute('A', {})).rejects.toThrow('nothing to change: give description and/or auto_percent');
    await expect(update.execute('A', { autoPercent: 20 })).resolves.toBe(segment);
    expect(repository.calls).toEqual([['update', 'A', { autoPercent: 20 }, now]]);
    expect(counters.autoAssignments).toEqual([['segment_updated', 2]]);
  });

  it('get, update, delete and members ask for the slug (at the clock’s time but delete, which the database stamps) and answer SegmentNotFoundError when it is unknown', async () => {
    const repository = new RecordingSegments();
    const notFound = new SegmentNotFoundError(['X']);
    await expect(new GetSegment(repository, clock).execute('X')).rejects.toThrow(notFound);
    await expect(new UpdateSegment(repository, clock, NO_COUNTERS).execute('X', { autoPercent: null })).rejects.toThrow(
      notFound,
    );
    await expect(new DeleteSegment(repository).execute('X')).rejects.toThrow(notFound);
    await expect(
      new ListSegmentMembers(repository, clock).execute({ slug: 'X', afterUserId: 5, limit: 10 }),
    ).rejects.toThrow(notFound);
    expect(repository.calls).toEqual([
      ['findBySlug', 'X', now],
      ['update', 'X', { autoPercent: null }, now],
      ['delete', 'X'],
      ['membersAfter', 'X', 5, 10, now],
    ]);
  });
});
