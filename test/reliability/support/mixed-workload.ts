import { ExpireMemberships } from '@app/application';
import { FakeClock } from '../../support/fake-clock';
import { TestApp } from '../../support/test-app';
import { SeededRandom } from './seeded-random';

export const WORKLOAD_SLUGS = ['MIX_A', 'MIX_B', 'MIX_C', 'MIX_D', 'MIX_E', 'MIX_F'];
export const WORKLOAD_USERS = Array.from({ length: 40 }, (_, index) => index + 1);
const TTLS = ['PT1M', 'PT5M', 'PT30M', 'PT2H', 'P1D'];

export interface WorkloadReport {
  operations: number;
  byKind: Record<string, number>;
  /** Answers outside the statuses the operation may give, each described. */
  unexpected: string[];
}

interface Operation {
  kind: string;
  run(app: TestApp): Promise<string | undefined>;
}

/** Calls `send` and describes the answer when its status is not one of `allowed`. */
async function expectStatus(
  what: string,
  allowed: number[],
  send: () => Promise<{ status: number; text: string }>,
): Promise<string | undefined> {
  const response = await send();
  return allowed.includes(response.status) ? undefined : `${what} -> ${response.status} ${response.text.slice(0, 300)}`;
}

function percent(random: SeededRandom): number {
  return (1 + random.int(10_000)) / 100;
}

/** Expiry at the time of sending: hours ahead, as concurrent sweeps move the shared clock minutes at a time. */
function changeSet(random: SeededRandom, clock: FakeClock): () => Record<string, unknown> {
  const add = random.some(WORKLOAD_SLUGS, 3);
  const remove = random.some(
    WORKLOAD_SLUGS.filter((slug) => !add.includes(slug)),
    2,
  );
  if (add.length + remove.length === 0) add.push(random.pick(WORKLOAD_SLUGS));
  const items = add.map((slug) => (random.chance(0.3) ? { slug, ttl: random.pick(TTLS) } : slug));
  const style = random.int(10);
  const ttl = random.pick(TTLS);
  const aheadMs = (6 * 3_600 + random.int(3_600)) * 1000;
  return () => {
    const expiry =
      style < 3 ? { ttl } : style < 5 ? { expires_at: new Date(clock.now().getTime() + aheadMs).toISOString() } : {};
    return { add: items, remove, ...expiry };
  };
}

/** One random operation of the mix. Statuses a correct service may give under races are allowed. */
function nextOperation(random: SeededRandom, clock: FakeClock): Operation {
  const roll = random.int(100);
  const slug = random.pick(WORKLOAD_SLUGS);
  const user = random.pick(WORKLOAD_USERS);
  if (roll < 45) {
    const makeBody = changeSet(random, clock);
    return {
      kind: 'change set',
      run: (app) => {
        const body = makeBody();
        return expectStatus(`PATCH user ${user} ${JSON.stringify(body)}`, [200, 404], () =>
          app.http.patch(`/api/v1/users/${user}/segments`).send(body),
        );
      },
    };
  }
  if (roll < 55) {
    const step = random.int(20 * 60_000);
    return {
      kind: 'ttl expiry',
      run: async (app) => {
        clock.advance(step);
        await app.app.get(ExpireMemberships).execute();
        return undefined;
      },
    };
  }
  if (roll < 63) {
    return {
      kind: 'segment deletion',
      run: (app) => expectStatus(`DELETE ${slug}`, [204, 404], () => app.http.delete(`/api/v1/segments/${slug}`)),
    };
  }
  if (roll < 71) {
    const body = random.chance(0.6) ? { slug, auto_percent: percent(random) } : { slug };
    return {
      kind: 'segment creation',
      run: (app) =>
        expectStatus(`POST ${JSON.stringify(body)}`, [201, 409], () => app.http.post('/api/v1/segments').send(body)),
    };
  }
  if (roll < 83) {
    const body = { auto_percent: random.chance(0.2) ? null : percent(random) };
    return {
      kind: 'auto_percent change',
      run: (app) =>
        expectStatus(`PATCH ${slug} ${JSON.stringify(body)}`, [200, 404], () =>
          app.http.patch(`/api/v1/segments/${slug}`).send(body),
        ),
    };
  }
  if (roll < 93) {
    const ids = random.some(WORKLOAD_USERS, 5);
    const body = { user_ids: ids.length > 0 ? ids : [user] };
    return {
      kind: 'registration',
      run: (app) =>
        expectStatus(`POST users ${JSON.stringify(body)}`, [200], () => app.http.post('/api/v1/users').send(body)),
    };
  }
  return {
    kind: 'read',
    run: async (app) => {
      const now = clock.now().getTime();
      const response = await app.http.get(`/api/v1/users/${user}/segments`);
      if (response.status !== 200) return `GET user ${user} -> ${response.status} ${response.text}`;
      const expired = (response.body.segments as Array<{ expires_at: string | null }>).filter(
        (segment) => segment.expires_at !== null && Date.parse(segment.expires_at) <= now,
      );
      return expired.length > 0
        ? `GET user ${user} returned expired memberships ${JSON.stringify(expired)}`
        : undefined;
    },
  };
}

/**
 * Runs `operations` random operations from `workers` concurrent loops, each request on a random one
 * of `apps`. Bounded: every loop stops when the shared budget is spent.
 */
export async function runMixedWorkload(options: {
  apps: TestApp[];
  clock: FakeClock;
  random: SeededRandom;
  operations: number;
  workers: number;
}): Promise<WorkloadReport> {
  const report: WorkloadReport = { operations: 0, byKind: {}, unexpected: [] };
  const worker = async () => {
    while (report.operations < options.operations) {
      report.operations += 1;
      const operation = nextOperation(options.random, options.clock);
      report.byKind[operation.kind] = (report.byKind[operation.kind] ?? 0) + 1;
      try {
        const problem = await operation.run(options.random.pick(options.apps));
        if (problem) report.unexpected.push(`${operation.kind}: ${problem}`);
      } catch (error) {
        report.unexpected.push(`${operation.kind}: threw ${(error as Error).stack ?? String(error)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: options.workers }, worker));
  return report;
}
