import { HistoryEntry } from '@app/domain';

export interface HistoryQuery {
  userId: number;
  /** Inclusive. */
  from?: Date;
  /** Exclusive. */
  to?: Date;
  /** Start after this ledger position (a previous page's `nextAfter`). */
  after?: number;
  limit: number;
}

export interface HistoryPage {
  items: HistoryEntry[];
  /** The ledger position the next page starts after; null when this page is the last. */
  nextAfter: number | null;
}

export abstract class HistoryRepository {
  /** One page of the user's entries with from <= at < to, oldest first (by `at`, then ledger order). */
  abstract pageOfUser(query: HistoryQuery): Promise<HistoryPage>;
}
