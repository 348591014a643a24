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

/**
 * READ_CACHE_USERS > 0: the ports that read or change memberships, wrapped around the SQL adapters so
 * that reads come from a ReadCache and writes invalidate it. Listed after the plain bindings, these
 * win; with the cache off, only the change log's cleaner.
 */
export function readCacheProviders(config: AppConfig): Provider[] {
  const cleaner = {
    provide: ChangeLogCleaner,
    useFactory: (sql: SqlExecutor) => new ChangeLogCleaner(sql),
    inject: [SqlExecutor],
  };
  if (config.readCacheUsers === 0) return [cleaner];
  // Embedded PGlite: this process is the only one on DATA_DIR, so its own invalidations are all there are.
  const standalone = !config.databaseUrl;
  return [
    cleaner,
    {
      provide: ReadCache,
      // What another worker of this instance wrote leaves this worker's cache before that write is answered.
      useFactory: (workers: WorkerChannel) => {
        const cache = new ReadCache(config.readCacheUsers, standalone);
        workers.hear<Written>(WRITTEN, (written) =>
          'everyone' in written ? cache.invalidateAll() : cache.invalidate(written.users),
        );
        return cache;
      },
      inject: [WorkerChannel],
    },
    ...(standalone
      ? []
      : [
          {
            provide: ChangeLogPoller,
            useFactory: (cache: ReadCache, router: ReadRouter) =>
              new ChangeLogPoller(config.databaseUrl!, cache, router),
            inject: [ReadCache, ReadRouter],
          },
        ]),
    SqlMembershipRepository,
    SqlSegmentRepository,
    SqlUserRegistry,
    {
      provide: MembershipRepository,
      useFactory: (sql: SqlMembershipRepository, cache: ReadCache) => new CachedMembershipRepository(sql, cache),
      inject: [SqlMembershipRepository, ReadCache],
    },
    {
      provide: SegmentRepository,
      useFactory: (sql: SqlSegmentRepository, cache: ReadCache) => new InvalidatingSegmentRepository(sql, cache),
      inject: [SqlSegmentRepository, ReadCache],
    },
    {
      provide: UserRegistry,
      useFactory: (sql: SqlUserRegistry, cache: ReadCache) => new InvalidatingUserRegistry(sql, cache),
      inject: [SqlUserRegistry, ReadCache],
    },
  ];
}
