import { OnApplicationBootstrap } from '@nestjs/common';
import { WorkerChannel } from '../workers/worker-channel';
import { ReadCache } from './read-cache';
import { WriteFences } from './write-fences';

/** What a write changed: these users' memberships, or anything (segments, auto-assignment, the sweep). */
export type Written = number[] | 'everyone';
const WRITTEN = 'written';

/**
 * "Something was written", fired once by every write path and consumed by everything that must not show
 * the past: this worker's ReadCache (entries and reads under way dropped) and its WriteFences (reads
 * then go to a replica only once it has replayed the write). Other workers of this instance hear it
 * through the WorkerChannel; other instances through the change log (ChangeLogPoller).
 */
export class WrittenSignal implements OnApplicationBootstrap {
  constructor(
    private readonly fences: WriteFences,
    private readonly workers: WorkerChannel,
    private readonly cache: ReadCache | undefined,
  ) {
    workers.hear<Written>(WRITTEN, (written) => this.heard(written));
  }

  async onApplicationBootstrap(): Promise<void> {
    // Other workers' writes before this one heard them all (WorkerChannel.ready) predate its start: fenced.
    await this.workers.ready;
    this.fences.allWritten();
  }

  /**
   * A write of this instance has ended (failed ones too: they may have committed). Resolves once every other
   * worker has heard (WEB_CONCURRENCY), before the write is answered: its later reads, on any worker, show it.
   */
  written(written: Written): Promise<void> {
    this.heard(written);
    return this.workers.tell(WRITTEN, written);
  }

  /** This worker only: what another worker told, or what the change log reports (every worker polls it). */
  heard(written: Written): void {
    if (written === 'everyone') {
      this.cache?.invalidateAll();
      this.fences.allWritten();
      return;
    }
    this.cache?.invalidate(written);
    for (const userId of written) this.fences.userWritten(userId);
  }
}
