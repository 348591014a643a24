import {
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
  mkdirSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { LocalReportStorage } from './local-report-storage';

describe('LocalReportStorage', () => {
  let directory: string;
  let storage: LocalReportStorage;
  const NAME = 'history-2023-08-all-ru.csv';
  const LIMITS = { maxAgeMs: 3_600_000, maxFiles: 3 };

  beforeEach(() => {
    directory = join(mkdtempSync(join(tmpdir(), 'local-reports-')), 'reports');
    storage = new LocalReportStorage(directory, 'http://localhost:8080/api/v1/reports/files', LIMITS);
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

  it('on a write, deletes what the folder held over its bounds at start: too old, then the least recently written', async () => {
    mkdirSync(directory, { recursive: true });
    const written = (file: string, hoursAgo: number) => {
      writeFileSync(join(directory, file), file);
      const then = new Date(Date.now() - hoursAgo * 3_600_000);
      utimesSync(join(directory, file), then, then);
    };
    written('history-2023-01-all-ru.csv', 2);
    written('history-2023-02-all-ru.csv', 0.5);
    written('history-2023-03-all-ru.csv', 0.3);
    written('history-2023-04-all-ru.csv', 0.4);
    written('.history-2023-05-all-ru.csv.1.tmp', 0.1);
    await storage.save(NAME, Readable.from([Buffer.from('new\n')]));
    expect(readdirSync(directory).sort()).toEqual([
      '.history-2023-05-all-ru.csv.1.tmp',
      'history-2023-03-all-ru.csv',
      'history-2023-04-all-ru.csv',
      NAME,
    ]);
    expect(storage.wasDeleted('history-2023-01-all-ru.csv')).toBe(true);
    expect(storage.wasDeleted('history-2023-02-all-ru.csv')).toBe(true);
    expect(storage.wasDeleted('history-2023-03-all-ru.csv')).toBe(false);
    await storage.save('history-2023-02-all-ru.csv', Readable.from([Buffer.from('again\n')]));
    expect(storage.wasDeleted('history-2023-02-all-ru.csv')).toBe(false);
    expect(readdirSync(directory).sort()).toEqual([
      '.history-2023-05-all-ru.csv.1.tmp',
      'history-2023-02-all-ru.csv',
      'history-2023-03-all-ru.csv',
      NAME,
    ]);
  });

  it('prunes an empty or missing folder without failing', async () => {
    await expect(storage.prune()).resolves.toEqual({ deleted: 0, failed: 0 });
  });
});
