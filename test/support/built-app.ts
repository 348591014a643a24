import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export const ROOT = join(__dirname, '..', '..');
export const API_MAIN = join(ROOT, 'dist/apps/api/src/main.js');
export const CLI_MAIN = join(ROOT, 'dist/apps/cli/src/main.js');

const SOURCE_DIRS = ['apps', 'libs'];

function* compiledSources(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* compiledSources(path);
    else if (/\.ts$/.test(entry.name) && !/\.(spec|d)\.ts$/.test(entry.name)) yield path;
  }
}

/** Why dist/ does not reflect the sources (a source without output, or newer than it); undefined when it does. */
export function staleBuildReason(root = ROOT): string | undefined {
  for (const source of SOURCE_DIRS.flatMap((dir) => [...compiledSources(join(root, dir))])) {
    const name = relative(root, source);
    const output = join(root, 'dist', name.replace(/\.ts$/, '.js'));
    if (!existsSync(output)) return `dist/ has no output for ${name}`;
    if (statSync(output).mtimeMs < statSync(source).mtimeMs) return `${name} is newer than dist/`;
  }
  return undefined;
}

/** Runs `npm run build` when dist/ is stale; jest's global setup calls it once, before any test file runs. */
export function buildIfStale(): void {
  const reason = staleBuildReason();
  if (!reason) return;
  process.stderr.write(`\n${reason}: building (npm run build) before the tests that run the built service\n`);
  const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, encoding: 'utf8', timeout: 300_000 });
  if (build.status !== 0) throw new Error(`npm run build failed:\n${build.stdout}\n${build.stderr}`);
}

/**
 * Tests that run the built service or CLI call this first: they fail when dist/ is older than the
 * sources, rather than test an old build. (Building here could race other test files reading dist/.)
 */
export function ensureBuilt(): void {
  const reason = staleBuildReason();
  if (reason) throw new Error(`${reason}; run \`npm run build\` (jest's global setup does when the run starts)`);
}
