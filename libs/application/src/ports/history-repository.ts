import { HistoryEntry } from '@app/domain';

export abstract class HistoryRepository {
  /** The user's entries with from <= at < to, oldest first. */
  abstract ofUser(userId: number, from: Date | undefined, to: Date | undefined): Promise<HistoryEntry[]>;
}
