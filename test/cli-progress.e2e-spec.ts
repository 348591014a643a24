import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI_MAIN, ensureBuilt } from './support/built-app';
import { pgliteOnly } from './support/test-database';

/** The import's progress bar on a terminal (a pseudo-terminal from `script`): registered ids, rate, time left. */
const describeOnce = pgliteOnly('cli-progress: runs once, in the PGlite project (an embedded DATA_DIR of its own)');

describeOnce('import-users progress bar', () => {
  let dir: string;

  beforeAll(() => {
    ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), 'segments-progress-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('counts the ids registered, with their rate and the time left, and ends at 100% of the ids', () => {
    const file = join(dir, 'ids.txt');
    writeFileSync(file, `${Array.from({ length: 2000 }, (_, i) => i + 1).join('\n')}\n`);
    const run = spawnSync(
      'script',
      ['-qec', `${process.execPath} ${CLI_MAIN} import-users ${file} --batch 500`, '/dev/null'],
      {
        env: { PATH: process.env.PATH ?? '', DATA_DIR: join(dir, 'data'), LOG_LEVEL: 'silent', TERM: 'dumb' },
        encoding: 'utf8',
        timeout: 120_000,
      },
    );
    expect(run.status).toBe(0);
    // eslint-disable-next-line no-control-regex -- the terminal's escape sequence is what is split on
    const frames = run.stdout.split(/\x1b\[1G|[\r\n]+/).filter((frame) => frame.includes('import ['));
    expect(frames.length).toBeGreaterThan(0);
    expect(frames.at(-1)).toMatch(/100% \| 2000\/2000 ids \| [\d,]+ ids\/s \| 0s left/);
    expect(run.stdout).not.toMatch(/bytes|NULL/);
  });
});
