import { execFileSync } from 'node:child_process';
import { closeSync, openSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './support/built-app';
import { pgliteOnly } from './support/test-database';

/** `make start` installs and builds only when something changed (dry runs: `make -n`, nothing is run). */
const describeOnce = pgliteOnly('make-start: runs once, in the PGlite project');

describeOnce('make start', () => {
  // -o node_modules: the installed dependencies count as up to date, whatever their time stamp here.
  const dryRun = (...args: string[]) =>
    execFileSync('make', ['-n', '--no-print-directory', '-o', 'node_modules', ...args, 'start'], {
      cwd: ROOT,
      encoding: 'utf8',
    })
      .trim()
      .split('\n');

  beforeAll(() => {
    const stamp = join(ROOT, 'dist', '.built');
    closeSync(openSync(stamp, 'a'));
    const now = new Date();
    utimesSync(stamp, now, now);
  });

  it('only starts the built service when nothing changed since the last build', () => {
    expect(dryRun()).toEqual(['node --max-old-space-size=192 dist/apps/api/src/main.js']);
  });

  it('builds first when a source file is newer than the build', () => {
    expect(dryRun('-W', 'apps/api/src/main.ts')).toEqual([
      'npm run build',
      'touch dist/.built',
      'node --max-old-space-size=192 dist/apps/api/src/main.js',
    ]);
  });
});
