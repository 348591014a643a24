import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConfigError } from '../../config/app-config';

/** A path as it goes into a one-line message: quoted when it holds a line break or another control character. */
export const shownPath = (path: string) =>
  [...path].some((char) => char.charCodeAt(0) < 0x20 || char.charCodeAt(0) === 0x7f) ? JSON.stringify(path) : path;

/** DATA_DIR cannot hold the service's files; the message is the one line to print. */
export class DataDirUnusableError extends ConfigError {
  constructor(dataDir: string, reason: string) {
    super(
      `DATA_DIR ${shownPath(dataDir)} cannot be used (${reason}): set DATA_DIR to a directory this process can write`,
    );
  }
}

const REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOTDIR: 'a part of the path is a file',
  ENOENT: 'a parent directory cannot be created',
  ENOSPC: 'no space left on the device',
};

/**
 * mkdir -p, one level at a time: Node's own recursive mkdir never returns on some paths (/proc/nope
 * loops forever), and a service that hangs at start-up says nothing about DATA_DIR.
 */
function makeDirectory(path: string): void {
  try {
    mkdirSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return;
    const parent = dirname(path);
    if (code !== 'ENOENT' || parent === path) throw error;
    makeDirectory(parent);
    mkdirSync(path);
  }
}

/** Creates `dataDir` when missing and checks that this process can write in it, or throws DataDirUnusableError. */
export function prepareDataDir(dataDir: string): void {
  try {
    makeDirectory(dataDir);
    if (!statSync(dataDir).isDirectory()) throw new DataDirUnusableError(dataDir, 'it is a file, not a directory');
    accessSync(dataDir, constants.R_OK | constants.W_OK | constants.X_OK);
  } catch (error) {
    if (error instanceof DataDirUnusableError) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown';
    throw new DataDirUnusableError(dataDir, `${code}: ${REASONS[code] ?? (error as Error).message}`);
  }
}
