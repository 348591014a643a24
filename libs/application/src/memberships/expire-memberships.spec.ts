import { Membership } from '@app/domain';
import { MembershipRepository } from '../ports/membership-repository';
import { ExpireMemberships } from './expire-memberships';

class DueMemberships extends MembershipRepository {
  readonly batches: number[] = [];

  constructor(private due: number) {
    super();
  }

  async expireDue(batchSize: number): Promise<number> {
    const count = Math.min(this.due, batchSize);
    this.due -= count;
    this.batches.push(count);
    return count;
  }

  async applyChanges(): Promise<Membership[]> {
    return [];
  }

  activeOfAll(): Promise<Membership[][]> {
    throw new Error('not used');
  }

  async activeOf(): Promise<Membership[]> {
    return [];
  }
}

describe('ExpireMemberships', () => {
  it('works through every due membership in bounded batches', async () => {
    const repository = new DueMemberships(25);
    expect(await new ExpireMemberships(repository).execute(10)).toBe(25);
    expect(repository.batches).toEqual([10, 10, 5]);
  });

  it('stops after one empty batch when nothing is due', async () => {
    const repository = new DueMemberships(0);
    expect(await new ExpireMemberships(repository).execute(10)).toBe(0);
    expect(repository.batches).toEqual([0]);
  });
});
