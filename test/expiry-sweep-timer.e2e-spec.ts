import { ExpireMemberships } from '@app/application';
import { ExpirySweepJob } from '../apps/api/src/jobs/expiry-sweep.job';
import { waitFor } from './reliability/support/wait-for';
import { startTestApp, TestApp } from './support/test-app';

/**
 * The cleaner on its own timer (EXPIRY_SWEEP_SECONDS=1): nothing here calls it by hand. The waits are
 * liveness bounds (many intervals), not speed measurements.
 */
describe('the expiry cleaner on its timer', () => {
  let t: TestApp;
  let job: ExpirySweepJob;
  let expire: ExpireMemberships;
  const HOUR = 3600_000;
  const WITHIN_MS = 20_000;

  beforeAll(async () => {
    t = await startTestApp({ env: { EXPIRY_SWEEP_SECONDS: '1' } });
    job = t.app.get(ExpirySweepJob);
    expire = t.app.get(ExpireMemberships);
    await t.http.post('/api/v1/segments').send({ slug: 'TIMER' }).expect(201);
  });
  afterEach(() => jest.restoreAllMocks());
  afterAll(() => t.close());

  const stored = async (userId: number) =>
    (await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM memberships WHERE user_id = $1`, [userId]))[0].n;
  const ttlLeaves = async (userId: number) =>
    (
      await t.sql<{ at: Date }>(
        `SELECT at FROM membership_history WHERE user_id = $1 AND operation = 'removed' AND reason = 'ttl'`,
        [userId],
      )
    ).map((row) => row.at.toISOString());
  /** Adds a one-hour membership for `userId`, then moves the clock past its expiry. */
  const dueMembership = async (userId: number): Promise<string> => {
    const added = await t.http
      .patch(`/api/v1/users/${userId}/segments`)
      .send({ add: ['TIMER'], ttl: 'PT1H' })
      .expect(200);
    t.clock.advance(2 * HOUR);
    return added.body.segments[0].expires_at;
  };

  it('fires by itself and ends a due membership, recorded at its expires_at', async () => {
    const expiresAt = await dueMembership(1);
    await waitFor('the timer to sweep user 1', WITHIN_MS, async () => (await stored(1)) === 0);
    expect(await ttlLeaves(1)).toEqual([expiresAt]);
  });

  it('skips ticks while a sweep is still running, and sweeps again once it ends', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const execute = expire.execute.bind(expire);
    const sweeps = jest.spyOn(expire, 'execute').mockImplementationOnce(async (batchSize) => {
      await gate;
      return execute(batchSize);
    });
    const ticks = jest.spyOn(job, 'tick');
    await waitFor('a sweep to start', WITHIN_MS, () => sweeps.mock.calls.length === 1);
    const ticksAtStart = ticks.mock.calls.length;
    await dueMembership(2);
    await waitFor(
      'three more ticks during the held sweep',
      WITHIN_MS,
      () => ticks.mock.calls.length >= ticksAtStart + 3,
    );
    expect(sweeps.mock.calls.length).toBe(1);
    expect(await stored(2)).toBe(1);

    release();
    await waitFor('the sweeps to end user 2', WITHIN_MS, async () => (await stored(2)) === 0);
    expect(await ttlLeaves(2)).toHaveLength(1);
  });

  it('a failing sweep does not stop the timer: the next tick ends what the failed one could not', async () => {
    const outcomes: string[] = [];
    const execute = expire.execute.bind(expire);
    jest.spyOn(expire, 'execute').mockImplementation(async (batchSize) => {
      try {
        const expired = await execute(batchSize);
        outcomes.push('ended');
        return expired;
      } catch (error) {
        outcomes.push('failed');
        throw error;
      }
    });
    const added = await t.http
      .patch('/api/v1/users/3/segments')
      .send({ add: ['TIMER'], ttl: 'PT1H' })
      .expect(200);
    // A real database failure: the ledger table is gone, so the sweep's statement fails.
    await t.sql(`ALTER TABLE membership_history RENAME TO membership_history_away`);
    try {
      t.clock.advance(2 * HOUR);
      const before = outcomes.length;
      await waitFor(
        'two sweeps to fail',
        WITHIN_MS,
        () => outcomes.slice(before).filter((o) => o === 'failed').length >= 2,
      );
      expect(await stored(3)).toBe(1);
    } finally {
      await t.sql(`ALTER TABLE membership_history_away RENAME TO membership_history`);
    }
    await waitFor('a later sweep to end user 3', WITHIN_MS, async () => (await stored(3)) === 0);
    expect(await ttlLeaves(3)).toEqual([added.body.segments[0].expires_at]);
    expect(outcomes[outcomes.length - 1]).toBe('ended');
  });
});
