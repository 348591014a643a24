import { expectError } from './support/expectations';
import { startTestApp, TestApp } from './support/test-app';
import { FakeGoogleDrive } from './fakes/google-drive/fake-google-drive';

/** REPORT_STORAGE=gdrive: the service signs in with the key file and uploads to a fake Drive. */
describe('history reports on Google Drive', () => {
  let drive: FakeGoogleDrive;
  let t: TestApp;
  const FOLDER = 'folder-reports';
  const NAME = 'history-2023-08-all-ru.csv';

  const report = (query: Record<string, string>) => t.http.get('/api/v1/reports/history').query(query);
  const join = (userId: number, slug: string, time: string) => {
    t.clock.set(time);
    return t.http
      .patch(`/api/v1/users/${userId}/segments`)
      .send({ add: [slug] })
      .expect(200);
  };

  beforeAll(async () => {
    drive = await FakeGoogleDrive.start();
    t = await startTestApp({
      env: {
        REPORT_STORAGE: 'gdrive',
        GOOGLE_APPLICATION_CREDENTIALS: drive.keyFile,
        GDRIVE_FOLDER_ID: FOLDER,
        GDRIVE_API_URL: drive.url,
      },
    });
    t.clock.set('2023-08-01T00:00:00Z');
    await t.http.post('/api/v1/segments').send({ slug: 'AVITO_VOICE_MESSAGES' }).expect(201);
    await join(1000, 'AVITO_VOICE_MESSAGES', '2023-08-29T12:00:00Z');
    t.clock.set('2023-09-02T00:00:00Z');
  });
  afterEach(() => drive.resetFailures());
  afterAll(async () => {
    await t?.close();
    await drive?.close();
  });

  it('uploads the CSV into the folder, shares it with anyone and answers its Drive link', async () => {
    const response = await report({ period: '2023-08' });
    expect(response.status).toBe(200);
    const [file] = drive.filesNamed(NAME);
    expect(response.body).toEqual({ period: '2023-08', user_id: null, rows: 1, url: file.webViewLink });
    expect(file.content.toString()).toBe('1000;AVITO_VOICE_MESSAGES;добавление;2023-08-29 12:00:00\n');
    expect(file.parents).toEqual([FOLDER]);
    expect(file.permissions).toEqual([{ type: 'anyone', role: 'reader' }]);
    expect(drive.tokenRequests[0]).toEqual({
      granted: true,
      claims: expect.objectContaining({ iss: drive.account.clientEmail }),
    });
  });

  it('updates the same Drive file on the next run, so the link stays the same', async () => {
    const before = await report({ period: '2023-08' }).expect(200);
    await join(1001, 'AVITO_VOICE_MESSAGES', '2023-08-30T09:15:02Z');
    t.clock.set('2023-09-02T00:00:00Z');
    const after = await report({ period: '2023-08' }).expect(200);
    expect(after.body.url).toBe(before.body.url);
    expect(after.body.rows).toBe(2);
    const files = drive.filesNamed(NAME);
    expect(files).toHaveLength(1);
    expect(files[0].content.toString()).toBe(
      '1000;AVITO_VOICE_MESSAGES;добавление;2023-08-29 12:00:00\n1001;AVITO_VOICE_MESSAGES;добавление;2023-08-30 09:15:02\n',
    );
  });

  it('retries a 500 from Drive and then answers 200', async () => {
    drive.failNext({ status: 500, method: 'GET', path: /^\/drive\/v3\/files$/ });
    const from = drive.requests.length;
    const response = await report({ period: '2023-08', lang: 'en' });
    expect(response.status).toBe(200);
    expect(drive.calls(from).slice(0, 2)).toEqual(['500 GET /drive/v3/files', '200 GET /drive/v3/files']);
    expect(drive.filesNamed('history-2023-08-all-en.csv')[0].content.toString()).toContain(
      '1000;AVITO_VOICE_MESSAGES;added;',
    );
  });

  it('answers 502 REPORT_STORAGE_FAILED when Drive refuses with 403', async () => {
    drive.failNext({ status: 403, reason: 'insufficientFilePermissions', method: 'GET', path: /^\/drive\/v3\/files$/ });
    const response = await report({ period: '2023-08', user_id: '1000' });
    expectError(response, 502, 'REPORT_STORAGE_FAILED');
    expect(response.body.message).toBe('Google Drive files.list failed with 403: injected failure 403');
    expect(drive.filesNamed('history-2023-08-user-1000-ru.csv')).toEqual([]);
  });

  it('serves no files itself: they live on Drive', async () => {
    expectError(await t.http.get(`/api/v1/reports/files/${NAME}`), 404, 'REPORT_NOT_FOUND');
  });
});
