import { AppConfig, ConfigError, databaseStartFailure } from '@app/infrastructure/preflight';

/** The one line start-up prints for an error that stops it: the cause and what to set, no stack trace. */
export function startFailureLine(
  error: unknown,
  config: Partial<Pick<AppConfig, 'databaseUrl' | 'host' | 'port'>>,
): string {
  if (error instanceof ConfigError) return `invalid configuration: ${error.message}`;
  const database = config.databaseUrl ? databaseStartFailure(error, config.databaseUrl) : undefined;
  if (database) return `start-up failed: ${database}`;
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
    return `start-up failed: cannot listen on ${config.host}:${config.port} (${code}): set PORT (or HOST) to a free address`;
  }
  const message = error instanceof Error ? error.message : String(error);
  return `start-up failed: ${message.split('\n')[0]}`;
}
