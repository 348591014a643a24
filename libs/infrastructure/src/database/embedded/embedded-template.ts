import { cpSync, existsSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';

/** The repository (or image) root: the nearest directory above this file with a package.json. */
export function projectRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

/**
 * An empty PGlite data directory made once by `npm run build`. Creating one (PGlite's initdb) peaks at
 * about 800 MB and takes seconds; copying this one and opening it costs what reopening does.
 */
export const EMBEDDED_TEMPLATE_DIR = join(projectRoot(), 'dist', 'pglite-template');

/** Whether `dir` already holds a PostgreSQL data directory. */
export const isDataDirectory = (dir: string) => existsSync(join(dir, 'PG_VERSION'));

/** Creates the template (build time): initdb into a scratch directory, then moved into place whole. */
export async function createEmbeddedTemplate(dir = EMBEDDED_TEMPLATE_DIR): Promise<void> {
  const scratch = `${dir}.partial`;
  rmSync(scratch, { recursive: true, force: true });
  const db = await PGlite.create({ dataDir: scratch });
  await db.close();
  rmSync(dir, { recursive: true, force: true });
  renameSync(scratch, dir);
}

/**
 * Fills an empty `dataDir` from the template. Returns false when there is no template (the build did not
 * make one): PGlite then creates the directory itself, at initdb's cost.
 */
export function seedFromTemplate(dataDir: string): boolean {
  if (isDataDirectory(dataDir)) return true;
  if (!isDataDirectory(EMBEDDED_TEMPLATE_DIR)) return false;
  const scratch = `${dataDir}.partial`;
  rmSync(scratch, { recursive: true, force: true });
  cpSync(EMBEDDED_TEMPLATE_DIR, scratch, { recursive: true });
  rmSync(dataDir, { recursive: true, force: true });
  renameSync(scratch, dataDir);
  return true;
}
