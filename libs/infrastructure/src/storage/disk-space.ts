import { statfs } from 'node:fs/promises';
import { AppConfig } from '../config/app-config';

/** Below this much free space a disk counts as full: PostgreSQL's next WAL segment alone takes 16 MiB. */
export const FULL_BELOW_BYTES = 16 * 1024 * 1024;

/** The disk the service writes to, if any: DATA_DIR in embedded mode or with local report storage. */
export function writtenDisk(config: Pick<AppConfig, 'databaseUrl' | 'reportStorage' | 'dataDir'>): string | undefined {
  return !config.databaseUrl || config.reportStorage === 'local' ? config.dataDir : undefined;
}

/** Bytes this process may still write on the disk holding `path`; undefined when it cannot be told. */
export async function freeBytes(path: string): Promise<number | undefined> {
  try {
    const stats = await statfs(path);
    return stats.bavail * stats.bsize;
  } catch {
    return undefined;
  }
}
