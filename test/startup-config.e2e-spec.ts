import { spawnSync } from 'node:child_process';
import { API_MAIN, ensureBuilt } from './support/built-app';
import { postgresOnly } from './support/test-database';

const describeOnce = postgresOnly('start-up configuration: no database involved, checked once (in the PostgreSQL project)');

describeOnce('invalid configuration stops start-up with one clear line', () => {
  beforeAll(() => ensureBuilt());

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ DATABASE_URL: 'mysql://localhost/db' }, 'DATABASE_URL'],
    [{ REPORT_STORAGE: 's3' }, 'REPORT_STORAGE'],
    [{ REPORT_STORAGE: 'gdrive' }, 'GOOGLE_APPLICATION_CREDENTIALS'],
    [{ EXPIRY_SWEEP_SECONDS: '0' }, 'EXPIRY_SWEEP_SECONDS'],
    [{ DATABASE_POOL_SIZE: '-3' }, 'DATABASE_POOL_SIZE'],
    [{ PUBLIC_BASE_URL: 'not a url' }, 'PUBLIC_BASE_URL'],
  ])('%j names %s and exits non-zero', (env, variable) => {
    const result = spawnSync(process.execPath, [API_MAIN], {
      env: { PATH: process.env.PATH, ...env },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(result.status).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^invalid configuration: ${variable} `));
  });
});
