import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { staleBuildReason } from './support/built-app';

/** The rule that keeps the suites that spawn dist/ from testing an old build. */
describe('a build is stale when a source has no output or is newer than it', () => {
  let root: string;
  const file = (path: string, mtimeSeconds: number) => {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), '');
    utimesSync(join(root, path), mtimeSeconds, mtimeSeconds);
  };

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'segments-build-'));
    file('apps/api/src/main.ts', 1000);
    file('libs/domain/src/slug.ts', 1000);
    file('libs/domain/src/slug.spec.ts', 5000);
    file('libs/infrastructure/src/types.d.ts', 5000);
    file('dist/apps/api/src/main.js', 2000);
    file('dist/libs/domain/src/slug.js', 2000);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('is fresh when every compiled source is older than its output (tests and declarations aside)', () => {
    expect(staleBuildReason(root)).toBeUndefined();
  });

  it('is stale when a source changed after the build', () => {
    utimesSync(join(root, 'libs/domain/src/slug.ts'), 3000, 3000);
    expect(staleBuildReason(root)).toBe('libs/domain/src/slug.ts is newer than dist/');
  });

  it('is stale when a source has no output yet', () => {
    file('apps/cli/src/main.ts', 1000);
    expect(staleBuildReason(root)).toBe('dist/ has no output for apps/cli/src/main.ts');
  });
});
