import { ExpireMemberships } from '@app/application';
import { FakeClock } from '../support/fake-clock';
import { startTestApp, TestApp } from '../support/test-app';
import { createPostgresDatabase, postgresOnly, TestDatabase } from '../support/test-database';
import { expectLedgerMatchesMemberships } from './support/ledger-invariants';
import { runMixedWorkload, WORKLOAD_SLUGS, WORKLOAD_USERS } from './support/mixed-workload';
import { replayableWith, SeededRandom, seedFromEnv } from './support/seeded-random';

/**
 * Many parallel random change sets (with TTLs), expiry sweeps on a moving shared clock, segment
 * deletions and re-creations, auto_percent changes and registrations over shared users and segments.
 * Afterwards the memberships are exactly the replay of the history ledger.
 */
const describeOnPostgres = postgresOnly(
  'reliability/concurrency: skipped on PGlite (one connection, no true concurrency)',
);

const OPERATIONS = 1500;
const WORKERS = 16;

describeOnPostgres('concurrency invariant (PostgreSQL)', () => {
  let database: TestDatabase;
  const apps: TestApp[] = [];

  beforeEach(async () => {
    database = await createPostgresDatabase();
  });

  afterEach(async () => {
    for (const app of apps.splice(0)) await app.close();
    await database.drop();
  });

  async function seed(app: TestApp): Promise<void> {
    for (const [index, slug] of WORKLOAD_SLUGS.slice(0, 4).entries()) {
      await app.http
        .post('/api/v1/segments')
        .send(index % 2 ? { slug, auto_percent: 40 } : { slug })
        .expect(201);
    }
    await app.http
      .post('/api/v1/users')
      .send({ user_ids: WORKLOAD_USERS.slice(0, 20) })
      .expect(200);
  }

  it.each([1, 2])(
    'keeps memberships equal to the replay of the history with %i app instance(s) on one database',
    async (instances) => {
      const clock = new FakeClock();
      for (let i = 0; i < instances; i++) apps.push(await startTestApp({ database, clock }));
      await seed(apps[0]);
      const random = new SeededRandom(seedFromEnv());
      await replayableWith(random, async () => {
        const report = await runMixedWorkload({ apps, clock, random, operations: OPERATIONS, workers: WORKERS });
        console.log(
          `concurrency (${instances} instance(s), seed ${random.seed}): ${report.operations} operations ` +
            JSON.stringify(report.byKind),
        );
        expect(report.unexpected).toEqual([]);

        // Mid-run state first (expired rows still stored, each with its ledger entry), then after a final sweep.
        const during = await expectLedgerMatchesMemberships(apps[0]);
        clock.advance(2 * 24 * 3600_000);
        await apps[0].app.get(ExpireMemberships).execute();
        const after = await expectLedgerMatchesMemberships(apps[0]);
        const [{ due }] = await apps[0].sql<{ due: number }>(
          `SELECT count(*)::int AS due FROM memberships WHERE expires_at <= $1`,
          [clock.now()],
        );
        expect(due).toBe(0);
        console.log(
          `ledger checked: ${during.history} history entries, ${during.memberships} memberships; after the final sweep ${after.memberships}`,
        );
      });
    },
  );
});
