import { planChangeSet } from './change-set';
import { ConflictingChangesError, InvalidInputError } from './errors/errors';

const now = new Date('2030-01-31T10:00:00.000Z');

describe('planning a change set', () => {
  it('applies top-level expiry to items without their own, and an item’s own value wins', () => {
    const plan = planChangeSet(
      {
        add: ['A', { slug: 'B', ttl: 'P1D' }, { slug: 'C', expiresAt: '2030-06-01T00:00:00Z' }],
        ttl: 'P1M',
        remove: ['D'],
      },
      now,
    );
    expect(plan).toEqual({
      add: [
        { slug: 'A', expiresAt: new Date('2030-02-28T10:00:00.000Z') },
        { slug: 'B', expiresAt: new Date('2030-02-01T10:00:00.000Z') },
        { slug: 'C', expiresAt: new Date('2030-06-01T00:00:00.000Z') },
      ],
      remove: ['D'],
    });
  });

  it('makes memberships permanent when nothing says otherwise, and drops duplicate removals', () => {
    expect(planChangeSet({ add: ['A'], remove: ['B', 'B'] }, now)).toEqual({
      add: [{ slug: 'A', expiresAt: null }],
      remove: ['B'],
    });
  });

  it('rejects an empty change set, duplicates in add, and conflicts', () => {
    expect(() => planChangeSet({}, now)).toThrow(InvalidInputError);
    expect(() => planChangeSet({ add: [], remove: [] }, now)).toThrow(InvalidInputError);
    expect(() => planChangeSet({ add: ['A', { slug: 'A' }] }, now)).toThrow(/listed twice/);
    expect(() => planChangeSet({ add: ['A', 'B'], remove: ['B', 'C'] }, now)).toThrow(ConflictingChangesError);
  });

  it('rejects both expiry forms at one level, past times and bad durations', () => {
    expect(() => planChangeSet({ add: ['A'], ttl: 'P1D', expiresAt: '2031-01-01T00:00:00Z' }, now)).toThrow(/not both/);
    expect(() => planChangeSet({ add: [{ slug: 'A', ttl: 'P1D', expiresAt: '2031-01-01T00:00:00Z' }] }, now)).toThrow(
      /add A/,
    );
    expect(() => planChangeSet({ add: ['A'], expiresAt: now.toISOString() }, now)).toThrow(/not in the future/);
    expect(() => planChangeSet({ add: ['A'], ttl: 'P0D' }, now)).toThrow(/zero/);
  });

  it('rejects more than 100 slugs in a list', () => {
    const many = Array.from({ length: 101 }, (_, i) => `S${i}`);
    expect(() => planChangeSet({ remove: many }, now)).toThrow(/at most 100/);
  });
});
