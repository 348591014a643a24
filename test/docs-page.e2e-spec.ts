import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrowserContext, chromium, Locator, Page } from 'playwright-core';
import { postgresOnly } from './support/test-database';
import { startTestApp, TestApp } from './support/test-app';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(__dirname, 'artifacts');
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
  '--disable-quic',
];

const onPostgres = postgresOnly(
  'docs page in Chromium: the page does not touch the database, one run (PostgreSQL project) is enough',
);

onPostgres('the docs page in Chromium (PostgreSQL project only: the page is the same on PGlite)', () => {
  let t: TestApp;
  let profile: string;
  let browser: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
    t = await startTestApp();
    await t.http.post('/api/v1/segments').send({ slug: 'AVITO_VOICE_MESSAGES' }).expect(201);
    await t.http.post('/api/v1/segments').send({ slug: 'AVITO_DISCOUNT_30' }).expect(201);
    await t.http
      .patch('/api/v1/users/1000/segments')
      .send({ add: ['AVITO_VOICE_MESSAGES', { slug: 'AVITO_DISCOUNT_30', ttl: 'P2D' }] })
      .expect(200);
    profile = mkdtempSync(join(tmpdir(), 'segments-chromium-'));
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
    });
    page = browser.pages()[0] ?? (await browser.newPage());
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(message.text());
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    await t?.close();
  });

  it("tries GET /api/v1/users/{user_id}/segments and shows the user's segments", async () => {
    await page.goto(`${t.baseUrl.replace('[::1]', '127.0.0.1')}/docs`);
    const operation = page.locator('#operations-users-getUserSegments');
    await operation.locator('.opblock-summary').click();
    await operation.getByRole('button', { name: 'Try it out' }).click();
    const userId = operation.locator('tr[data-param-name="user_id"] input');
    await userId.fill('1000');
    await operation.getByRole('button', { name: 'Execute' }).click();

    const response = operation.locator('.live-responses-table .response');
    await response.locator('.response-col_status').filter({ hasText: '200' }).waitFor();
    const shown = JSON.parse(await response.locator('.response-col_description pre').first().innerText());
    const expected = (await t.http.get('/api/v1/users/1000/segments').expect(200)).body;
    expect(shown).toEqual(expected);
    expect(shown.segments.map((s: { slug: string }) => s.slug)).toEqual(['AVITO_DISCOUNT_30', 'AVITO_VOICE_MESSAGES']);

    mkdirSync(ARTIFACTS, { recursive: true });
    // From the operation's title down to the answer shown; the documented responses below are left out.
    const clip = await operation.evaluate((element) => {
      const box = element.getBoundingClientRect();
      const answer = element.querySelector('.live-responses-table')!.getBoundingClientRect();
      const { scrollX, scrollY } = globalThis as unknown as { scrollX: number; scrollY: number };
      return { x: box.left + scrollX, y: box.top + scrollY, width: box.width, height: answer.bottom - box.top };
    });
    await page.screenshot({ path: join(ARTIFACTS, 'docs-try-it-out.png'), fullPage: true, clip });
    expect(pageErrors).toEqual([]);
  });

  it('shows lock icons and an Authorize button only when the service has API keys', async () => {
    const keyed = await startTestApp({ env: { API_KEYS: 'key-for-the-docs-page' } });
    try {
      const locks = async (app: TestApp) => {
        await page.goto(`${app.baseUrl.replace('[::1]', '127.0.0.1')}/docs`);
        await page.locator('.opblock').first().waitFor();
        return {
          locks: await page.locator('.opblock .authorization__btn').count(),
          authorize: await page.locator('.auth-wrapper .authorize').count(),
        };
      };
      expect(await locks(t)).toEqual({ locks: 0, authorize: 0 });
      const withKeys = await locks(keyed);
      expect(withKeys.authorize).toBe(1);
      // Every /api/v1 operation, none of health and metrics.
      expect(withKeys.locks).toBe(await page.locator('.opblock').filter({ hasText: '/api/v1/' }).count());
    } finally {
      await keyed.close();
    }
    expect(pageErrors).toEqual([]);
  });

  /** Opens an operation, presses Try it out and returns its block; parameters start as Swagger UI fills them. */
  async function tryItOut(operationId: string) {
    await page.goto(`${t.baseUrl.replace('[::1]', '127.0.0.1')}/docs`);
    const operation = page.locator(`[id$="-${operationId}"]`);
    await operation.locator('.opblock-summary').click();
    await operation.getByRole('button', { name: 'Try it out' }).click();
    return operation;
  }

  async function executed(operation: Locator): Promise<unknown> {
    await operation.getByRole('button', { name: 'Execute' }).click();
    const response = operation.locator('.live-responses-table .response');
    await response.locator('.response-col_status').filter({ hasText: '200' }).waitFor();
    return JSON.parse(await response.locator('.response-col_description pre').first().innerText());
  }

  it("tries GET /api/v1/users/{user_id}/history as it opens and shows the user's entries", async () => {
    const operation = await tryItOut('getUserHistory');
    // Optional parameters start empty (only defaults, which change nothing); their examples stay as hints.
    for (const name of ['from', 'to', 'cursor']) {
      expect(await operation.locator(`tr[data-param-name="${name}"] input`).inputValue()).toBe('');
    }
    expect(await operation.locator('tr[data-param-name="from"]').innerText()).toContain('2023-08-01T00:00:00Z');
    await operation.locator('tr[data-param-name="user_id"] input').fill('1000');

    const shown = (await executed(operation)) as { items: Array<{ segment: string }> };
    const expected = (await t.http.get('/api/v1/users/1000/history').expect(200)).body;
    expect(shown).toEqual(expected);
    expect(shown.items.map((entry) => entry.segment).sort()).toEqual(['AVITO_DISCOUNT_30', 'AVITO_VOICE_MESSAGES']);
    expect(pageErrors).toEqual([]);
  });

  it("tries GET /api/v1/reports/history for this month and gets every user's rows", async () => {
    const operation = await tryItOut('buildHistoryReport');
    expect(await operation.locator('tr[data-param-name="user_id"] input').inputValue()).toBe('');
    await operation.locator('tr[data-param-name="period"] input').fill(t.clock.now().toISOString().slice(0, 7));

    const shown = (await executed(operation)) as { user_id: number | null; rows: number };
    expect(shown).toMatchObject({ user_id: null, rows: 2 });
    expect(pageErrors).toEqual([]);
  });
});
