import { ChangeSetPlan, ConflictingChangesError, InvalidInputError, Membership, SegmentNotFoundError } from '@app/domain';
import { Clock } from '../ports/clock';
import { MembershipRepository } from '../ports/membership-repository';
import { ApplyUserSegmentChanges } from './apply-user-segment-changes';

class FixedClock extends Clock {
  constructor(private readonly time: Date) {
    super();
  }
  now(): Date {
    return this.time;
  }
}

/** Holds memberships in a map; knows the segments it is given. */
class InMemoryMemberships extends MembershipRepository {
  readonly held = new Map<string, Membership>();
  calls = 0;

  constructor(
    private readonly segments: string[],
    private readonly now: Date,
  ) {
    super();
  }

  async applyChanges(_userId: number, plan: ChangeSetPlan): Promise<Membership[]> {
    const now = this.now;
    this.calls++;
    const missing = [...plan.add.map((a) => a.slug), ...plan.remove].filter((slug) => !this.segments.includes(slug));
    if (missing.length > 0) throw new SegmentNotFoundError(missing);
    for (const slug of plan.remove) this.held.delete(slug);
    for (const { slug, expiresAt } of plan.add) {
      this.held.set(slug, { slug, source: 'manual', addedAt: this.held.get(slug)?.addedAt ?? now, expiresAt });
    }
    return this.activeOf(0, now);
  }

  async activeOf(_userId: number, now: Date): Promise<Membership[]> {
    return [...this.held.values()]
      .filter((m) => m.expiresAt === null || m.expiresAt > now)
      .sort((a, b) => (a.slug < b.slug ? -1 : 1));
  }

  async expireDue(): Promise<number> {
    return 0;
  }
}

describe('ApplyUserSegmentChanges', () => {
  const now = new Date('2030-01-31T10:00:00.000Z');
  const setup = () => {
    const memberships = new InMemoryMemberships(['A', 'B', 'C'], now);
    return { memberships, useCase: new ApplyUserSegmentChanges(memberships, new FixedClock(now)) };
  };

  it('applies the plan with expiries fixed at the clock’s time', async () => {
    const { useCase } = setup();
    const result = await useCase.execute(1, { add: ['B', { slug: 'A', ttl: 'P1M' }] });
    expect(result).toEqual([
      { slug: 'A', source: 'manual', addedAt: now, expiresAt: new Date('2030-02-28T10:00:00.000Z') },
      { slug: 'B', source: 'manual', addedAt: now, expiresAt: null },
    ]);
  });

  it('rejects invalid change sets before touching the repository', async () => {
    const { useCase, memberships } = setup();
    await expect(useCase.execute(1, { add: ['A'], remove: ['A'] })).rejects.toThrow(ConflictingChangesError);
    await expect(useCase.execute(1, {})).rejects.toThrow(InvalidInputError);
    await expect(useCase.execute(1, { add: ['A'], ttl: 'P0D' })).rejects.toThrow(InvalidInputError);
    expect(memberships.calls).toBe(0);
  });

  it('passes the repository’s SegmentNotFoundError through', async () => {
    const { useCase } = setup();
    await expect(useCase.execute(1, { add: ['A', 'Z'] })).rejects.toThrow(SegmentNotFoundError);
  });
});
