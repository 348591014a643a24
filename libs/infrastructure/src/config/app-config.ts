import { isIP } from 'node:net';
import { resolve } from 'node:path';

export type ReportStorageKind = 'local' | 'gdrive';

/** Validated settings; the class doubles as the DI token. */
export class AppConfig {
  port!: number;
  host!: string;
  /** Unset: embedded PGlite under `dataDir`. */
  databaseUrl!: string | undefined;
  /** Streaming replicas of DATABASE_URL that may serve reads (docs/scaling.md); PostgreSQL only. */
  databaseReplicaUrls!: string[];
  /** A replica further behind the primary than this (or down) is skipped: its reads go to the primary. */
  replicaMaxLagMs!: number;
  databasePoolSize!: number;
  /** How long a query may wait for a pool connection (or a batched read for its turn), in milliseconds. */
  databaseTimeoutMs!: number;
  /** How long a pooled connection may sit idle before the pool closes it; 0: never. */
  databaseIdleTimeoutMs!: number;
  /** statement_timeout of reads and change sets (hot paths), in milliseconds. */
  databaseStatementTimeoutMs!: number;
  /** statement_timeout of reports and bulk work (auto-assignment, registration, the cleaner, the CLI). */
  databaseBulkTimeoutMs!: number;
  /** Requests that may wait for a pool connection at once; more are shed with 503. */
  databaseMaxWaiting!: number;
  runMigrations!: boolean;
  dataDir!: string;
  reportStorage!: ReportStorageKind;
  publicBaseUrl!: string;
  googleCredentialsFile!: string | undefined;
  gdriveFolderId!: string | undefined;
  /** Base URL of the Drive API; only tests point it elsewhere. */
  gdriveApiUrl!: string;
  apiKeys!: string[];
  /** Requests per minute allowed per API key (per client IP without one) on /api/**; 0: no limit. */
  rateLimitPerMinute!: number;
  /**
   * Proxies whose X-Forwarded-For names the client (TRUST_PROXY); empty: the client is the connection's
   * peer, and X-Forwarded-For is ignored (a client could otherwise pick its own address).
   */
  trustProxy!: string[];
  expirySweepSeconds!: number;
  /** The longest a client may take to send a whole request, headers and body (then 408). */
  httpRequestTimeoutMs!: number;
  /** The longest a client may take to send the request line and headers (then 408). */
  httpHeadersTimeoutMs!: number;
  /** How long an idle kept-alive connection stays open. */
  httpKeepAliveTimeoutMs!: number;
  /** Open client connections at most; more are closed at once. */
  httpMaxConnections!: number;
  /** Report builds at once per instance, each on a connection of its own. */
  reportConcurrency!: number;
  /** Report requests that may wait for a build slot; more get 503 REPORTS_BUSY. */
  reportQueue!: number;
  /** Report files older than this are deleted (local files by last write, Drive files the service uploaded). */
  reportRetentionHours!: number;
  /** Local report files kept at most; beyond it the least recently written are deleted. */
  reportMaxFiles!: number;
  /** Users whose answers each process keeps (the read cache); 0: no cache. */
  readCacheUsers!: number;
  /** Worker processes sharing the port (PostgreSQL only: embedded PGlite allows one process). */
  webConcurrency!: number;
  logLevel!: string;
  /** NODE_ENV=development: human-readable logs instead of JSON lines. */
  logPretty!: boolean;
}

/** A bad environment variable; its message is the one line printed at start-up. */
export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

function text(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

/**
 * API_KEYS, comma-separated. Set to nothing but commas and spaces (a template left empty, say) is an
 * error, not "no authentication": unset it to run without keys.
 */
function apiKeys(env: Env): string[] {
  const raw = env.API_KEYS;
  if (raw === undefined || raw.trim() === '') return [];
  const keys = raw
    .split(',')
    .map((key) => key.trim())
    .filter(Boolean);
  if (keys.length === 0)
    throw new ConfigError(`API_KEYS lists no key ("${raw}"): give at least one, or unset it to run without keys`);
  return keys;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = text(env, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = text(env, name);
  if (raw === undefined) return fallback;
  if (!allowed.includes(raw as T)) {
    throw new ConfigError(`${name} must be one of ${allowed.join(', ')}, got "${raw}"`);
  }
  return raw as T;
}

function url(env: Env, name: string, protocols: string[]): string | undefined {
  const raw = text(env, name);
  if (raw === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(`${name} must be a URL (${protocols.join(' or ')}), got an unparsable value`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(`${name} must be a URL starting with ${protocols.join(' or ')}`);
  }
  return raw.replace(/\/+$/, '');
}

function urlList(env: Env, name: string, protocols: string[]): string[] {
  const raw = text(env, name);
  if (raw === undefined) return [];
  return raw
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)
    .map((item) => url({ [name]: item }, name, protocols)!);
}

/** Comma-separated IP addresses or CIDR ranges (`10.0.0.0/8`). */
function addressList(env: Env, name: string): string[] {
  const raw = text(env, name);
  if (raw === undefined) return [];
  return raw
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)
    .map((item) => {
      const [address, bits, ...rest] = item.split('/');
      const version = isIP(address);
      const maxBits = version === 4 ? 32 : 128;
      const bitsOk = bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= maxBits);
      if (version === 0 || !bitsOk || rest.length > 0) {
        throw new ConfigError(`${name} must list IP addresses or CIDR ranges (10.0.0.0/8), got "${item}"`);
      }
      return item;
    });
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  return oneOf(env, name, ['true', 'false'] as const, fallback ? 'true' : 'false') === 'true';
}

export function loadConfig(env: Env = process.env): AppConfig {
  const port = integer(env, 'PORT', 8080, 0, 65535);
  const reportStorage = oneOf(env, 'REPORT_STORAGE', ['local', 'gdrive'] as const, 'local');
  const googleCredentialsFile = text(env, 'GOOGLE_APPLICATION_CREDENTIALS');
  if (reportStorage === 'gdrive' && !googleCredentialsFile) {
    throw new ConfigError(
      'GOOGLE_APPLICATION_CREDENTIALS must name a service-account key file when REPORT_STORAGE=gdrive',
    );
  }
  const databaseUrl = url(env, 'DATABASE_URL', ['postgres:', 'postgresql:']);
  const webConcurrency = integer(env, 'WEB_CONCURRENCY', 1, 1, 64);
  if (webConcurrency > 1 && !databaseUrl) {
    throw new ConfigError(
      `WEB_CONCURRENCY must be 1 without DATABASE_URL (embedded PGlite allows one process on DATA_DIR), got "${webConcurrency}"`,
    );
  }
  const databaseReplicaUrls = urlList(env, 'DATABASE_REPLICA_URLS', ['postgres:', 'postgresql:']);
  if (databaseReplicaUrls.length > 0 && !databaseUrl) {
    throw new ConfigError('DATABASE_REPLICA_URLS needs DATABASE_URL (the primary): embedded PGlite has no replicas');
  }
  return Object.assign(new AppConfig(), {
    port,
    host: text(env, 'HOST') ?? '0.0.0.0',
    databaseUrl,
    databaseReplicaUrls,
    replicaMaxLagMs: integer(env, 'REPLICA_MAX_LAG_MS', 500, 50, 600_000),
    databasePoolSize: integer(env, 'DATABASE_POOL_SIZE', 10, 1, 1000),
    databaseTimeoutMs: integer(env, 'DATABASE_TIMEOUT_MS', 5000, 100, 600_000),
    databaseIdleTimeoutMs: integer(env, 'DATABASE_IDLE_TIMEOUT_MS', 30_000, 0, 86_400_000),
    databaseStatementTimeoutMs: integer(env, 'DATABASE_STATEMENT_TIMEOUT_MS', 3000, 100, 600_000),
    databaseBulkTimeoutMs: integer(env, 'DATABASE_BULK_TIMEOUT_MS', 300_000, 1000, 86_400_000),
    databaseMaxWaiting: integer(env, 'DATABASE_MAX_WAITING', 500, 1, 1_000_000),
    runMigrations: bool(env, 'MIGRATIONS_RUN', true),
    dataDir: resolve(text(env, 'DATA_DIR') ?? './data'),
    reportStorage,
    publicBaseUrl: url(env, 'PUBLIC_BASE_URL', ['http:', 'https:']) ?? `http://localhost:${port}`,
    googleCredentialsFile,
    gdriveFolderId: text(env, 'GDRIVE_FOLDER_ID'),
    gdriveApiUrl: url(env, 'GDRIVE_API_URL', ['http:', 'https:']) ?? 'https://www.googleapis.com',
    apiKeys: apiKeys(env),
    rateLimitPerMinute: integer(env, 'RATE_LIMIT_PER_MINUTE', 0, 0, 1_000_000),
    trustProxy: addressList(env, 'TRUST_PROXY'),
    expirySweepSeconds: integer(env, 'EXPIRY_SWEEP_SECONDS', 60, 1, 86_400),
    httpRequestTimeoutMs: integer(env, 'HTTP_REQUEST_TIMEOUT_MS', 30_000, 1000, 3_600_000),
    httpHeadersTimeoutMs: integer(env, 'HTTP_HEADERS_TIMEOUT_MS', 10_000, 1000, 3_600_000),
    httpKeepAliveTimeoutMs: integer(env, 'HTTP_KEEP_ALIVE_TIMEOUT_MS', 5_000, 1000, 3_600_000),
    httpMaxConnections: integer(env, 'HTTP_MAX_CONNECTIONS', 10_000, 1, 1_000_000),
    reportConcurrency: integer(env, 'REPORT_CONCURRENCY', 2, 1, 64),
    reportQueue: integer(env, 'REPORT_QUEUE', 8, 0, 10_000),
    reportRetentionHours: integer(env, 'REPORT_RETENTION_HOURS', 168, 1, 87_600),
    reportMaxFiles: integer(env, 'REPORT_MAX_FILES', 10_000, 1, 10_000_000),
    readCacheUsers: integer(env, 'READ_CACHE_USERS', 0, 0, 10_000_000),
    webConcurrency,
    logLevel: oneOf(env, 'LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, 'info'),
    logPretty: text(env, 'NODE_ENV') === 'development',
  });
}
