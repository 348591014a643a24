import { Client } from 'pg';
import { startTestApp, TestApp } from '../support/test-app';
import { postgresOnly } from '../support/test-database';
import { errorShapeProblem } from './support/error-shape';
import { leakedInternals } from './support/leak-check';
import { expectLedgerMatchesMemberships } from './support/ledger-invariants';
import { OwnCluster, startOwnCluster } from './support/own-postgres-cluster';
import { rawRequest, RawResponse } from './support/raw-http';
import { replayableWith, SeededRandom, seedFromEnv } from './support/seeded-random';
import { waitFor } from './support/wait-for';

/**
 * PostgreSQL (a cluster of this test's own) stops under load and starts again: readiness turns 503,
 * every request gets a prompt answer (503 DATABASE_UNAVAILABLE while it is down), no change set is
 * half applied, and the service recovers by itself, without a restart.
 */
const describeOnPostgres = postgresOnly(
  'reliability/database-outage: skipped on PGlite (it needs a PostgreSQL server to stop)',
);

const SLUGS = ['OUT_A', 'OUT_B', 'OUT_C', 'OUT_D', 'OUT_E'];
const WORKERS = 8;
/** Every request, during the outage too, gets its answer within this bound (DATABASE_TIMEOUT_MS is 1 s). */
const ANSWER_WITHIN_MS = 5_000;
const LIVENESS_WITHIN_MS = 5_000;
const MAX_REQUESTS = 20_000;

interface Attempt {
  set: string[];
  status: number | 'no answer';
  response?: RawResponse;
  failure?: string;
  phase: 'before' | 'outage';
}

describeOnPostgres('database outage (own PostgreSQL cluster)', () => {
  let cluster: OwnCluster | undefined;
  let t: TestApp | undefined;

  beforeAll(async () => {
    cluster = await startOwnCluster();
    const admin = new Client({ connectionString: cluster.url('postgres') });
    await admin.connect();
    await admin.query('CREATE DATABASE segments_outage');
    await admin.end();
    const url = cluster.url('segments_outage');
    t = await startTestApp({
      database: { kind: 'postgres', url, env: { DATABASE_URL: url }, drop: async () => undefined },
      env: { DATABASE_TIMEOUT_MS: '1000' },
    });
  });

  afterAll(async () => {
    await t?.close();
    cluster?.destroy();
  });

  it('answers 503 promptly while PostgreSQL is down, applies change sets whole or not at all, and recovers alone', async () => {
    const app = t!;
    const db = cluster!;
    for (const slug of SLUGS) await app.http.post('/api/v1/segments').send({ slug }).expect(201);
    const random = new SeededRandom(seedFromEnv());
    await replayableWith(random, async () => {
      const attempts: Attempt[][] = Array.from({ length: WORKERS }, () => []);
      let phase: Attempt['phase'] = 'before';
      let running = true;
      let sent = 0;

      // Each worker owns one user; change set k makes that user's segments exactly set k.
      const worker = async (index: number) => {
        const user = index + 1;
        while (running && sent < MAX_REQUESTS) {
          sent += 1;
          const set = random.some(SLUGS, SLUGS.length).sort();
          const body = JSON.stringify({ add: set, remove: SLUGS.filter((slug) => !set.includes(slug)) });
          const attempt: Attempt = { set, status: 'no answer', phase };
          attempts[index].push(attempt);
          try {
            const response = await rawRequest(app.baseUrl, {
              method: 'PATCH',
              path: `/api/v1/users/${user}/segments`,
              headers: { 'content-type': 'application/json' },
              body,
              timeoutMs: ANSWER_WITHIN_MS,
            });
            Object.assign(attempt, { status: response.status, response });
          } catch (error) {
            attempt.failure = (error as Error).message;
          }
          // Pace the loop while requests fail fast, so the outage is not a busy spin.
          if (attempt.status !== 200) await new Promise((resolve) => setTimeout(resolve, 5));
        }
      };
      const successes = () => attempts.flat().filter((attempt) => attempt.status === 200).length;
      const readiness = () =>
        rawRequest(app.baseUrl, { method: 'GET', path: '/health/ready', timeoutMs: ANSWER_WITHIN_MS });
      const ready = async () => (await readiness()).status;

      const load = Promise.all(Array.from({ length: WORKERS }, (_, index) => worker(index)));
      await waitFor('200 change sets before the outage', 30_000, () => successes() >= 200);

      phase = 'outage';
      const stoppedAt = Date.now();
      await db.stop();
      await waitFor('/health/ready to answer 503', LIVENESS_WITHIN_MS, async () => (await ready()) === 503);
      const notReady = await readiness();
      expect({ status: notReady.status, code: (notReady.json as { code?: string }).code }).toEqual({
        status: 503,
        code: 'DATABASE_UNAVAILABLE',
      });
      const outageAnswers = () =>
        attempts.flat().filter((attempt) => attempt.phase === 'outage' && attempt.status === 503).length;
      await waitFor(
        '100 answers during the outage',
        30_000,
        () => outageAnswers() >= 100 && Date.now() - stoppedAt >= 3_000,
      ).catch((error: Error) => {
        const seen = attempts.flat().filter((attempt) => attempt.phase === 'outage');
        const summary = seen.slice(-5).map((a) => `${a.status} ${a.failure ?? a.response?.text.slice(0, 200)}`);
        throw new Error(`${error.message}; ${seen.length} outage attempts, sent ${sent}, last: ${summary.join(' | ')}`);
      });
      running = false;
      await load;

      await db.start();
      const startedAt = Date.now();
      await waitFor('the service to recover', LIVENESS_WITHIN_MS, async () => {
        if ((await ready()) !== 200) return false;
        return (await app.http.get('/api/v1/segments')).status === 200;
      });
      const recoveredMs = Date.now() - startedAt;
      const outageMs = startedAt - stoppedAt;

      const all = attempts.flat();
      console.log(
        `database outage (seed ${random.seed}): ${all.length} change sets, ${all.filter((a) => a.status === 200).length} applied, ` +
          `${all.filter((a) => a.status === 503).length} answered 503; outage ${(outageMs / 1000).toFixed(1)} s, ` +
          `recovered ${recoveredMs} ms after PostgreSQL was back`,
      );

      // Every request got an answer in time: 200, or 503 DATABASE_UNAVAILABLE in the error shape with no internals.
      const wrong = all.filter(({ status, response }) => {
        if (status === 200) return false;
        if (status !== 503 || !response) return true;
        return (
          (response.json as { code?: string }).code !== 'DATABASE_UNAVAILABLE' ||
          errorShapeProblem(response, (code) => code === 503) !== undefined ||
          leakedInternals(response.text) !== undefined
        );
      });
      expect(wrong.map((a) => `${a.phase}: ${a.status} ${a.failure ?? a.response?.text.slice(0, 300)}`)).toEqual([]);
      expect(outageAnswers()).toBeGreaterThanOrEqual(100);

      // Whole or nothing: each user holds the set of its last applied change set, or of one that failed after it
      // (a change set whose COMMIT reached the server just before it stopped may have applied, unacknowledged).
      for (const [index, own] of attempts.entries()) {
        const lastApplied = own.map((attempt) => attempt.status).lastIndexOf(200);
        const candidates = own.slice(Math.max(lastApplied, 0)).map((attempt) => attempt.set.join(','));
        const held = await app.http.get(`/api/v1/users/${index + 1}/segments`).expect(200);
        const slugs = (held.body.segments as Array<{ slug: string }>)
          .map((segment) => segment.slug)
          .sort()
          .join(',');
        expect(candidates).toContain(slugs);
      }
      await expectLedgerMatchesMemberships(app);

      // And it goes on working: every user's next change set applies.
      for (let user = 1; user <= WORKERS; user++) {
        await app.http
          .patch(`/api/v1/users/${user}/segments`)
          .send({ add: ['OUT_A'], remove: ['OUT_B'] })
          .expect(200);
      }
    });
  });
});
