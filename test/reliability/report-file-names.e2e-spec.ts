import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestApp, TestApp } from '../support/test-app';
import { errorShapeProblem } from './support/error-shape';
import { encodePathSegment, rawRequest } from './support/raw-http';

/** Report file names cannot reach outside DATA_DIR/reports, whatever the encoding. */
describe('report file names stay inside the reports folder', () => {
  let t: TestApp;
  let dataDir: string;
  const SECRET = 'secret-outside-reports';

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'segments-report-names-'));
    // Files a traversal would hit: next to the reports folder, in DATA_DIR, and a hidden temporary name inside it.
    writeFileSync(join(dataDir, 'history-2023-08-all-ru.csv'), SECRET);
    writeFileSync(join(dataDir, 'secret.csv'), SECRET);
    mkdirSync(join(dataDir, 'reports'));
    writeFileSync(join(dataDir, 'reports', '.history-2023-08-all-en.csv.tmp'), SECRET);
    symlinkSync('/etc', join(dataDir, 'reports', 'etc'));
    t = await startTestApp({ env: { DATA_DIR: dataDir } });
    t.clock.set('2023-09-10T00:00:00Z');
    await t.http.post('/api/v1/segments').send({ slug: 'REPORTED' }).expect(201);
    t.clock.set('2023-09-10T12:00:00Z');
    await t.http
      .patch('/api/v1/users/1/segments')
      .send({ add: ['REPORTED'] })
      .expect(200);
  });
  afterAll(async () => {
    await t.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves a report it wrote', async () => {
    const written = await t.http.get('/api/v1/reports/history').query({ period: '2023-09', lang: 'en' }).expect(200);
    const name = new URL(written.body.url as string).pathname.split('/').pop()!;
    const file = await rawRequest(t.baseUrl, { method: 'GET', path: `/api/v1/reports/files/${name}` });
    expect({ status: file.status, text: file.text }).toEqual({
      status: 200,
      text: '1;REPORTED;added;2023-09-10 12:00:00\n',
    });
  });

  const TRAVERSALS = [
    '../history-2023-08-all-ru.csv',
    '../secret.csv',
    '..%2Fsecret.csv',
    '%2e%2e%2fsecret.csv',
    '%252e%252e%252fsecret.csv',
    '..\\secret.csv',
    '....//secret.csv',
    '/etc/passwd',
    'etc/passwd',
    'etc%2Fpasswd',
    '.history-2023-08-all-en.csv.tmp',
    'history-2023-08-all-ru.csv%00.txt',
    'history-2023-08-all-ru.csv/../../secret.csv',
    'history-2023-08-all-ru.csv\u0000',
    'HISTORY-2023-08-ALL-RU.CSV',
    ' history-2023-08-all-ru.csv',
    'history-2023-08-all-ru.csv ',
    'reports/../secret.csv',
    '.',
    '..',
    '~',
  ];

  it.each(TRAVERSALS)('answers %j with an error in the contract shape, never a file', async (name) => {
    // Sent as given (the router sees the raw path) when HTTP allows it, and fully percent-encoded (one segment).
    const raw = /^[\x21-\x7e]*$/.test(name) ? [`/api/v1/reports/files/${name}`] : [];
    for (const path of [...raw, `/api/v1/reports/files/${encodePathSegment(name)}`]) {
      const answer = await rawRequest(t.baseUrl, { method: 'GET', path });
      expect({
        path,
        problem: errorShapeProblem(answer),
        secret: answer.text.includes(SECRET),
        passwd: answer.text.includes('root:'),
      }).toEqual({
        path,
        problem: undefined,
        secret: false,
        passwd: false,
      });
    }
  });
});
