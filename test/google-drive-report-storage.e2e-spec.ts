import { Readable } from 'node:stream';
import { ReportStorageError } from '@app/domain';
import { DRIVE_CHUNK_UNIT, GoogleDriveReportStorage, GoogleDriveSettings } from '@app/infrastructure';
import { FakeGoogleDrive } from './fakes/google-drive/fake-google-drive';
import { DRIVE_SCOPE, GOOGLE_TOKEN_AUDIENCE } from './fakes/google-drive/service-account';

/** The Drive adapter with the real @googleapis/drive client and google-auth-library, against a fake Drive. */
describe('Google Drive report storage', () => {
  let drive: FakeGoogleDrive;
  const FOLDER = 'reports-folder';
  const QUICK_RETRY = { attempts: 4, baseDelayMs: 1, maxDelayMs: 5 };

  beforeAll(async () => {
    drive = await FakeGoogleDrive.start();
  });
  afterEach(() => drive.resetFailures());
  afterAll(() => drive.close());

  const storage = (settings: Partial<GoogleDriveSettings> = {}) =>
    new GoogleDriveReportStorage({
      keyFile: drive.keyFile,
      folderId: FOLDER,
      apiUrl: drive.url,
      chunkBytes: DRIVE_CHUNK_UNIT,
      retry: QUICK_RETRY,
      ...settings,
    });
  const csv = (content: string | Buffer) => Readable.from([Buffer.from(content)]);
  /** Distinct lines adding up to at least `bytes`, so a chunk out of place would show. */
  const bigCsv = (bytes: number) => {
    const lines: string[] = [];
    for (let i = 0, size = 0; size < bytes; i++) {
      const line = `${1000 + i};AVITO_SEGMENT_${i % 7};добавление;2023-08-01 00:00:00\n`;
      lines.push(line);
      size += Buffer.byteLength(line);
    }
    return Buffer.from(lines.join(''));
  };
  /** Feeds the content in small pieces, as the database does. */
  const trickle = (content: Buffer) =>
    Readable.from(
      (function* () {
        for (let at = 0; at < content.length; at += 10_000) yield content.subarray(at, at + 10_000);
      })(),
    );

  it('signs in with a JWT signed by the key file’s private key and exchanged at the token endpoint', async () => {
    const before = drive.tokenRequests.length;
    await storage().save('history-2023-01-all-ru.csv', csv('1;A;добавление;2023-01-01 00:00:00\n'));
    const exchange = drive.tokenRequests.slice(before);
    expect(exchange).toEqual([{ granted: true, claims: expect.objectContaining({ iss: drive.account.clientEmail }) }]);
    expect(exchange[0].claims).toEqual(
      expect.objectContaining({
        aud: GOOGLE_TOKEN_AUDIENCE,
        scope: DRIVE_SCOPE,
        iat: expect.any(Number),
        exp: expect.any(Number),
      }),
    );
  });

  it('creates the report in the folder, shares it with anyone as reader and answers its webViewLink', async () => {
    const content = '1000;AVITO_VOICE_MESSAGES;добавление;2023-08-29 12:00:00\n';
    const from = drive.requests.length;
    const stored = await storage().save('history-2023-08-all-ru.csv', csv(content));
    const [file] = drive.filesNamed('history-2023-08-all-ru.csv');
    expect(stored.url).toBe(file.webViewLink);
    expect(file.content.toString()).toBe(content);
    expect(file.parents).toEqual([FOLDER]);
    expect(file.mimeType).toBe('text/csv');
    expect(file.permissions).toEqual([{ type: 'anyone', role: 'reader' }]);
    expect(drive.calls(from).filter((call) => !call.includes('/token'))).toEqual([
      '200 GET /drive/v3/files',
      '200 POST /upload/drive/v3/files',
      `200 POST /drive/v3/files/${file.id}/permissions`,
      `200 GET /drive/v3/files/${file.id}`,
    ]);
    expect(drive.requests.find((request) => request.path === '/upload/drive/v3/files')?.query.uploadType).toBe(
      'multipart',
    );
  });

  it('replaces the content of the same file on the next run: same id, same link', async () => {
    const name = 'history-2023-07-user-5-en.csv';
    const first = await storage().save(name, csv('5;A;added;2023-07-01 00:00:00\n'));
    const from = drive.requests.length;
    const second = await storage().save(name, csv('5;A;added;2023-07-01 00:00:00\n5;A;removed;2023-07-02 00:00:00\n'));
    const files = drive.filesNamed(name);
    expect(files).toHaveLength(1);
    expect(second.url).toBe(first.url);
    expect(files[0].content.toString()).toBe('5;A;added;2023-07-01 00:00:00\n5;A;removed;2023-07-02 00:00:00\n');
    expect(drive.calls(from)).toContain(`200 PATCH /upload/drive/v3/files/${files[0].id}`);
  });

  it('writes an empty report as an empty file', async () => {
    const stored = await storage().save('history-2022-02-all-ru.csv', csv(''));
    const [file] = drive.filesNamed('history-2022-02-all-ru.csv');
    expect(file.content.length).toBe(0);
    expect(stored.url).toBe(file.webViewLink);
  });

  it('uploads a report larger than one chunk resumably, in 256 KiB chunks, and updates it the same way', async () => {
    const name = 'history-2023-06-all-ru.csv';
    const content = bigCsv(2.5 * DRIVE_CHUNK_UNIT);
    const from = drive.requests.length;
    const stored = await storage().save(name, trickle(content));
    const [file] = drive.filesNamed(name);
    expect(file.content.equals(content)).toBe(true);
    expect(stored.url).toBe(file.webViewLink);
    const puts = drive.requests.slice(from).filter((request) => request.method === 'PUT');
    expect(puts.map((request) => request.contentRange)).toEqual([
      `bytes 0-${DRIVE_CHUNK_UNIT - 1}/*`,
      `bytes ${DRIVE_CHUNK_UNIT}-${2 * DRIVE_CHUNK_UNIT - 1}/*`,
      `bytes ${2 * DRIVE_CHUNK_UNIT}-${content.length - 1}/${content.length}`,
    ]);
    expect(
      drive.requests.slice(from).find((request) => request.method === 'POST' && request.path.startsWith('/upload'))
        ?.query.uploadType,
    ).toBe('resumable');

    const replacement = bigCsv(3 * DRIVE_CHUNK_UNIT + 1);
    const again = await storage().save(name, trickle(replacement));
    expect(drive.filesNamed(name)).toHaveLength(1);
    expect(drive.files.get(file.id)!.content.equals(replacement)).toBe(true);
    expect(again.url).toBe(stored.url);
  });

  it('sends a report of exactly one chunk in one request', async () => {
    const content = Buffer.alloc(DRIVE_CHUNK_UNIT, 'x');
    await storage().save('history-2022-03-all-ru.csv', trickle(content));
    expect(drive.filesNamed('history-2022-03-all-ru.csv')[0].content.equals(content)).toBe(true);
  });

  it('retries a 500 and then succeeds', async () => {
    drive.failNext({ status: 500, method: 'GET', path: /^\/drive\/v3\/files$/ });
    const from = drive.requests.length;
    const stored = await storage().save('history-2023-05-all-ru.csv', csv('1;A;added;2023-05-01 00:00:00\n'));
    const driveCalls = drive.calls(from).filter((call) => !call.endsWith('/token'));
    expect(driveCalls.slice(0, 2)).toEqual(['500 GET /drive/v3/files', '200 GET /drive/v3/files']);
    expect(stored.url).toBe(drive.filesNamed('history-2023-05-all-ru.csv')[0].webViewLink);
  });

  it('retries 429 and 503 on every call: upload, permission and link', async () => {
    drive.failNext({ status: 429, reason: 'rateLimitExceeded', method: 'POST', path: /^\/upload\// });
    drive.failNext({ status: 503, path: /\/permissions$/ });
    drive.failNext({ status: 403, reason: 'userRateLimitExceeded', method: 'GET', path: /^\/drive\/v3\/files\/./ });
    const stored = await storage().save('history-2023-04-all-ru.csv', csv('1;A;added;2023-04-01 00:00:00\n'));
    const [file] = drive.filesNamed('history-2023-04-all-ru.csv');
    expect(file.content.toString()).toBe('1;A;added;2023-04-01 00:00:00\n');
    expect(file.permissions).toEqual([{ type: 'anyone', role: 'reader' }]);
    expect(stored.url).toBe(file.webViewLink);
  });

  it('resumes a failed chunk from the bytes Drive holds', async () => {
    const content = bigCsv(2.2 * DRIVE_CHUNK_UNIT);
    drive.failNext({ status: 503, method: 'PUT', times: 2 });
    const from = drive.requests.length;
    await storage().save('history-2023-03-all-ru.csv', trickle(content));
    expect(drive.filesNamed('history-2023-03-all-ru.csv')[0].content.equals(content)).toBe(true);
    const puts = drive.requests.slice(from).filter((request) => request.method === 'PUT');
    expect(puts.slice(0, 3).map((request) => [request.status, request.contentRange])).toEqual([
      [503, `bytes 0-${DRIVE_CHUNK_UNIT - 1}/*`],
      [503, 'bytes */*'],
      [308, 'bytes */*'],
    ]);
  });

  it('answers a 403 at once with a ReportStorageError that names the call and the status', async () => {
    drive.failNext({ status: 403, reason: 'insufficientFilePermissions', method: 'GET', path: /^\/drive\/v3\/files$/ });
    const from = drive.requests.length;
    const failure = await storage()
      .save('history-2023-02-all-ru.csv', csv('x\n'))
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ReportStorageError);
    expect((failure as ReportStorageError).message).toBe(
      'Google Drive files.list failed with 403: injected failure 403',
    );
    expect((failure as ReportStorageError).details).toEqual({ operation: 'files.list', status: 403 });
    expect(drive.calls(from).filter((call) => call.includes('/drive/v3/files'))).toEqual(['403 GET /drive/v3/files']);
    expect(drive.filesNamed('history-2023-02-all-ru.csv')).toEqual([]);
  });

  it('gives up on a lasting 503 after a bounded number of tries', async () => {
    drive.failNext({ status: 503, method: 'POST', path: /^\/upload\//, times: QUICK_RETRY.attempts + 1 });
    const from = drive.requests.length;
    const failure = await storage()
      .save('history-2023-02-all-en.csv', csv('x\n'))
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ReportStorageError);
    expect((failure as Error).message).toContain('files.create failed with 503');
    expect(drive.calls(from).filter((call) => call.startsWith('503'))).toHaveLength(QUICK_RETRY.attempts);
  });

  it('is refused sign-in when the key does not match the account: the signature is checked', async () => {
    const before = drive.tokenRequests.length;
    const failure = await storage({ keyFile: drive.foreignKeyFile() })
      .save('history-2023-02-user-1-ru.csv', csv('x\n'))
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ReportStorageError);
    expect((failure as Error).message).toContain('invalid_grant');
    expect(drive.tokenRequests.slice(before)).toEqual([{ granted: false, error: 'Invalid JWT Signature.' }]);
  });

  it('passes an error of the CSV stream on as it is', async () => {
    const broken = new Readable({
      read() {
        this.destroy(new Error('database went away'));
      },
    });
    await expect(storage().save('history-2023-02-user-2-ru.csv', broken)).rejects.toThrow('database went away');
  });

  it('creates one file when two runs of a new report overlap', async () => {
    const name = 'history-2021-01-all-ru.csv';
    const s = storage();
    const [first, second] = await Promise.all([s.save(name, csv('first\n')), s.save(name, csv('second\n'))]);
    expect(drive.filesNamed(name)).toHaveLength(1);
    expect(second.url).toBe(first.url);
    expect(drive.filesNamed(name)[0].content.toString()).toBe('second\n');
  });
});
