import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..');
export const API_MAIN = join(ROOT, 'dist/apps/api/src/main.js');
export const CLI_MAIN = join(ROOT, 'dist/apps/cli/src/main.js');

/** Tests that run the built service or CLI build it first when `npm run build` has not. */
export function ensureBuilt(): void {
  if (existsSync(API_MAIN) && existsSync(CLI_MAIN)) return;
  execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'ignore' });
}
