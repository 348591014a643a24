import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@app/infrastructure';
import { ReportRetentionJob } from '../apps/api/src/jobs/report-retention.job';
import { FakeGoogleDrive } from './fakes/google-drive/fake-google-drive';
import { API_MAIN, ensureBuilt } from './support/built-app';
import { expectError } from './support/expectations';
import { startTestApp, TestApp } from './support/test-app';
import { postgresOnly } from './support/test-database';

const PUBLIC_BASE_URL = 'https://segments.example.test';
const HOUR_MS = 3_600_000;
const name = (period: string) => `history-${period}-all-ru.csv`;
/** Moves a file's last write `hours` into the past. */
const age = (path: string, hours: number) => {
  const then = new Date(Date.now() - hours * HOUR_MS);
  utimesSync(path, then, then);
};

describe('report retention (local storage): REPORT_MAX_FILES and REPORT_RETENTION_HOURS', () => {
  let t: TestApp;
  let dataDir: string;
  let reports: string;

  const report = (period: string) =>
    t.http.get('/api/v1/reports/history').query({ period }).expect(200) as unknown as Promise<{
      body: { url: string };
    }>;
  const download = (period: string) => t.http.get(`/api/v1/reports/files/${name(period)}`);
  const files = () =>
    readdirSync(reports)
      .filter((file) => !file.startsWith('.'))
      .sort();
  /** The periodic pass, run now rather than on its timer. */
  const periodicPass = () => t.app.get(ReportRetentionJob).tick();

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'segments-retention-'));
    reports = join(dataDir, 'reports');
    t = await startTestApp({
      env: { DATA_DIR: dataDir, PUBLIC_BASE_URL, REPORT_MAX_FILES: '3', REPORT_RETENTION_HOURS: '1' },
    });
    t.clock.set('2023-09-15T12:00:00Z');
  });
  afterAll(async () => {
    await t?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps at most REPORT_MAX_FILES files: a new one deletes the least recently written, whose link answers 410', async () => {
    for (const period of ['2023-01', '2023-02', '2023-03']) await report(period);
    // Written again, 2023-01 is now the most recent: 2023-02 is the least recently written.
    await report('2023-01');
    const fourth = await report('2023-04');
    expect(fourth.body.url).toBe(`${PUBLIC_BASE_URL}/api/v1/reports/files/${name('2023-04')}`);
    expect(files()).toEqual([name('2023-01'), name('2023-03'), name('2023-04')]);

    const gone = await download('2023-02');
    expectError(gone, 410, 'REPORT_EXPIRED');
    expect(gone.body.message).toMatch(/run the report again/);
    expect((await download('2023-01')).status).toBe(200);

    // Run again, the report is back under the same link; the least recently written (2023-03) makes room.
    await report('2023-02');
    expect((await download('2023-02')).status).toBe(200);
    expect(files()).toEqual([name('2023-01'), name('2023-02'), name('2023-04')]);
    expectError(await download('2023-03'), 410, 'REPORT_EXPIRED');
  });

  it('deletes files not written for REPORT_RETENTION_HOURS on the periodic pass; their links answer 410', async () => {
    age(join(reports, name('2023-04')), 2);
    await periodicPass();
    expect(files()).toEqual([name('2023-01'), name('2023-02')]);
    const gone = await download('2023-04');
    expectError(gone, 410, 'REPORT_EXPIRED');
    expect(gone.body.message).toMatch(/run the report again/);
    expect((await download('2023-01')).status).toBe(200);
  });

  it('sees files other processes wrote or deleted, and deletes stale temporary files but not ones being written', async () => {
    // Another worker deleted one of ours (ENOENT) and wrote two more, one of them long ago.
    unlinkSync(join(reports, name('2023-01')));
    writeFileSync(join(reports, name('2023-05')), '');
    writeFileSync(join(reports, name('2023-06')), '');
    age(join(reports, name('2023-06')), 3);
    const stale = join(reports, `.${name('2023-07')}.0b7e3f9e-crashed.tmp`);
    const writing = join(reports, `.${name('2023-07')}.5d1c2a4b-writing.tmp`);
    writeFileSync(stale, 'half');
    writeFileSync(writing, 'half');
    age(stale, 2);
    await periodicPass();
    expect(files()).toEqual([name('2023-02'), name('2023-05')]);
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(writing)).toBe(true);
    unlinkSync(writing);
  });

  it('answers 404 REPORT_NOT_FOUND, saying to run the report again, for a report never written', async () => {
    const missing = await download('2022-12');
    expectError(missing, 404, 'REPORT_NOT_FOUND');
    expect(missing.body.message).toMatch(/run the report again/);
  });
});

describe('report retention (Google Drive): files the service uploaded go after REPORT_RETENTION_HOURS', () => {
  let drive: FakeGoogleDrive;
  let t: TestApp;
  const FOLDER = 'folder-retention';

  const report = (period: string) => t.http.get('/api/v1/reports/history').query({ period }).expect(200);
  const fileOf = (period: string) => drive.filesNamed(name(period))[0];
  const periodicPass = () => t.app.get(ReportRetentionJob).tick();
  const backdate = (period: string, hours: number) =>
    (fileOf(period).modifiedTime = new Date(Date.now() - hours * HOUR_MS));

  beforeAll(async () => {
    drive = await FakeGoogleDrive.start();
    t = await startTestApp({
      env: {
        REPORT_STORAGE: 'gdrive',
        GOOGLE_APPLICATION_CREDENTIALS: drive.keyFile,
        GDRIVE_FOLDER_ID: FOLDER,
        GDRIVE_API_URL: drive.url,
        REPORT_RETENTION_HOURS: '24',
      },
    });
    t.clock.set('2023-09-15T12:00:00Z');
  });
  afterEach(() => drive.resetFailures());
  afterAll(async () => {
    await t?.close();
    await drive?.close();
  });

  it('deletes the old files it uploaded, keeps recent ones, ones written again and files it did not upload', async () => {
    for (const period of ['2023-01', '2023-02', '2023-03']) await report(period);
    // Someone else's file in the same folder, under a report's name, long untouched: not ours to delete.
    drive.files.set('foreign', {
      ...fileOf('2023-01'),
      id: 'foreign',
      name: name('2022-01'),
      appProperties: {},
      modifiedTime: new Date(Date.now() - 1000 * HOUR_MS),
    });
    backdate('2023-01', 25);
    backdate('2023-02', 25);
    await report('2023-02'); // written again: its age starts over
    const from = drive.requests.length;
    await periodicPass();
    expect(fileOf('2023-01')).toBeUndefined();
    expect(fileOf('2023-02')).toBeDefined();
    expect(fileOf('2023-03')).toBeDefined();
    expect(drive.files.has('foreign')).toBe(true);
    expect(drive.calls(from).filter((call) => call.includes('DELETE'))).toEqual([
      expect.stringMatching(/^204 DELETE \/drive\/v3\/files\/file-/),
    ]);
  });

  it('logs a failed deletion instead of failing, and deletes the file on the next pass', async () => {
    backdate('2023-03', 30);
    drive.failNext({ status: 403, method: 'DELETE', reason: 'insufficientFilePermissions' });
    await expect(periodicPass()).resolves.toBeUndefined();
    expect(fileOf('2023-03')).toBeDefined();
    drive.failNext({ status: 503, method: 'GET', times: 10 });
    await expect(periodicPass()).resolves.toBeUndefined();
    expect(fileOf('2023-03')).toBeDefined();
    drive.resetFailures();
    await periodicPass();
    expect(fileOf('2023-03')).toBeUndefined();
    // Reports still work after the failures.
    const again = await report('2023-03');
    expect(again.body.url).toBe(fileOf('2023-03').webViewLink);
  });

  it('pages through the listing', async () => {
    for (let month = 4; month <= 8; month++) await report(`2023-0${month}`);
    for (let month = 4; month <= 8; month++) backdate(`2023-0${month}`, 48);
    // More old files than one page of the adapter's listing holds.
    for (let i = 1; i <= 120; i++) {
      const id = `old-${i}`;
      drive.files.set(id, {
        ...fileOf('2023-04'),
        id,
        name: `history-2023-04-user-${i}-en.csv`,
        appProperties: { ...fileOf('2023-04').appProperties },
      });
    }
    await periodicPass();
    expect(
      [...drive.files.values()].filter((file) => file.name.startsWith('history-2023-0')).map((f) => f.name),
    ).toEqual(expect.arrayContaining([name('2023-02'), name('2023-03')]));
    expect([...drive.files.keys()].filter((id) => id.startsWith('old-'))).toEqual([]);
    for (let month = 4; month <= 8; month++) expect(fileOf(`2023-0${month}`)).toBeUndefined();
  });
});

describe('report retention configuration', () => {
  it('defaults to 168 hours and 10000 files', () => {
    expect(loadConfig({})).toEqual(expect.objectContaining({ reportRetentionHours: 168, reportMaxFiles: 10_000 }));
    expect(loadConfig({ REPORT_RETENTION_HOURS: '2', REPORT_MAX_FILES: '5' })).toEqual(
      expect.objectContaining({ reportRetentionHours: 2, reportMaxFiles: 5 }),
    );
  });
});

postgresOnly('start-up configuration of the retention: no database involved, checked in the PostgreSQL project')(
  'invalid retention configuration stops start-up with one line naming the variable',
  () => {
    beforeAll(() => ensureBuilt());

    it.each([
      [{ REPORT_RETENTION_HOURS: '0' }, 'REPORT_RETENTION_HOURS'],
      [{ REPORT_RETENTION_HOURS: '1.5' }, 'REPORT_RETENTION_HOURS'],
      [{ REPORT_RETENTION_HOURS: 'a week' }, 'REPORT_RETENTION_HOURS'],
      [{ REPORT_MAX_FILES: '0' }, 'REPORT_MAX_FILES'],
      [{ REPORT_MAX_FILES: '-5' }, 'REPORT_MAX_FILES'],
      [{ REPORT_MAX_FILES: 'lots' }, 'REPORT_MAX_FILES'],
    ])('%j names %s and exits non-zero', (env, variable) => {
      const cwd = mkdtempSync(join(tmpdir(), 'retention-config-'));
      mkdirSync(join(cwd, 'empty'));
      const result = spawnSync(process.execPath, [API_MAIN], {
        cwd,
        env: { PATH: process.env.PATH, LOG_LEVEL: 'info', ...env },
        encoding: 'utf8',
        timeout: 20_000,
      });
      rmSync(cwd, { recursive: true, force: true });
      expect({ status: result.status, stdout: result.stdout }).toEqual({ status: 1, stdout: '' });
      expect(result.stderr.trim().split('\n')).toEqual([expect.stringMatching(`^invalid configuration: ${variable} `)]);
    });
  },
);
