import { Provider } from '@nestjs/common';
import { MembershipRepository, SegmentRepository, UserRegistry } from '@app/application';
import { AppConfig } from '../config/app-config';
import { SqlMembershipRepository } from '../persistence/sql-membership-repository';
import { SqlSegmentRepository } from '../persistence/sql-segment-repository';
import { SqlExecutor } from '../persistence/sql-executor';
import { SqlUserRegistry } from '../persistence/sql-user-registry';
import { CachedMembershipRepository } from './cached-membership-repository';
import { InvalidatingSegmentRepository } from './invalidating-segment-repository';
import { InvalidatingUserRegistry } from './invalidating-user-registry';
import { ChangeLogCleaner } from './change-log-cleaner';
import { ChangeLogPoller } from './change-log-poller';
import { ReadRouter, Written, WRITTEN } from '../replicas/read-router';
import { WorkerChannel } from '../workers/worker-channel';
import { ReadCache } from './read-cache';

/** Embedded PGlite: this process is the only one on DATA_DIR, so its own invalidations are all there are. */
const standalone = (config: AppConfig) => !config.databaseUrl;

/**
 * The ports that read or change memberships: with READ_CACHE_USERS > 0, wrapped around the SQL adapters
 * so that reads come from a ReadCache and writes invalidate it; with the cache off, the SQL adapters
 * themselves (ReadCache and ChangeLogPoller are then undefined). The change log's cleaner always runs.
 */
export const readCacheProviders: Provider[] = [
  { provide: ChangeLogCleaner, useFactory: (sql: SqlExecutor) => new ChangeLogCleaner(sql), inject: [SqlExecutor] },
  {
    provide: ReadCache,
    // What another worker of this instance wrote leaves this worker's cache before that write is answered.
    useFactory: (config: AppConfig, workers: WorkerChannel) => {
      if (config.readCacheUsers === 0) return undefined;
      const cache = new ReadCache(config.readCacheUsers, standalone(config));
      workers.hear<Written>(WRITTEN, (written) =>
        'everyone' in written ? cache.invalidateAll() : cache.invalidate(written.users),
      );
      return cache;
    },
    inject: [AppConfig, WorkerChannel],
  },
  {
    provide: ChangeLogPoller,
    useFactory: (config: AppConfig, cache: ReadCache | undefined, router: ReadRouter) =>
      cache && !standalone(config) ? new ChangeLogPoller(config.databaseUrl!, cache, router) : undefined,
    inject: [AppConfig, ReadCache, ReadRouter],
  },
  SqlMembershipRepository,
  SqlSegmentRepository,
  SqlUserRegistry,
  {
    provide: MembershipRepository,
    useFactory: (sql: SqlMembershipRepository, cache?: ReadCache) =>
      cache ? new CachedMembershipRepository(sql, cache) : sql,
    inject: [SqlMembershipRepository, ReadCache],
  },
  {
    provide: SegmentRepository,
    useFactory: (sql: SqlSegmentRepository, cache?: ReadCache) =>
      cache ? new InvalidatingSegmentRepository(sql, cache) : sql,
    inject: [SqlSegmentRepository, ReadCache],
  },
  {
    provide: UserRegistry,
    useFactory: (sql: SqlUserRegistry, cache?: ReadCache) => (cache ? new InvalidatingUserRegistry(sql, cache) : sql),
    inject: [SqlUserRegistry, ReadCache],
  },
];
