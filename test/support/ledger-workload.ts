import { ExpireMemberships } from '@app/application';
import { SeededRandom } from '../reliability/support/seeded-random';
import { TestApp } from './test-app';

export const LEDGER_SLUGS = ['L_A', 'L_B', 'L_C'];
export const AUTO_SLUG = 'L_AUTO';
export const LEDGER_USERS = Array.from({ length: 10 }, (_, index) => index + 1);
/** Expiries of a second or two, so that memberships expire while the change sets race. */
const TTLS = ['PT1S', 'PT2S'];
const PERCENTS = [null, 10, 30, 80, 20];

export interface LedgerWorkloadResult {
  byKind: Record<string, number>;
  /** Answers outside the statuses the operation may give, each described. */
  unexpected: string[];
  /** Every expires_at a change set's answer showed, per "user:slug". */
  expiries: Map<string, Set<string>>;
  /** The latest time a membership may expire at. */
  lastExpiry: number;
}

type Operation = {
  kind: string;
  allowed: number[];
  send: (app: TestApp) => Promise<{ status: number; text: string; body: unknown }>;
};

function changeSet(random: SeededRandom): Record<string, unknown> {
  const slugs = [...LEDGER_SLUGS, AUTO_SLUG];
  const add = random.some(slugs, 2);
  const remove = random.some(
    slugs.filter((slug) => !add.includes(slug)),
    2,
  );
  if (add.length + remove.length === 0) add.push(random.pick(slugs));
  const items = add.map((slug) => (random.chance(0.4) ? { slug, ttl: random.pick(TTLS) } : slug));
  const expiry = random.chance(0.2) ? { expires_at: new Date(Date.now() + 1500).toISOString() } : {};
  return { add: items, remove, ...expiry };
}

function nextOperation(random: SeededRandom): Operation {
  const roll = random.int(100);
  const user = random.pick(LEDGER_USERS);
  const slug = random.pick(LEDGER_SLUGS);
  if (roll < 65) {
    const body = changeSet(random);
    // 400: an expiry of the change set passed while it waited for its rows.
    return {
      kind: 'change set',
      allowed: [200, 400, 404],
      send: (app) => app.http.patch(`/api/v1/users/${user}/segments`).send(body),
    };
  }
  if (roll < 72)
    return {
      kind: 'segment deletion',
      allowed: [204, 404],
      send: (app) => app.http.delete(`/api/v1/segments/${slug}`),
    };
  if (roll < 82)
    return {
      kind: 'segment creation',
      allowed: [201, 409],
      send: (app) => app.http.post('/api/v1/segments').send({ slug }),
    };
  if (roll < 90) {
    const body = { auto_percent: random.pick(PERCENTS) };
    return {
      kind: 'auto_percent change',
      allowed: [200],
      send: (app) => app.http.patch(`/api/v1/segments/${AUTO_SLUG}`).send(body),
    };
  }
  const body = { user_ids: random.some(LEDGER_USERS, 3).concat(user) };
  return {
    kind: 'registration',
    allowed: [200],
    send: (app) => app.http.post('/api/v1/users').send({ user_ids: [...new Set(body.user_ids)] }),
  };
}

/**
 * `operations` random change sets (1-2 s expiries, renewals of expired memberships), segment deletions
 * and re-creations, percent changes (null among them) and registrations from `workers` concurrent loops
 * on the real clock, each request on a random one of `apps`; the cleaner runs meanwhile. Bounded by the
 * operation count.
 */
export async function runLedgerWorkload(
  apps: TestApp[],
  random: SeededRandom,
  operations: number,
  workers: number,
): Promise<LedgerWorkloadResult> {
  const result: LedgerWorkloadResult = { byKind: {}, unexpected: [], expiries: new Map(), lastExpiry: Date.now() };
  let sent = 0;
  const worker = async () => {
    while (sent < operations) {
      sent += 1;
      const operation = nextOperation(random);
      result.byKind[operation.kind] = (result.byKind[operation.kind] ?? 0) + 1;
      if (random.chance(0.05)) await random.pick(apps).app.get(ExpireMemberships).execute();
      const response = await operation.send(random.pick(apps));
      if (!operation.allowed.includes(response.status)) {
        result.unexpected.push(`${operation.kind} -> ${response.status} ${response.text.slice(0, 300)}`);
      }
      const body = response.body as { user_id?: number; segments?: Array<{ slug: string; expires_at: string | null }> };
      for (const membership of response.status === 200 ? (body.segments ?? []) : []) {
        if (membership.expires_at === null) continue;
        const key = `${body.user_id}:${membership.slug}`;
        result.expiries.set(key, (result.expiries.get(key) ?? new Set()).add(membership.expires_at));
        result.lastExpiry = Math.max(result.lastExpiry, Date.parse(membership.expires_at));
      }
      await new Promise((resolve) => setTimeout(resolve, random.int(25)));
    }
  };
  await Promise.all(Array.from({ length: workers }, worker));
  return result;
}
