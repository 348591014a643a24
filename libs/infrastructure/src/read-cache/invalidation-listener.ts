import { Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Client } from 'pg';
import { ReadCache } from './read-cache';

/** What the trigger `notify_membership_change` (migration ReadCacheNotify) sends on commit. */
export const MEMBERSHIP_CHANGES_CHANNEL = 'membership_changes';
/** The payload naming every user: a change too large to list. */
export const EVERY_USER = '*';
/** How the listener's connection shows in pg_stat_activity. */
export const LISTENER_APPLICATION_NAME = 'segmentation-read-cache';

/** A heartbeat this often keeps the cache's confirmation (1 s) fresh with room for a slow event loop. */
const HEARTBEAT_MS = 250;
const RECONNECT_MS = 500;

/**
 * PostgreSQL mode: one dedicated connection LISTENing for membership changes from every instance
 * (and from SQL run by hand), invalidating this instance's ReadCache. A notification is delivered only
 * once its transaction commits, and before the answer to any later statement on this connection: so
 * each answered heartbeat confirms that every change committed before it was sent has been applied.
 * A lost connection suspends the cache (reads go to the database) until a new one listens again; the
 * cache starts empty then, as it missed what happened meanwhile.
 */
export class InvalidationListener implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('ReadCache');
  private client: Client | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private reconnect: NodeJS.Timeout | undefined;
  private stopped = false;
  private lostLogged = false;

  constructor(
    private readonly databaseUrl: string,
    private readonly cache: ReadCache,
  ) {}

  onModuleInit(): Promise<void> {
    return this.connect();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.heartbeat);
    clearTimeout(this.reconnect);
    this.cache.suspend();
    await this.client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new Client({
      connectionString: this.databaseUrl,
      application_name: LISTENER_APPLICATION_NAME,
      keepAlive: true,
      connectionTimeoutMillis: 5_000,
    });
    this.client = client;
    client.on('notification', (message) => {
      if (message.channel !== MEMBERSHIP_CHANGES_CHANNEL) return;
      if (!message.payload || message.payload === EVERY_USER) this.cache.invalidateAll();
      else this.cache.invalidate(message.payload.split(',').map(Number));
    });
    client.on('error', () => this.lost(client));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${MEMBERSHIP_CHANGES_CHANNEL}`);
    } catch (error) {
      this.lost(client, error);
      return;
    }
    if (this.client !== client) return;
    // Reads under way may have read before LISTEN took effect: none of them is kept.
    this.cache.invalidateAll();
    this.cache.confirm(Date.now());
    if (this.lostLogged) this.logger.log('read cache listening again: cache on');
    this.lostLogged = false;
    this.heartbeat = setInterval(() => this.beat(client), HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  private inFlight = false;

  private beat(client: Client): void {
    if (this.inFlight) return;
    this.inFlight = true;
    const sentAt = Date.now();
    client.query('SELECT 1').then(
      () => {
        this.inFlight = false;
        if (this.client === client) this.cache.confirm(sentAt);
      },
      () => {
        this.inFlight = false;
      },
    );
  }

  private lost(client: Client, error?: unknown): void {
    if (this.client !== client) return;
    this.client = undefined;
    this.inFlight = false;
    clearInterval(this.heartbeat);
    this.cache.suspend();
    client.removeAllListeners('notification');
    client.on('error', () => undefined);
    client.end().catch(() => undefined);
    if (this.stopped) return;
    if (!this.lostLogged) {
      this.logger.warn(`read cache off: its notification connection was lost (${(error as Error)?.message ?? 'closed'}); reconnecting`);
      this.lostLogged = true;
    }
    this.reconnect = setTimeout(() => void this.connect(), RECONNECT_MS);
    this.reconnect.unref();
  }
}
