import { lstat, readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { PrunedReports } from '@app/application';
import { isHistoryReportName } from '@app/domain';

export interface RetentionLimits {
  /** A file last written longer ago than this is deleted. */
  maxAgeMs: number;
  /** Beyond this many files, the least recently written are deleted. */
  maxFiles: number;
}

/** The temporary files of LocalReportStorage.save: `.<report name>.<uuid>.tmp`. */
const TEMPORARY_NAME = /^\.history-.+\.tmp$/;
/** Names of deleted files remembered (oldest forgotten first), so their links answer 410 rather than 404. */
const REMEMBERED_DELETIONS = 50_000;
/** lstat calls at once while listing the folder. */
const STAT_BATCH = 64;

const isMissing = (error: unknown) => (error as NodeJS.ErrnoException).code === 'ENOENT';

/**
 * Keeps the local report folder within its bounds. An index of the report files by last write (oldest
 * first) is built from the folder once and kept up to date by each write, so a write finds what to delete
 * without listing the folder. Other processes (WEB_CONCURRENCY) write and delete there too: the periodic
 * pass lists the folder again, a file's own mtime is checked before it is deleted (another process may
 * have written it since), and a file already gone (ENOENT) counts as deleted. The workers of one instance
 * hear of each other's writes (`heard`), so each counts the instance's files: the bound is the instance's.
 * Temporary files are never indexed; one left behind by a crash is deleted once it has not been written for
 * the retention time.
 */
export class LocalReportRetention {
  /** Report name -> last write (ms), in order of last write, oldest first. */
  private index: Map<string, number> | undefined;
  private readonly deleted = new Set<string>();
  /** One pass at a time in this process: writes and periodic passes take turns. */
  private turn: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly directory: string,
    private readonly limits: RetentionLimits,
    private readonly now: () => number = Date.now,
  ) {}

  /** True when this process saw the file of that name deleted by the retention and not written since. */
  wasDeleted(name: string): boolean {
    return this.deleted.has(name);
  }

  /** `name` was just written: it becomes the newest, then whatever is over the bounds is deleted. */
  written(name: string): Promise<PrunedReports> {
    return this.inTurn(async () => {
      this.index ??= await this.scan();
      this.index.delete(name);
      this.index.set(name, this.now());
      this.deleted.delete(name);
      return this.enforce(this.index);
    });
  }

  /** Another worker of this instance wrote `name`: it is the newest (the writer deletes what is over). */
  heard(name: string): void {
    if (!this.index) return; // the first scan will find it
    this.index.delete(name);
    this.index.set(name, this.now());
    this.deleted.delete(name);
  }

  /** Lists the folder again (it sees other processes' writes), then deletes what is over the bounds. */
  prune(): Promise<PrunedReports> {
    return this.inTurn(async () => {
      this.index = await this.scan();
      const pruned = await this.enforce(this.index);
      pruned.deleted += await this.deleteStaleTemporaries();
      return pruned;
    });
  }

  private inTurn<T>(work: () => Promise<T>): Promise<T> {
    const run = this.turn.then(work, work);
    this.turn = run.catch(() => undefined);
    return run;
  }

  /** Deletes the oldest files while they are too old or too many. */
  private async enforce(index: Map<string, number>): Promise<PrunedReports> {
    const pruned = { deleted: 0, failed: 0 };
    const cutoff = this.now() - this.limits.maxAgeMs;
    // A Map iterates in insertion order and visits entries moved to its end again, later.
    for (const [name, indexedMs] of index) {
      if (index.size <= this.limits.maxFiles && indexedMs >= cutoff) break;
      index.delete(name);
      const path = join(this.directory, name);
      const actualMs = await lstat(path).then(
        (stats) => stats.mtimeMs,
        () => undefined,
      );
      if (actualMs === undefined) {
        this.remember(name); // another process deleted it
        continue;
      }
      if (actualMs > indexedMs) {
        index.set(name, actualMs); // another process wrote it again: among the newest now
        continue;
      }
      try {
        await unlink(path);
        pruned.deleted++;
        this.remember(name);
      } catch (error) {
        // Out of the index either way: the next periodic pass finds it again if it is still there.
        if (isMissing(error)) this.remember(name);
        else pruned.failed++;
      }
    }
    return pruned;
  }

  private remember(name: string): void {
    this.deleted.delete(name);
    this.deleted.add(name);
    if (this.deleted.size > REMEMBERED_DELETIONS) this.deleted.delete(this.deleted.values().next().value!);
  }

  /** The report files in the folder (regular files only), oldest first. */
  private async scan(): Promise<Map<string, number>> {
    const names = (await this.list()).filter(isHistoryReportName);
    const files = (await this.lastWrites(names)).sort((a, b) => a[1] - b[1]);
    return new Map(files);
  }

  private async deleteStaleTemporaries(): Promise<number> {
    const cutoff = this.now() - this.limits.maxAgeMs;
    const stale = (await this.lastWrites((await this.list()).filter((name) => TEMPORARY_NAME.test(name)))).filter(
      ([, writtenMs]) => writtenMs < cutoff,
    );
    let deleted = 0;
    for (const [name] of stale) {
      await unlink(join(this.directory, name)).then(
        () => deleted++,
        () => undefined,
      );
    }
    return deleted;
  }

  private async list(): Promise<string[]> {
    return readdir(this.directory).catch((error: unknown) => {
      if (isMissing(error)) return [];
      throw error;
    });
  }

  /** [name, mtime] of those names that are regular files. */
  private async lastWrites(names: string[]): Promise<Array<[string, number]>> {
    const files: Array<[string, number]> = [];
    for (let at = 0; at < names.length; at += STAT_BATCH) {
      const batch = names.slice(at, at + STAT_BATCH);
      const stats = await Promise.all(batch.map((name) => lstat(join(this.directory, name)).catch(() => undefined)));
      stats.forEach((stat, i) => {
        if (stat?.isFile()) files.push([batch[i], stat.mtimeMs]);
      });
    }
    return files;
  }
}
