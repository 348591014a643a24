import {
  ChangeSetPlan,
  ConflictingChangesError,
  InvalidInputError,
  Membership,
  SegmentNotFoundError,
} from '@app/domain';
import { FakeClock } from '../../../../test/support/fake-clock';
import { MembershipRepository } from '../ports/membership-repository';
import { ApplyUserSegmentChanges } from './apply-user-segment-changes';

/** Records what the use case asks of the repository; answers with what the test gives it. */
class RecordingMemberships extends MembershipRepository {
  readonly calls: Array<{ userId: number; plan: ChangeSetPlan }> = [];

  constructor(private readonly answer: () => Promise<Membership[]>) {
    super();
  }

  applyChanges(userId: number, plan: ChangeSetPlan): Promise<Membership[]> {
    this.calls.push({ userId, plan });
    return this.answer();
  }

  activeOfAll(): Promise<Membership[][]> {
    throw new Error('not used');
  }

  activeOf(): Promise<Membership[]> {
    throw new Error('not used by ApplyUserSegmentChanges');
  }

  expireDue(): Promise<number> {
    throw new Error('not used by ApplyUserSegmentChanges');
  }
}

describe('ApplyUserSegmentChanges', () => {
  const now = new Date('2030-01-31T10:00:00.000Z');
  const held: Membership[] = [
    { slug: 'A', source: 'auto', addedAt: new Date('2029-12-01T00:00:00.000Z'), expiresAt: null },
  ];
  const setup = (answer = () => Promise.resolve(held)) => {
    const memberships = new RecordingMemberships(answer);
    return { memberships, useCase: new ApplyUserSegmentChanges(memberships, new FakeClock(now)) };
  };

  it('asks for one plan with every expiry fixed at the clock’s time (P1M from Jan 31 is Feb 28), and answers what is held', async () => {
    const { useCase, memberships } = setup();
    const result = await useCase.execute(7, {
      add: ['B', { slug: 'A', ttl: 'P1M' }, { slug: 'C' }],
      remove: ['D', 'D'],
      expiresAt: '2030-03-01T00:00:00Z',
    });
    expect(memberships.calls).toEqual([
      {
        userId: 7,
        plan: {
          add: [
            { slug: 'B', expiresAt: new Date('2030-03-01T00:00:00.000Z') },
            { slug: 'A', expiresAt: new Date('2030-02-28T10:00:00.000Z') },
            { slug: 'C', expiresAt: new Date('2030-03-01T00:00:00.000Z') },
          ],
          remove: ['D'],
        },
      },
    ]);
    expect(result).toBe(held);
  });

  it('rejects invalid change sets before touching the repository', async () => {
    const { useCase, memberships } = setup();
    await expect(useCase.execute(1, { add: ['A'], remove: ['A'] })).rejects.toThrow(ConflictingChangesError);
    await expect(useCase.execute(1, {})).rejects.toThrow(InvalidInputError);
    await expect(useCase.execute(1, { add: ['A'], ttl: 'P0D' })).rejects.toThrow(InvalidInputError);
    await expect(useCase.execute(1, { add: ['A', { slug: 'A', ttl: 'P1D' }] })).rejects.toThrow(InvalidInputError);
    expect(memberships.calls).toEqual([]);
  });

  it('passes the repository’s SegmentNotFoundError through', async () => {
    const { useCase } = setup(() => Promise.reject(new SegmentNotFoundError(['Z'])));
    await expect(useCase.execute(1, { add: ['A', 'Z'] })).rejects.toThrow(new SegmentNotFoundError(['Z']));
  });
});
