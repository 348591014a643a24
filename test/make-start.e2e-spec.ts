import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync, utimesSync } from 'node:fs';
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

  it("adds make's own line to a start-up failure and exits 2, as the README says", () => {
    const result = spawnSync('make', ['--no-print-directory', '-o', 'node_modules', '-C', ROOT, 'start'], {
      env: { PATH: process.env.PATH, PORT: 'eighty' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    const lines = result.stderr.trim().split('\n');
    expect({ status: result.status, lines }).toEqual({
      status: 2,
      lines: [
        expect.stringMatching(/^invalid configuration: PORT /),
        expect.stringMatching(/^make: \*\*\* .* Error 1$/),
      ],
    });
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8').replace(/\s+/g, ' ');
    expect(readme).toContain(`under \`make start\`, make then adds its own line, \`${lines[1]}\`, and exits 2`);
  });
});
