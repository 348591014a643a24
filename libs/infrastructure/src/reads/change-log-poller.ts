import { Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Client } from 'pg';
import { monotonicMs } from '../monotonic';
import { ReadCache } from './read-cache';
import { WrittenSignal } from './written-signal';

/** How the poller's connection shows in pg_stat_activity. */
export const CACHE_CONNECTION_NAME = 'segmentation-read-cache';

/** Polls this often: changes show on other instances within about this, well inside the 1 s promise. */
const POLL_MS = 200;
const RECONNECT_MS = 500;

/**
 * The users changed by transactions that committed after snapshot $1 (the previous poll's) and before
 * this statement's own snapshot (returned, for the next poll). 0 stands for "everyone" (a bulk change
 * recorded as NULL). Such a transaction either started after $1 (xid at or past its xmax: an index range
 * over what was written since) or was in progress in $1 and has ended since (xid in its xip list and not
 * in this snapshot's: index lookups, each transaction's rows once, when it ends). Rows of transactions
 * still in progress are invisible to this statement and wait for a later poll. So a poll reads what was
 * written since the previous one, however long a transaction stays open (the snapshots' xmin, which an
 * open transaction pins, bounds nothing here). `always`: whether every change-log trigger fires under
 * any session_replication_role (pg_restore --disable-triggers re-enables them as ORIGIN, and logs
 * nothing while they are disabled): when not, nothing the log says can be trusted.
 */
export const CHANGES_SINCE = `
  WITH now AS (SELECT pg_current_snapshot() AS snapshot)
  SELECT now.snapshot::text AS snapshot,
    (SELECT array_agg(DISTINCT coalesce(c.user_id, 0)) FROM (
       SELECT user_id FROM membership_changes
       WHERE xid >= pg_snapshot_xmax($1::pg_snapshot) AND xid < pg_snapshot_xmax(now.snapshot)
       UNION ALL
       SELECT user_id FROM membership_changes
       WHERE xid = ANY (ARRAY(SELECT pg_snapshot_xip($1::pg_snapshot) EXCEPT SELECT pg_snapshot_xip(now.snapshot)))
     ) c) AS users,
    (SELECT count(*) = 4 FROM pg_trigger
     WHERE tgrelid = 'memberships'::regclass AND tgenabled = 'A'
       AND tgname IN ('memberships_record_insert', 'memberships_record_update',
                      'memberships_record_delete', 'memberships_record_truncate')) AS always
  FROM now`;

/**
 * PostgreSQL mode: a dedicated connection that polls the change log (sql/functions/record-membership-change.ts) for
 * what other instances, the cleaner, the CLI or SQL by hand changed, and tells this worker (WrittenSignal). Each poll sees every change committed before its statement's snapshot, so an answered
 * poll confirms the cache up to the moment it was sent. A lost connection suspends the cache (reads
 * go to the database) until a new one has polled; the cache starts empty then.
 */
export class ChangeLogPoller implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('ReadCache');
  private client: Client | undefined;
  private snapshot: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private lostLogged = false;
  private notAlwaysLogged = false;

  /**
   * `signal`: what another instance changed is also fenced from the replicas, so that a cache miss for
   * it reads a database that has the change (a lagging replica would refill the cache with the past).
   */
  constructor(
    private readonly databaseUrl: string,
    private readonly cache: ReadCache,
    private readonly signal: WrittenSignal,
  ) {}

  onModuleInit(): Promise<void> {
    return this.connect();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.cache.suspend();
    await this.client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new Client({
      connectionString: this.databaseUrl,
      application_name: CACHE_CONNECTION_NAME,
      keepAlive: true,
      connectionTimeoutMillis: 5_000,
      // A poll that takes longer has let the cache lapse anyway: give up and reconnect.
      query_timeout: 5_000,
    });
    this.client = client;
    this.snapshot = undefined;
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      await this.poll(client);
    } catch (error) {
      this.lost(client, error);
    }
  }

  private async poll(client: Client): Promise<void> {
    const sentAt = monotonicMs();
    if (this.snapshot === undefined) {
      const { rows } = await client.query<{ snapshot: string }>(`SELECT pg_current_snapshot()::text AS snapshot`);
      if (this.client !== client) return;
      // Reads under way may predate this snapshot: none of them is kept.
      this.signal.heard('everyone');
      this.snapshot = rows[0].snapshot;
      if (this.lostLogged) this.logger.log('read cache polling again: cache on');
      this.lostLogged = false;
    } else {
      const { rows } = await client.query<{ snapshot: string; users: string[] | null; always: boolean }>(
        CHANGES_SINCE,
        [this.snapshot],
      );
      if (this.client !== client) return;
      const users = (rows[0].users ?? []).map(Number);
      if (!rows[0].always && !this.notAlwaysLogged) {
        this.logger.warn(
          'the change-log triggers on memberships do not all fire ALWAYS (after pg_restore --disable-triggers?): ' +
            'every poll empties the read cache until ALTER TABLE memberships ENABLE ALWAYS TRIGGER ... (docs/scaling.md)',
        );
      }
      this.notAlwaysLogged = !rows[0].always;
      this.signal.heard(users.includes(0) || !rows[0].always ? 'everyone' : users);
      this.snapshot = rows[0].snapshot;
    }
    this.cache.confirm(sentAt);
    this.timer = setTimeout(() => this.poll(client).catch((error: unknown) => this.lost(client, error)), POLL_MS);
    this.timer.unref();
  }

  private lost(client: Client, error?: unknown): void {
    if (this.client !== client) return;
    this.client = undefined;
    clearTimeout(this.timer);
    this.cache.suspend();
    client.on('error', () => undefined);
    client.end().catch(() => undefined);
    if (this.stopped) return;
    if (!this.lostLogged) {
      this.logger.warn(
        `read cache off: its change-log connection failed (${(error as Error)?.message ?? 'closed'}); reconnecting`,
      );
      this.lostLogged = true;
    }
    this.timer = setTimeout(() => void this.connect(), RECONNECT_MS);
    this.timer.unref();
  }
}
