import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { LocalReportStorage } from './local-report-storage';

describe('LocalReportStorage', () => {
  let directory: string;
  let storage: LocalReportStorage;
  const NAME = 'history-2023-08-all-ru.csv';

  beforeEach(() => {
    directory = join(mkdtempSync(join(tmpdir(), 'local-reports-')), 'reports');
    storage = new LocalReportStorage(directory, 'http://localhost:8080/api/v1/reports/files');
  });
  afterEach(() => rmSync(join(directory, '..'), { recursive: true, force: true }));

  it('writes the file, creating its directory, and links it under the files url', async () => {
    const stored = await storage.save(NAME, Readable.from([Buffer.from('1;A;добавление;2023-08-01 00:00:00\n')]));
    expect(stored.url).toBe(`http://localhost:8080/api/v1/reports/files/${NAME}`);
    expect(readFileSync(join(directory, NAME), 'utf8')).toBe('1;A;добавление;2023-08-01 00:00:00\n');
    const file = await storage.open(NAME);
    expect(file?.size).toBe(Buffer.byteLength('1;A;добавление;2023-08-01 00:00:00\n'));
    expect(await text(file!.content)).toBe('1;A;добавление;2023-08-01 00:00:00\n');
  });

  it('keeps the previous file whole, and leaves no temporary file, when the new content fails midway', async () => {
    await storage.save(NAME, Readable.from([Buffer.from('old\n')]));
    const failing = Readable.from(
      (async function* () {
        yield Buffer.from('new, half');
        throw new Error('database went away');
      })(),
    );
    await expect(storage.save(NAME, failing)).rejects.toThrow('database went away');
    expect(readFileSync(join(directory, NAME), 'utf8')).toBe('old\n');
    expect(readdirSync(directory)).toEqual([NAME]);
  });

  it('knows no file that is missing, mistyped or outside its directory', async () => {
    mkdirSync(directory, { recursive: true });
    writeFileSync(join(directory, '..', 'secret.csv'), 'secret');
    expect(await storage.open(NAME)).toBeUndefined();
    expect(await storage.open('../secret.csv')).toBeUndefined();
    expect(await storage.open('.history-2023-08-all-ru.csv.1.tmp')).toBeUndefined();
  });

  it('serves regular files only: a symlink under a report name is not followed', async () => {
    mkdirSync(directory, { recursive: true });
    const outside = join(directory, '..', 'secret.csv');
    writeFileSync(outside, 'secret');
    symlinkSync(outside, join(directory, NAME));
    expect(await storage.open(NAME)).toBeUndefined();
  });

  it('refuses to save under a name that is not a report name', async () => {
    await expect(storage.save('../escape.csv', Readable.from([]))).rejects.toThrow('not a report name');
  });
});
