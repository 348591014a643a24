import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrowserContext, chromium, Page } from 'playwright-core';
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
});
