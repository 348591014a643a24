import { AppConfig, postgresPlace } from '@app/infrastructure';

/**
 * What the start-up line says of the database: where it is (never the password) and what the migrations
 * did, e.g. `PostgreSQL at db:5432, database "segments", 2 migrations applied`.
 */
export function databaseLine(config: AppConfig, migrationsApplied: number | undefined): string {
  const migrations =
    migrationsApplied === undefined
      ? 'migrations not run (MIGRATIONS_RUN=false)'
      : migrationsApplied === 0
        ? 'schema up to date'
        : `${migrationsApplied} migration${migrationsApplied === 1 ? '' : 's'} applied`;
  if (!config.databaseUrl) return `embedded PGlite in ${config.dataDir}, ${migrations}`;
  const { server, database, databaseNamed } = postgresPlace(config.databaseUrl);
  const named = databaseNamed ? '' : ' (DATABASE_URL names none: the one named like its user)';
  return `${server}, database "${database}"${named}, ${migrations}`;
}
