import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExpireMemberships } from '@app/application';
import { expectError } from './support/expectations';
import { startTestApp, TestApp } from './support/test-app';

const PUBLIC_BASE_URL = 'https://segments.example.test';
const FILES = `${PUBLIC_BASE_URL}/api/v1/reports/files`;

const AUGUST_RU = [
  '1000;AVITO_DISCOUNT_30;добавление;2023-08-01 00:00:00',
  '9007199254740991;AVITO_VOICE_MESSAGES;добавление;2023-08-05 17:45:10',
  '1001;AVITO_AUTO_50;добавление;2023-08-10 08:00:00',
  '1003;AVITO_AUTO_50;добавление;2023-08-10 08:00:00',
  '1006;AVITO_AUTO_50;добавление;2023-08-10 08:00:00',
  '9007199254740991;AVITO_AUTO_50;добавление;2023-08-10 08:00:00',
  '1004;AVITO_DISCOUNT_30;добавление;2023-08-12 09:30:00',
  '1004;AVITO_PERFORMANCE_VAS;добавление;2023-08-12 09:30:00',
  '1002;AVITO_VOICE_MESSAGES;добавление;2023-08-15 12:00:00',
  '1002;AVITO_VOICE_MESSAGES;удаление;2023-08-20 06:30:00',
  '1000;AVITO_VOICE_MESSAGES;удаление;2023-08-30 09:15:02',
  '999;AVITO_DISCOUNT_30;удаление;2023-08-30 10:00:00',
  '1000;AVITO_DISCOUNT_30;удаление;2023-08-30 10:00:00',
  '1004;AVITO_DISCOUNT_30;удаление;2023-08-30 10:00:00',
  '1003;AVITO_PERFORMANCE_VAS;добавление;2023-08-31 23:59:59',
];
const csv = (lines: string[]) => lines.map((line) => `${line}\n`).join('');

describe('history reports (local storage)', () => {
  let t: TestApp;
  let dataDir: string;

  const at = (time: string) => t.clock.set(time);
  const change = (userId: number, body: object) =>
    t.http.patch(`/api/v1/users/${userId}/segments`).send(body).expect(200);
  const report = (query: Record<string, string | number>) => t.http.get('/api/v1/reports/history').query(query);
  /** The file behind a report url, as raw bytes. */
  const download = (url: string) =>
    t.http
      .get(url.slice(PUBLIC_BASE_URL.length))
      .buffer(true)
      .parse((response, done) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => done(null, Buffer.concat(chunks)));
      });

  /** A month of joins and leaves of every kind, with neighbours on both sides of its edges. */
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'segments-reports-'));
    t = await startTestApp({ env: { DATA_DIR: dataDir, PUBLIC_BASE_URL } });
    at('2023-07-20T10:00:00Z');
    for (const slug of ['AVITO_VOICE_MESSAGES', 'AVITO_DISCOUNT_30', 'AVITO_PERFORMANCE_VAS']) {
      await t.http.post('/api/v1/segments').send({ slug }).expect(201);
    }
    at('2023-07-25T00:00:00Z');
    await change(999, { add: ['AVITO_DISCOUNT_30'] });
    // The ledger adds the time a request takes to the fake clock's: an edge entry is sent a second early.
    at('2023-07-31T23:59:59Z');
    await change(1000, { add: ['AVITO_VOICE_MESSAGES'] });
    at('2023-08-01T00:00:00Z');
    await change(1000, { add: ['AVITO_DISCOUNT_30'] });
    at('2023-08-05T17:45:10Z');
    await change(9007199254740991, { add: ['AVITO_VOICE_MESSAGES'] });
    at('2023-08-10T08:00:00Z');
    await t.http
      .post('/api/v1/users')
      .send({ user_ids: [1001, 1002, 1003, 1004, 1005, 1006, 1007, 1008] })
      .expect(200);
    // Buckets in AVITO_AUTO_50: 1001, 1003, 1006 and 9007199254740991 are below 5000; 999, 1000 and the rest are not.
    await t.http.post('/api/v1/segments').send({ slug: 'AVITO_AUTO_50', auto_percent: 50 }).expect(201);
    at('2023-08-12T09:30:00.500Z');
    await change(1004, { add: ['AVITO_PERFORMANCE_VAS', 'AVITO_DISCOUNT_30'] });
    at('2023-08-15T12:00:00Z');
    await change(1002, { add: [{ slug: 'AVITO_VOICE_MESSAGES', expires_at: '2023-08-20T06:30:00Z' }] });
    at('2023-08-25T00:00:00Z');
    expect(await t.app.get(ExpireMemberships).execute()).toBe(1);
    at('2023-08-30T09:15:02Z');
    await change(1000, { remove: ['AVITO_VOICE_MESSAGES'] });
    at('2023-08-30T10:00:00Z');
    await t.http.delete('/api/v1/segments/AVITO_DISCOUNT_30').expect(204);
    at('2023-08-31T23:59:59Z');
    await change(1003, { add: ['AVITO_PERFORMANCE_VAS'] });
    at('2023-09-01T00:00:00Z');
    await change(1003, { remove: ['AVITO_PERFORMANCE_VAS'] });
    at('2023-09-15T12:00:00Z');
  });
  afterAll(async () => {
    await t?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('writes the month as CSV: every kind of join and leave, ordered by time, user and segment, edges in UTC', async () => {
    const response = await report({ period: '2023-08' });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      period: '2023-08',
      user_id: null,
      rows: AUGUST_RU.length,
      url: `${FILES}/history-2023-08-all-ru.csv`,
    });
    const file = await download(response.body.url);
    expect(file.status).toBe(200);
    expect(file.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(file.headers['content-disposition']).toBe('attachment; filename="history-2023-08-all-ru.csv"');
    expect((file.body as Buffer).toString('utf8')).toBe(csv(AUGUST_RU));
    expect(Number(file.headers['content-length'])).toBe(Buffer.byteLength(csv(AUGUST_RU)));
  });

  it('puts the neighbours of the edges into their own months', async () => {
    const july = await report({ period: '2023-07' }).expect(200);
    expect((await download(july.body.url)).body.toString()).toBe(
      csv([
        '999;AVITO_DISCOUNT_30;добавление;2023-07-25 00:00:00',
        '1000;AVITO_VOICE_MESSAGES;добавление;2023-07-31 23:59:59',
      ]),
    );
    const september = await report({ period: '2023-09' }).expect(200);
    expect(september.body.rows).toBe(1);
    expect((await download(september.body.url)).body.toString()).toBe(
      csv(['1003;AVITO_PERFORMANCE_VAS;удаление;2023-09-01 00:00:00']),
    );
  });

  it('writes added/removed with lang=en, to a file of its own', async () => {
    const response = await report({ period: '2023-08', lang: 'en' }).expect(200);
    expect(response.body.url).toBe(`${FILES}/history-2023-08-all-en.csv`);
    const english = AUGUST_RU.map((line) => line.replace('добавление', 'added').replace('удаление', 'removed'));
    expect((await download(response.body.url)).body.toString()).toBe(csv(english));
  });

  it('limits the report to one user', async () => {
    const response = await report({ period: '2023-08', user_id: 1000, lang: 'en' }).expect(200);
    expect(response.body).toEqual({
      period: '2023-08',
      user_id: 1000,
      rows: 3,
      url: `${FILES}/history-2023-08-user-1000-en.csv`,
    });
    expect((await download(response.body.url)).body.toString()).toBe(
      csv([
        '1000;AVITO_DISCOUNT_30;added;2023-08-01 00:00:00',
        '1000;AVITO_VOICE_MESSAGES;removed;2023-08-30 09:15:02',
        '1000;AVITO_DISCOUNT_30;removed;2023-08-30 10:00:00',
      ]),
    );
    const largest = await report({ period: '2023-08', user_id: '9007199254740991' }).expect(200);
    expect(largest.body.rows).toBe(2);
  });

  it('writes an empty file for a month without history', async () => {
    const response = await report({ period: '2023-06' }).expect(200);
    expect(response.body).toEqual({
      period: '2023-06',
      user_id: null,
      rows: 0,
      url: `${FILES}/history-2023-06-all-ru.csv`,
    });
    const file = await download(response.body.url);
    expect(file.status).toBe(200);
    expect(file.body.length).toBe(0);
  });

  it('replaces the file on a new run: same name and link, new content', async () => {
    const before = await report({ period: '2023-07' }).expect(200);
    at('2023-07-28T06:00:00Z');
    await change(1005, { add: ['AVITO_PERFORMANCE_VAS'] });
    at('2023-09-15T12:00:00Z');
    const after = await report({ period: '2023-07' }).expect(200);
    expect(after.body.url).toBe(before.body.url);
    expect(after.body.rows).toBe(before.body.rows + 1);
    expect((await download(after.body.url)).body.toString()).toContain(
      '1005;AVITO_PERFORMANCE_VAS;добавление;2023-07-28 06:00:00\n',
    );
    expect(readdirSync(join(dataDir, 'reports')).filter((name) => !name.startsWith('history-'))).toEqual([]);
  });

  it('orders entries by time, then user id as a number, then segment in byte order, whatever order they were written in', async () => {
    const written: Array<[number, string, string, string]> = [
      [20, 'b_seg', 'added', '2022-02-10T10:00:00.700Z'],
      [1, 'A', 'removed', '2022-02-10T10:00:00.900Z'],
      [3, 'a_seg', 'added', '2022-02-10T10:00:00.100Z'],
      [3, 'Z_seg', 'removed', '2022-02-10T10:00:00.100Z'],
      [100, 'A', 'added', '2022-02-10T09:59:59.999Z'],
      [20, 'a_seg', 'added', '2022-02-10T10:00:00.700Z'],
    ];
    for (const [userId, segment, operation, time] of written) {
      await t.sql(
        `INSERT INTO membership_history (user_id, segment, operation, reason, at) VALUES ($1, $2, $3, 'manual', $4)`,
        [userId, segment, operation, time],
      );
    }
    const response = await report({ period: '2022-02', lang: 'en' }).expect(200);
    expect((await download(response.body.url)).body.toString()).toBe(
      csv([
        '100;A;added;2022-02-10 09:59:59',
        '3;Z_seg;removed;2022-02-10 10:00:00',
        '3;a_seg;added;2022-02-10 10:00:00',
        '20;a_seg;added;2022-02-10 10:00:00',
        '20;b_seg;added;2022-02-10 10:00:00',
        '1;A;removed;2022-02-10 10:00:00',
      ]),
    );
  });

  it('streams a report of many rows whole and in order', async () => {
    const rows = 12_345;
    await t.sql(
      `INSERT INTO membership_history (user_id, segment, operation, reason, at)
       SELECT 1 + g % 97, 'BULK_' || (g % 3), CASE WHEN g % 2 = 0 THEN 'added' ELSE 'removed' END, 'manual',
              timestamptz '2022-01-01 00:00:00+00' + g * interval '1 minute'
       FROM generate_series(0, $1::int - 1) g`,
      [rows],
    );
    const response = await report({ period: '2022-01', lang: 'en' }).expect(200);
    expect(response.body.rows).toBe(rows);
    const expected: string[] = [];
    for (let g = 0; g < rows; g++) {
      const time = new Date(Date.UTC(2022, 0, 1) + g * 60_000).toISOString().replace('T', ' ').slice(0, 19);
      expected.push(`${1 + (g % 97)};BULK_${g % 3};${g % 2 === 0 ? 'added' : 'removed'};${time}`);
    }
    expect((await download(response.body.url)).body.toString()).toBe(csv(expected));
  });

  it('answers 400 INVALID_PERIOD for a future month; the current month is allowed', async () => {
    const future = await report({ period: '2023-10' });
    expectError(future, 400, 'INVALID_PERIOD');
    expect(future.body.message).toContain('future');
    await report({ period: '2023-09' }).expect(200);
  });

  it.each([['2023-13'], ['2023-00'], ['2023-8'], ['23-08'], ['2023-08-01'], [''], ['august']])(
    'answers 400 INVALID_PERIOD for period=%j',
    async (period) => {
      expectError(await report({ period }), 400, 'INVALID_PERIOD');
    },
  );

  it.each<[Record<string, string>, string]>([
    [{}, 'no period'],
    [{ period: '2023-08', user_id: '0' }, 'user 0'],
    [{ period: '2023-08', user_id: '-1' }, 'negative user'],
    [{ period: '2023-08', user_id: '1.5' }, 'fractional user'],
    [{ period: '2023-08', user_id: 'abc' }, 'user not a number'],
    [{ period: '2023-08', user_id: '01' }, 'leading zero'],
    [{ period: '2023-08', user_id: '9007199254740992' }, 'user past the largest'],
    [{ period: '2023-08', lang: 'de' }, 'unknown language'],
    [{ period: '2023-08', format: 'xlsx' }, 'unknown field'],
  ])('answers 400 VALIDATION_FAILED for %j (%s)', async (query) => {
    expectError(await report(query), 400, 'VALIDATION_FAILED');
  });

  it.each([
    ['..%2F..%2Fetc%2Fpasswd'],
    ['%2Fetc%2Fpasswd'],
    ['..%2Freports%2Fhistory-2023-08-all-ru.csv'],
    ['history-2023-08-all-ru.csv%00.txt'],
    ['.history-2023-08-all-ru.csv.tmp'],
    ['history-2020-01-all-ru.csv'],
    ['HISTORY-2023-08-ALL-RU.CSV'],
  ])('answers 404 REPORT_NOT_FOUND for the file name %s', async (name) => {
    expectError(await t.http.get(`/api/v1/reports/files/${name}`), 404, 'REPORT_NOT_FOUND');
  });

  it('answers 404 for a path that climbs out of the files route', async () => {
    const response = await t.http.get('/api/v1/reports/files/../../../etc/passwd');
    expect(response.status).toBe(404);
    expect(response.body.code).toMatch(/^(ROUTE|REPORT)_NOT_FOUND$/);
  });
});
