import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestApp, TestApp } from '../support/test-app';
import { errorShapeProblem } from './support/error-shape';
import { leakedInternals } from './support/leak-check';
import { rawRequest } from './support/raw-http';

/**
 * Real failures behind the API (a table gone, a reports folder that cannot be created) give 5xx in the
 * error shape without stack traces, SQL or paths.
 */
describe('no internals in 5xx answers', () => {
  let t: TestApp;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'segments-5xx-'));
    // A file where the reports folder should be: writing a report cannot succeed.
    writeFileSync(join(dataDir, 'reports'), 'not a folder');
    t = await startTestApp({ env: { DATA_DIR: dataDir } });
    await t.http.post('/api/v1/segments').send({ slug: 'FAILS' }).expect(201);
    await t.http
      .patch('/api/v1/users/5/segments')
      .send({ add: ['FAILS'] })
      .expect(200);
  });
  afterAll(async () => {
    await t.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const expectBareError = async (path: string, status: number, code: string, method = 'GET', body?: string) => {
    const answer = await rawRequest(t.baseUrl, {
      method,
      path,
      body,
      headers: body ? { 'content-type': 'application/json' } : {},
    });
    expect({
      status: answer.status,
      code: (answer.json as { code?: string })?.code,
      problem: errorShapeProblem(answer, (value) => value === status),
      leaked: leakedInternals(answer.text),
    }).toEqual({ status, code, problem: undefined, leaked: undefined });
  };

  it('answers 500 INTERNAL_ERROR, and nothing more, when SQL fails', async () => {
    await t.sql('ALTER TABLE memberships RENAME TO memberships_gone');
    try {
      await expectBareError('/api/v1/users/5/segments', 500, 'INTERNAL_ERROR');
      await expectBareError('/api/v1/users/5/segments', 500, 'INTERNAL_ERROR', 'PATCH', '{"add":["FAILS"]}');
      await expectBareError('/api/v1/segments/FAILS', 500, 'INTERNAL_ERROR');
      await expectBareError('/api/v1/segments', 500, 'INTERNAL_ERROR', 'POST', '{"slug":"NEW","auto_percent":50}');
    } finally {
      await t.sql('ALTER TABLE memberships_gone RENAME TO memberships');
    }
    await t.http.get('/api/v1/users/5/segments').expect(200);
  });

  it('answers 502 REPORT_STORAGE_FAILED without paths when the report cannot be written', async () => {
    await expectBareError('/api/v1/reports/history?period=2023-08', 502, 'REPORT_STORAGE_FAILED');
  });
});
